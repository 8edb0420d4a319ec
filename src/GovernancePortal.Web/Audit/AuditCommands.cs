using GovernancePortal.Hosting;

namespace GovernancePortal.Audit;

/// <summary><c>audit verify</c>, <c>audit checkpoint</c> and the offline <c>audit verify-proof &lt;file&gt; [--key &lt;pem&gt;]</c>.</summary>
public static class AuditCommands
{
    /// <summary>Every event by default; with <c>--incremental</c> those after the checkpoint the latest valid verification reached.</summary>
    public static async Task<int> VerifyAsync(IServiceProvider services, bool incremental, CancellationToken cancellationToken)
    {
        var result = await services.GetRequiredService<AuditVerificationService>().VerifyAndRecordAsync(!incremental, "command line", cancellationToken);
        if (result.Valid)
        {
            var covered = result.Incremental ? $"events {result.FromSequence}–{result.HeadSequence} after checkpoint {result.FromSequence - 1}" : $"{result.EventCount} events";
            Console.WriteLine($"valid: {covered}, head {result.HeadSequence} {result.HeadHash}, "
                + (result.LatestCheckpoint is { } c ? $"latest checkpoint at {c.TreeSize}" : "no checkpoint yet"));
            return 0;
        }
        Console.WriteLine($"invalid: {result.Reason}");
        return 1;
    }

    public static async Task<int> CheckpointAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var run = await services.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true, cancellationToken);
        if (run.RefusedBecause is { } refused)
        {
            Console.Error.WriteLine($"refused: the audit log does not verify: {refused.Reason}");
            return 1;
        }
        Console.WriteLine(run.Created.Count == 0
            ? "No checkpoint needed: the latest one covers every event."
            : $"Signed checkpoint(s) at {string.Join(", ", run.Created.Select(c => c.TreeSize))}.");
        return 0;
    }

    /// <summary>
    /// Offline, with the published public key: the newer checkpoint's log extends the older one's unchanged. The
    /// checkpoint files are those the witness keeps; the proof file is what <c>GET /api/v1/audit/consistency</c> answers.
    /// </summary>
    public static int VerifyConsistency(string olderPath, string newerPath, string proofPath, string? keyPath)
    {
        if (keyPath is null)
        {
            Console.Error.WriteLine("audit verify-consistency needs the portal's public key: --key <public-key.pem>");
            return 2;
        }
        foreach (var path in new[] { olderPath, newerPath, proofPath, keyPath })
        {
            if (!File.Exists(path))
            {
                Console.WriteLine($"invalid: no file {path}");
                return 2;
            }
        }
        CheckpointDocument older, newer;
        ConsistencyProofDocument proof;
        try
        {
            older = CheckpointDocument.FromJson(File.ReadAllText(olderPath));
            newer = CheckpointDocument.FromJson(File.ReadAllText(newerPath));
            proof = ConsistencyProofDocument.FromJson(File.ReadAllText(proofPath));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            Console.WriteLine($"invalid: a file is not a checkpoint or consistency proof ({ex.Message})");
            return 1;
        }
        using var key = CheckpointSigner.LoadKeyFromPem(File.ReadAllText(keyPath));
        var (ok, reason) = ConsistencyProofDocument.Verify(older.ToSigned(), newer.ToSigned(), proof, key);
        Console.WriteLine((ok ? "valid: " : "invalid: ") + reason);
        return ok ? 0 : 1;
    }

    /// <summary>Needs neither the database nor the portal: only the proof file and, ideally, the published key.</summary>
    public static int VerifyProof(string path, string? keyPath)
    {
        if (!File.Exists(path))
        {
            Console.WriteLine($"invalid: no file {path}");
            return 2;
        }
        InclusionProofDocument document;
        try
        {
            document = InclusionProofDocument.FromJson(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            Console.WriteLine($"invalid: {path} is not an inclusion proof ({ex.Message})");
            return 1;
        }
        using var trusted = keyPath is null ? null : CheckpointSigner.LoadKeyFromPem(File.ReadAllText(keyPath));
        var (ok, reason) = InclusionProofDocument.Verify(document, trusted);
        Console.WriteLine((ok ? "valid: " : "invalid: ") + reason);
        return ok ? 0 : 1;
    }
}
