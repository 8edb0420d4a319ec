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
    /// The events as a database reader hands them to the verifier: each column stored as UTF-8 (roles comma-joined) and
    /// copied into the verifier's batches.
    /// </summary>
    public static StoredEventReader AsStored(IEnumerable<StoredAuditEvent> events)
    {
        var source = events.GetEnumerator();
        return batch =>
        {
            while (!batch.IsFull)
            {
                if (!source.MoveNext())
                {
                    return false;
                }
                AddColumns(batch, source.Current.Record, source.Current.PreviousHash, source.Current.Hash);
            }
            return true;
        };
    }

    private static void AddColumns(StoredEventBatch batch, AuditRecord r, string previousHash, string hash)
    {
        string?[] values = [r.Actor.Oid, r.Actor.Username, string.Join(',', r.Actor.Roles), r.Actor.ApiKeyLabel, r.Action, r.EntityType, r.EntityId,
            r.Payload, r.CorrelationId, r.ClientAddress, previousHash, hash];
        batch.BeginEvent(r.Sequence, r.Timestamp);
        foreach (var value in values)
        {
            if (value is null)
            {
                batch.AddNull();
            }
            else
            {
                batch.AddColumn(Encoding.UTF8.GetBytes(value));
            }
        }
        batch.EndEvent();
    }

    public static byte[] CanonicalFromColumns(AuditRecord r, string previousHash)
    {
        var batch = new StoredEventBatch(1);
        AddColumns(batch, r, previousHash, "");
        return batch.CanonicalUtf8(0).ToArray();
    }

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
