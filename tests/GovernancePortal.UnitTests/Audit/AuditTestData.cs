using System.Text;
using System.Globalization;
using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

/// <summary>Builds correctly chained audit events and checkpoints for tests.</summary>
internal static class AuditTestData
{
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static List<StoredAuditEvent> Chain(int count)
    {
        var events = new List<StoredAuditEvent>(count);
        var previous = AuditRecord.GenesisHash;
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var stored = Chained(Record(sequence), previous);
            events.Add(stored);
            previous = stored.Hash;
        }
        return events;
    }

    public static AuditRecord Record(long sequence)
    {
        // Vary the actor shape so both canonical forms (with and without an API key) are covered.
        var actor = sequence % 3 == 0
            ? new AuditActor($"oid-{sequence % 7}", "ci.pipeline", ["ModelOwner"], "nightly-build")
            : new AuditActor($"oid-{sequence % 5}", $"user{sequence % 5}@example.org", ["Viewer", "Auditor"]);
        var n = sequence.ToString(CultureInfo.InvariantCulture);
        return new AuditRecord(
            sequence,
            Start.AddSeconds(sequence).AddTicks(sequence * 10),
            actor,
            sequence % 2 == 0 ? "model.updated" : "model.viewed",
            "Model",
            $"model-{sequence % 11}",
            $"{{\"n\":{n},\"note\":\"é€ {n}\"}}",
            sequence % 4 == 0 ? null : $"corr-{n}",
            sequence % 5 == 0 ? null : "10.0.0.7");
    }

    public static StoredAuditEvent Chained(AuditRecord record, string previousHash) =>
        new(record, previousHash, record.ComputeHash(previousHash));

    /// <summary>
    /// The event as a database reader hands it to the verifier: each column stored as UTF-8 (roles comma-joined) and
    /// copied into a block of its own.
    /// </summary>
    public static CanonicalStoredEvent AsCanonical(StoredAuditEvent e) => new(Columns(e.Record, e.PreviousHash), e.PreviousHash, e.Hash);

    public static StoredAuditColumns Columns(AuditRecord r, string previousHash)
    {
        string?[] values = [r.Actor.Oid, r.Actor.Username, string.Join(',', r.Actor.Roles), r.Actor.ApiKeyLabel, r.Action, r.EntityType, r.EntityId,
            r.Payload, r.CorrelationId, r.ClientAddress, previousHash];
        var block = new List<byte>();
        var bounds = new int[2 * StoredAuditColumns.Count];
        for (var c = 0; c < values.Length; c++)
        {
            var bytes = values[c] is { } v ? Encoding.UTF8.GetBytes(v) : [];
            bounds[2 * c] = block.Count;
            bounds[2 * c + 1] = values[c] is null ? -1 : bytes.Length;
            block.AddRange(bytes);
        }
        return new StoredAuditColumns(r.Sequence, r.Timestamp, [.. block], bounds);
    }

    public static byte[] CanonicalFromColumns(AuditRecord r, string previousHash) => AuditRecord.CanonicalUtf8(Columns(r, previousHash).View()).ToArray();

    public static List<byte[]> Leaves(IEnumerable<StoredAuditEvent> events) =>
        events.Select(e => MerkleTree.EventLeafHash(e.Hash)).ToList();

    public static SignedCheckpoint Checkpoint(IReadOnlyList<StoredAuditEvent> events, int size, ECDsa key)
    {
        var root = Convert.ToHexStringLower(MerkleTree.Root(Leaves(events.Take(size))));
        var head = size == 0 ? AuditRecord.GenesisHash : events[size - 1].Hash;
        return CheckpointSigner.Sign(key, size, root, head, Start.AddDays(1).AddSeconds(size));
    }

    public static List<byte[]> RandomLeaves(int count, int seed)
    {
        var random = new Random(seed);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var data = new byte[1 + random.Next(40)];
            random.NextBytes(data);
            leaves.Add(MerkleTree.LeafHash(data));
        }
        return leaves;
    }
}
