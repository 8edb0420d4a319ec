using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

/// <summary>Required checkpoints, the exact place of a rewrite inside a checkpointed range, and the witness (issue 18).</summary>
public sealed class AuditRequirementTests : IDisposable
{
    // AuditTestData spaces events one second apart: event n is n seconds after the start.
    private const int Size = 300;

    private readonly ECDsa _key = CheckpointSigner.CreateKey();
    private readonly List<StoredAuditEvent> _original = AuditTestData.Chain(Size);

    public void Dispose() => _key.Dispose();

    // ECDSA signatures differ on every signing: sign each size once, as the portal does.
    private readonly Dictionary<int, SignedCheckpoint> _checkpoints = [];

    private SignedCheckpoint Checkpoint(int size)
    {
        if (!_checkpoints.TryGetValue(size, out var checkpoint))
        {
            _checkpoints[size] = checkpoint = AuditTestData.Checkpoint(_original, size, _key);
        }
        return checkpoint;
    }

    private byte[] Recorded(int from, int size) =>
        [.. _original.Skip(from).Take(size - from).SelectMany(e => Convert.FromHexString(e.Hash))];

    private AuditVerificationResult Verify(IEnumerable<StoredAuditEvent> events, IEnumerable<SignedCheckpoint> checkpoints, AuditVerificationOptions options)
    {
        var list = events.ToList();
        return AuditChainVerifier.Verify(list, checkpoints, list.Count, list[^1].Hash, _key, options);
    }

    // What an attacker with the database does: change one event and recompute every later hash.
    private List<StoredAuditEvent> Rewritten(int sequence)
    {
        var events = new List<StoredAuditEvent>(_original.Take(sequence - 1));
        var previous = events.Count == 0 ? AuditRecord.GenesisHash : events[^1].Hash;
        foreach (var e in _original.Skip(sequence - 1))
        {
            var record = e.Record.Sequence == sequence ? e.Record with { Action = "model.forged" } : e.Record;
            var stored = AuditTestData.Chained(record, previous);
            events.Add(stored);
            previous = stored.Hash;
        }
        return events;
    }

    [Fact]
    public void Every_checkpoint_the_rules_required_present_verifies()
    {
        var result = Verify(_original, [Checkpoint(100), Checkpoint(200), Checkpoint(300)],
            new() { Policy = new CheckpointPolicy(100, TimeSpan.FromSeconds(30)) });

        Assert.True(result.Valid, result.Reason);
    }

    [Fact]
    public void A_missing_interval_checkpoint_is_named_once_the_log_went_on_past_the_age_limit()
    {
        var checkpoints = new[] { Checkpoint(100), Checkpoint(300) };

        var required = Verify(_original, checkpoints, new() { Policy = new CheckpointPolicy(100, TimeSpan.FromSeconds(30)) });
        var notYet = Verify(_original, checkpoints, new() { Policy = new CheckpointPolicy(100, TimeSpan.FromMinutes(5)) });
        var noPolicy = Verify(_original, checkpoints, new());

        Assert.Equal((false, AuditFault.MissingCheckpoint, 200L), (required.Valid, required.Fault, required.FirstInvalidSequence));
        Assert.Equal("checkpoint at event 200: missing; one is required every 100 events and the log went on for 30 s after it", required.Reason);
        Assert.True(notYet.Valid, notYet.Reason);
        Assert.True(noPolicy.Valid, noPolicy.Reason);
    }

    [Fact]
    public void Events_left_uncovered_for_twice_the_age_limit_are_named_at_the_first_of_them()
    {
        var result = Verify(_original, [Checkpoint(120)], new() { Policy = new CheckpointPolicy(1000, TimeSpan.FromSeconds(40)) });

        Assert.Equal((false, AuditFault.MissingCheckpoint, 121L), (result.Valid, result.Fault, result.FirstInvalidSequence));
        Assert.StartsWith("checkpoint covering event 121: missing; one is required within 40 s", result.Reason);
    }

    [Fact]
    public void A_rewrite_inside_a_checkpointed_range_is_named_at_the_event_from_the_hashes_the_checkpoint_recorded()
    {
        var rewritten = Rewritten(150);
        var checkpoints = new[] { Checkpoint(100), Checkpoint(200) };
        byte[]? Recorded200(long size) => size == 200 ? Recorded(100, 200) : null;

        var located = Verify(rewritten, checkpoints, new() { RecordedHashes = Recorded200 });
        var unrecorded = Verify(rewritten, checkpoints, new());
        var forgedRecord = Verify(rewritten, checkpoints, new()
        {
            // Hashes that do not lead to the signed root are not believed: the fault stays at the checkpoint.
            RecordedHashes = size => [.. rewritten.Skip(100).Take(100).SelectMany(e => Convert.FromHexString(e.Hash)).Select((b, i) => i == 100 ? (byte)~b : b)],
        });

        Assert.Equal((AuditFault.Rewritten, 150L), (located.Fault, located.FirstInvalidSequence));
        Assert.Equal("event 150: rewritten (its hash differs from the one checkpoint 200 recorded; the chain after it was recomputed)", located.Reason);
        Assert.Equal((AuditFault.CheckpointMismatch, 200L), (unrecorded.Fault, unrecorded.FirstInvalidSequence));
        Assert.Equal((AuditFault.CheckpointMismatch, 200L), (forgedRecord.Fault, forgedRecord.FirstInvalidSequence));
    }

    [Fact]
    public void A_witnessed_checkpoint_the_database_lacks_or_holds_differently_is_a_witness_mismatch()
    {
        var witnessed = new[] { new WitnessedCheckpoint(Checkpoint(100), Recorded(0, 100), "w/100"), new WitnessedCheckpoint(Checkpoint(200), Recorded(100, 200), "w/200") };
        var resigned = CheckpointSigner.Sign(_key, 200, Checkpoint(200).RootHash, Checkpoint(200).HeadHash, AuditTestData.Start.AddDays(2));

        var lacking = Verify(_original, [Checkpoint(100)], new() { Witnessed = witnessed });
        var different = Verify(_original, [Checkpoint(100), resigned], new() { Witnessed = witnessed });
        var agreeing = Verify(_original, [Checkpoint(100), Checkpoint(200)], new() { Witnessed = witnessed });
        var rewritten = Verify(Rewritten(180), [Checkpoint(100)], new() { Witnessed = witnessed });
        var truncated = Verify(_original.Take(150), [Checkpoint(100)], new() { Witnessed = witnessed });

        Assert.Equal((AuditFault.WitnessMismatch, 200L), (lacking.Fault, lacking.FirstInvalidSequence));
        Assert.Equal("checkpoint at event 200: missing from the database, but the witness holds it (w/200)", lacking.Reason);
        Assert.Equal((AuditFault.WitnessMismatch, 200L), (different.Fault, different.FirstInvalidSequence));
        Assert.True(agreeing.Valid, agreeing.Reason);
        Assert.Equal(200, agreeing.LatestWitnessed!.TreeSize);
        Assert.Equal((AuditFault.WitnessMismatch, 180L), (rewritten.Fault, rewritten.FirstInvalidSequence));
        Assert.Equal((AuditFault.WitnessMismatch, 151L), (truncated.Fault, truncated.FirstInvalidSequence));
        Assert.Equal("event 151: missing; the witness holds a checkpoint of 200 events (w/200) but the database's log ends at 150", truncated.Reason);
    }
}
