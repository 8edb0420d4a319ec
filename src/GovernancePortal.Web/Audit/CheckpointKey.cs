using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

/// <summary>The portal's checkpoint signing key. Its public half is published so that anyone can verify checkpoints.</summary>
public sealed class CheckpointKey : IDisposable
{
    private readonly ECDsa _key;

    public CheckpointKey(IOptions<AuditOptions> options, IHostEnvironment environment)
    {
        _key = Load(options.Value, environment);
        PublicKeyPem = CheckpointSigner.ExportPublicKeyPem(_key);
        KeyId = Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo()));
    }

    public ECDsa Key => _key;
    public string PublicKeyPem { get; }
    /// <summary>SHA-256 of the SubjectPublicKeyInfo, so a rotated key is told apart.</summary>
    public string KeyId { get; }

    /// <summary>Why the portal cannot sign checkpoints with these settings, or null.</summary>
    public static string? StartupProblem(AuditOptions options, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(options.CheckpointKeyPem) && string.IsNullOrWhiteSpace(options.CheckpointKeyFile) && !environment.IsDevelopment()
            ? "No audit checkpoint signing key is configured. Set Audit:CheckpointKeyPem (an ECDSA P-256 private key in PEM) " +
              "or Audit:CheckpointKeyFile; create one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt"
            : null;

    private static ECDsa Load(AuditOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.CheckpointKeyPem))
        {
            return CheckpointSigner.LoadKeyFromPem(options.CheckpointKeyPem);
        }
        var path = options.CheckpointKeyFile;
        if (string.IsNullOrWhiteSpace(path))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(StartupProblem(options, environment));
            }
            path = Path.Combine(environment.ContentRootPath, "App_Data", "checkpoint-key.pem");
            CreateIfMissing(path);
        }
        return CheckpointSigner.LoadKeyFromPem(File.ReadAllText(path));
    }

    // Several test hosts may start at once: write aside, then move into place only if nobody else did.
    private static void CreateIfMissing(string path)
    {
        if (File.Exists(path))
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = CheckpointSigner.CreateKey();
        var temporary = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, key.ExportPkcs8PrivateKeyPem(), Encoding.ASCII);
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
    }

    public void Dispose() => _key.Dispose();
}
