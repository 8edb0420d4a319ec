using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

/// <summary>
/// Verification from a checkpoint verified earlier (ADR-025): only the later events are given, and the result must be the
/// one a full run gives over them. The log is longer than one batch and the start is not a multiple of a chunk, so the
/// first batch is shorter and the later ones align again.
/// </summary>
public sealed class IncrementalVerificationTests : IDisposable
{
    private const int Size = 5000;
    private const int StartSize = 300;
    private static readonly List<StoredAuditEvent> Events = AuditTestData.Chain(Size);

    private readonly ECDsa _key = CheckpointSigner.CreateKey();
    private readonly List<StoredAuditEvent> _events = [.. Events];

    public void Dispose() => _key.Dispose();

    private List<SignedCheckpoint> Checkpoints(params int[] sizes) => sizes.Select(s => AuditTestData.Checkpoint(_events, s, _key)).ToList();

    private static byte[] FrontierAt(IEnumerable<StoredAuditEvent> events, int size)
    {
        var tree = new CompactMerkleTree();
        foreach (var leaf in AuditTestData.Leaves(events.Take(size)))
        {
            tree.Append(leaf);
        }
        return tree.Frontier();
    }

    private AuditVerificationResult Incremental(IReadOnlyList<SignedCheckpoint> checkpoints, VerificationStart start, long head = Size,
        IReadOnlyList<WitnessedCheckpoint>? witnessed = null) =>
        AuditChainVerifier.VerifyStored(AuditTestData.AsStored(_events.Skip((int)start.TreeSize)), checkpoints, head,
            Events[(int)head - 1].Hash, _key, new AuditVerificationOptions { Start = start, Witnessed = witnessed ?? [] });

    private AuditVerificationResult Full(IReadOnlyList<SignedCheckpoint> checkpoints) =>
        AuditChainVerifier.VerifyStored(AuditTestData.AsStored(_events), checkpoints, Size, Events[^1].Hash, _key);

    [Fact]
    public void Only_the_events_after_the_start_are_read_and_the_outcome_is_a_full_runs()
    {
        var checkpoints = Checkpoints(100, StartSize, 1000, 4096, 4500, Size);

        var incremental = Incremental(checkpoints, new VerificationStart(StartSize, FrontierAt(_events, StartSize)));
        var full = Full(checkpoints);

        Assert.True(incremental.Valid, incremental.Reason);
        Assert.True(incremental.Incremental);
        Assert.Equal((StartSize + 1L, Size - StartSize, (long)Size), (incremental.FromSequence, incremental.EventCount, incremental.HeadSequence));
        Assert.Equal(full.LatestCheckpoint, incremental.LatestCheckpoint);
        Assert.Equal(full.LatestFrontier, incremental.LatestFrontier);
        Assert.Equal(FrontierAt(_events, Size), incremental.LatestFrontier);
        Assert.Equal($"{Size - StartSize} events after checkpoint {StartSize} verified; hash chain intact; latest signed checkpoint covers {Size} events", incremental.Reason);
    }

    [Fact]
    public void A_changed_event_after_the_start_is_named()
    {
        var checkpoints = Checkpoints(StartSize, 1000, Size);
        _events[4200] = _events[4200] with { Record = _events[4200].Record with { EntityId = "forged" } };

        var result = Incremental(checkpoints, new VerificationStart(StartSize, FrontierAt(Events, StartSize)));

        Assert.Equal((false, AuditFault.PayloadAltered, 4201L), (result.Valid, result.Fault, result.FirstInvalidSequence));
    }

    [Fact]
    public void A_changed_event_before_the_start_is_not_read_and_a_full_run_names_it()
    {
        var checkpoints = Checkpoints(StartSize, 1000, Size);
        _events[49] = _events[49] with { Record = _events[49].Record with { EntityId = "forged" } };

        var incremental = Incremental(checkpoints, new VerificationStart(StartSize, FrontierAt(Events, StartSize)));
        var full = Full(checkpoints);

        Assert.True(incremental.Valid, incremental.Reason);
        Assert.Equal((false, AuditFault.PayloadAltered, 50L), (full.Valid, full.Fault, full.FirstInvalidSequence));
    }

    [Fact]
    public void A_history_rewritten_after_the_start_is_named_at_the_event()
    {
        var checkpoints = Checkpoints(StartSize, Size);
        var rewritten = _events.Take(1000).ToList();
        var previous = rewritten[^1].Hash;
        foreach (var e in _events.Skip(1000))
        {
            var record = e.Record.Sequence == 1001 ? e.Record with { EntityId = "forged" } : e.Record;
            var chained = AuditTestData.Chained(record, previous);
            rewritten.Add(chained);
            previous = chained.Hash;
        }
        _events.Clear();
        _events.AddRange(rewritten);

        var result = AuditChainVerifier.VerifyStored(AuditTestData.AsStored(_events.Skip(StartSize)), checkpoints, Size, previous, _key,
            new AuditVerificationOptions { Start = new VerificationStart(StartSize, FrontierAt(Events, StartSize)) });

        Assert.Equal((false, AuditFault.CheckpointMismatch, (long)Size), (result.Valid, result.Fault, result.FirstInvalidSequence));
        Assert.Equal("checkpoint at event 5000: Merkle root does not match the first 5000 events", result.Reason);
    }

    [Fact]
    public void A_frontier_that_does_not_give_the_signed_root_is_refused()
    {
        var checkpoints = Checkpoints(StartSize, Size);

        var wrong = Incremental(checkpoints, new VerificationStart(StartSize, FrontierAt(_events, StartSize - 1)));
        var missing = Incremental(checkpoints, new VerificationStart(StartSize, null));

        foreach (var result in new[] { wrong, missing })
        {
            Assert.Equal((false, AuditFault.CheckpointMismatch, (long)StartSize), (result.Valid, result.Fault, result.FirstInvalidSequence));
            Assert.StartsWith("checkpoint at event 300: its stored Merkle frontier does not give its signed root", result.Reason);
        }
    }

    [Fact]
    public void A_start_checkpoint_that_has_gone_is_named()
    {
        var result = Incremental(Checkpoints(1000, Size), new VerificationStart(StartSize, FrontierAt(_events, StartSize)));

        Assert.Equal((false, AuditFault.MissingCheckpoint, (long)StartSize), (result.Valid, result.Fault, result.FirstInvalidSequence));
        Assert.Equal("checkpoint at event 300: missing; an earlier verification ended there", result.Reason);
    }

    [Fact]
    public void A_head_row_behind_the_start_is_a_truncation()
    {
        var checkpoints = Checkpoints(100, StartSize);
        _events.RemoveRange(200, Size - 200);

        var result = Incremental(checkpoints, new VerificationStart(StartSize, FrontierAt(Events, StartSize)), head: 200);

        Assert.Equal((false, AuditFault.Truncation, 201L), (result.Valid, result.Fault, result.FirstInvalidSequence));
    }

    [Fact]
    public void A_witnessed_checkpoint_before_the_start_that_the_database_lacks_is_named()
    {
        var witnessed = new WitnessedCheckpoint(AuditTestData.Checkpoint(_events, 100, _key), null, "witness/100.json");

        var result = Incremental(Checkpoints(StartSize, Size), new VerificationStart(StartSize, FrontierAt(_events, StartSize)), witnessed: [witnessed]);

        Assert.Equal((false, AuditFault.WitnessMismatch, 100L), (result.Valid, result.Fault, result.FirstInvalidSequence));
        Assert.Equal("checkpoint at event 100: missing from the database, but the witness holds it (witness/100.json)", result.Reason);
    }

    [Fact]
    public void A_frontier_round_trips_and_has_one_root_per_set_bit()
    {
        var frontier = FrontierAt(_events, 4500);

        Assert.Equal(System.Numerics.BitOperations.PopCount(4500) * MerkleTree.HashSize, frontier.Length);
        Assert.Equal(MerkleTree.Root(AuditTestData.Leaves(_events.Take(4500))), CompactMerkleTree.FromFrontier(4500, frontier)!.Root());
        Assert.Null(CompactMerkleTree.FromFrontier(4501, frontier));
    }
}
