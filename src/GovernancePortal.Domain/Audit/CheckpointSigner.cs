using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GovernancePortal.Audit;

/// <summary>
/// A signed statement that the audit log held <paramref name="TreeSize"/> events with the given Merkle root and head hash.
/// </summary>
/// <param name="TreeSize">Number of events covered, which is also the sequence of the last one.</param>
/// <param name="RootHash">RFC 9162 Merkle root over the first <paramref name="TreeSize"/> event hashes, lowercase hex.</param>
/// <param name="HeadHash">Hash of event <paramref name="TreeSize"/>, lowercase hex.</param>
/// <param name="Timestamp">When the checkpoint was made, kept to the microsecond in UTC.</param>
/// <param name="Signature">ECDSA P-256 / SHA-256 signature of <see cref="CheckpointSigner.Statement(SignedCheckpoint)"/>, IEEE P1363, base64.</param>
public sealed record SignedCheckpoint(long TreeSize, string RootHash, string HeadHash, DateTimeOffset Timestamp, string Signature);

/// <summary>Signs and verifies audit checkpoints with ECDSA P-256 over SHA-256.</summary>
public static class CheckpointSigner
{
    public const int StatementVersion = 1;

    private const string P256Oid = "1.2.840.10045.3.1.7";
    private const DSASignatureFormat SignatureFormat = DSASignatureFormat.IeeeP1363FixedFieldConcatenation;

    /// <summary>
    /// The exact text that is signed: RFC 8785 canonical JSON
    /// <c>{"headHash":…,"root":…,"size":N,"ts":"yyyy-MM-ddTHH:mm:ss.ffffffZ","v":1}</c>.
    /// </summary>
    public static string Statement(long size, string root, string head, DateTimeOffset timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(head);
        // Members in RFC 8785 order; an integer below 2^53 is written as plain digits.
        var b = new StringBuilder(200);
        b.Append("{\"headHash\":");
        CanonicalJson.WriteString(b, head);
        b.Append(",\"root\":");
        CanonicalJson.WriteString(b, root);
        b.Append(",\"size\":").Append(size.ToString(CultureInfo.InvariantCulture));
        b.Append(",\"ts\":");
        CanonicalJson.WriteString(b, FormatTimestamp(timestamp));
        b.Append(",\"v\":").Append(StatementVersion).Append('}');
        return b.ToString();
    }

    /// <summary>The statement a checkpoint's signature covers.</summary>
    public static string Statement(SignedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Statement(checkpoint.TreeSize, checkpoint.RootHash, checkpoint.HeadHash, checkpoint.Timestamp);
    }

    /// <summary>Signs a checkpoint. <paramref name="root"/> and <paramref name="head"/> must be 64 lowercase hex characters.</summary>
    public static SignedCheckpoint Sign(ECDsa key, long size, string root, string head, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(key);
        RequireHash(root, nameof(root));
        RequireHash(head, nameof(head));
        RequireP256(key);
        var normalized = AuditRecord.Normalize(timestamp);
        var data = Encoding.UTF8.GetBytes(Statement(size, root, head, normalized));
        var signature = key.SignData(data, HashAlgorithmName.SHA256, SignatureFormat);
        return new SignedCheckpoint(size, root, head, normalized, Convert.ToBase64String(signature));
    }

    /// <summary>True when the checkpoint's signature verifies under <paramref name="publicKey"/>; false for any malformed input.</summary>
    public static bool Verify(ECDsa publicKey, SignedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (checkpoint is null || checkpoint.TreeSize < 0 || checkpoint.RootHash is null
            || checkpoint.HeadHash is null || checkpoint.Signature is null)
        {
            return false;
        }
        // A P-256 P1363 signature is r ‖ s, 32 bytes each.
        Span<byte> signature = stackalloc byte[64];
        if (!Convert.TryFromBase64String(checkpoint.Signature, signature, out var written) || written != 64)
        {
            return false;
        }
        try
        {
            var data = Encoding.UTF8.GetBytes(Statement(checkpoint));
            return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, SignatureFormat);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>A new P-256 key pair.</summary>
    public static ECDsa CreateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// Loads a P-256 key from PEM: a private key (PKCS#8 or SEC 1) for signing, or a SubjectPublicKeyInfo for verifying.
    /// </summary>
    public static ECDsa LoadKeyFromPem(string pem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            RequireP256(key);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The public half of <paramref name="key"/> as a SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY").</summary>
    public static string ExportPublicKeyPem(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ExportSubjectPublicKeyInfoPem();
    }

    internal static string FormatTimestamp(DateTimeOffset timestamp) =>
        AuditRecord.Normalize(timestamp).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    internal static bool IsHash(string? value)
    {
        if (value is not { Length: 64 })
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }

    private static void RequireHash(string value, string name)
    {
        if (!IsHash(value))
        {
            throw new ArgumentException("Expected 64 lowercase hexadecimal characters.", name);
        }
    }

    private static void RequireP256(ECDsa key)
    {
        // Platforms name the curve differently; the OID or any of its usual names will do.
        var oid = key.ExportParameters(false).Curve.Oid;
        var isP256 = oid?.Value == P256Oid
            || oid?.FriendlyName is "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1";
        if (key.KeySize != 256 || !isP256)
        {
            throw new CryptographicException("Audit checkpoints are signed with ECDSA P-256.");
        }
    }
}
