using System.Globalization;
using System.Text;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

/// <summary>
/// Keeps a copy of every signed checkpoint outside the database (ADR-022): one file per checkpoint in
/// <c>Audit:Witness:Directory</c>, created new and never overwritten, and optionally POSTed to <c>Audit:Witness:Url</c>.
/// Verification reads it back and holds the database to it.
/// </summary>
public sealed class AuditWitness(IOptions<AuditOptions> options, IHttpClientFactory http, ILogger<AuditWitness> logger)
{
    private const string Prefix = "checkpoint-";

    private string? Directory => options.Value.Witness.Directory is { Length: > 0 } d ? Path.GetFullPath(d) : null;

    /// <summary>Every checkpoint the witness directory holds; empty without one. Read it before the database snapshot.</summary>
    public IReadOnlyList<WitnessedCheckpoint> Read()
    {
        if (Directory is not { } directory || !System.IO.Directory.Exists(directory))
        {
            return [];
        }
        var witnessed = new List<WitnessedCheckpoint>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, Prefix + "*.json"))
        {
            try
            {
                var document = CheckpointDocument.FromJson(File.ReadAllText(path));
                witnessed.Add(new WitnessedCheckpoint(document.ToSigned(), document.EventHashBytes(), path));
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or IOException)
            {
                // A half-written file (a publish still under way) or damage: not evidence either way.
                logger.LogWarning("Audit witness file {Path} cannot be read: {Message}", path, e.Message);
            }
        }
        return witnessed;
    }

    /// <summary>
    /// Publishes every stored checkpoint the witness directory does not hold yet (so a failed publish is made up for), or
    /// without a directory the ones just <paramref name="created"/>. Call it after they are committed: the witness
    /// must never hold a checkpoint the database has not.
    /// </summary>
    public async Task PublishPendingAsync(GovernanceDbContext db, IReadOnlyList<AuditCheckpoint> created, CancellationToken cancellationToken)
    {
        if (Directory is null)
        {
            foreach (var checkpoint in created)
            {
                await PostAsync(Document(checkpoint), cancellationToken);
            }
            return;
        }
        var after = LatestPublished(Directory);
        var pending = await db.AuditCheckpoints.AsNoTracking().Where(c => c.TreeSize > after).OrderBy(c => c.TreeSize).ToListAsync(cancellationToken);
        foreach (var checkpoint in pending)
        {
            var document = Document(checkpoint);
            if (Write(document))
            {
                await PostAsync(document, cancellationToken);
            }
        }
    }

    /// <summary>The tree size of the newest checkpoint file, or null without a witness directory or before the first.</summary>
    public long? LatestWitnessedSize() => Directory is { } directory && LatestPublished(directory) is >= 0 and var size ? size : null;

    public bool HasDirectory => Directory is not null;

    private static CheckpointDocument Document(AuditCheckpoint checkpoint) =>
        CheckpointDocument.From(checkpoint.ToSigned(), checkpoint.KeyId, checkpoint.EventHashes);

    private static long LatestPublished(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return -1;
        }
        var latest = -1L;
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, Prefix + "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(path)[Prefix.Length..];
            if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                latest = Math.Max(latest, size);
            }
        }
        return latest;
    }

    // Create-new: an existing file is never replaced; if it holds something else, that is reported, not repaired.
    private bool Write(CheckpointDocument document)
    {
        var directory = System.IO.Directory.CreateDirectory(Directory!).FullName;
        var path = Path.Combine(directory, FileName(document.TreeSize));
        var bytes = Encoding.UTF8.GetBytes(document.ToJson());
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            file.Write(bytes);
            file.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            if (!File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            {
                logger.LogError("Audit witness {Path} already holds a different checkpoint at tree size {Size}; left as it is.", path, document.TreeSize);
            }
            return false;
        }
    }

    private async Task PostAsync(CheckpointDocument document, CancellationToken cancellationToken)
    {
        if (options.Value.Witness.Url is not { } url)
        {
            return;
        }
        try
        {
            using var response = await http.CreateClient(nameof(AuditWitness)).PostAsync(url,
                new StringContent(document.ToJson(), Encoding.UTF8, "application/json"), cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        catch (HttpRequestException e)
        {
            // The directory is the witness verification reads; the endpoint is a further copy, tried once per checkpoint.
            logger.LogError("Audit witness {Url} refused checkpoint {Size}: {Message}", url, document.TreeSize, e.Message);
        }
    }

    public static string FileName(long treeSize) => Prefix + treeSize.ToString("D20", CultureInfo.InvariantCulture) + ".json";
}

public static class AuditWitnessServices
{
    public static IServiceCollection AddAuditWitness(this IServiceCollection services)
    {
        services.AddHttpClient(nameof(AuditWitness));
        services.AddSingleton<AuditWitness>();
        return services;
    }
}
