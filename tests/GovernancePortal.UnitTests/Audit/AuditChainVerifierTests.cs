using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public abstract class AuditChainVerifierTests : IDisposable
{
    private const int Size = 300;

    private readonly ECDsa _key = CheckpointSigner.CreateKey();
    private readonly List<StoredAuditEvent> _events;
    private readonly List<StoredAuditEvent> _original;

    public AuditChainVerifierTests()
    {
        _events = AuditTestData.Chain(Size);
        _original = [.. _events];
    }

    public void Dispose() => _key.Dispose();

    private List<SignedCheckpoint> Checkpoints(params int[] sizes) =>
        sizes.Select(s => AuditTestData.Checkpoint(_events, s, _key)).ToList();

    private AuditVerificationResult Verify(
        IEnumerable<StoredAuditEvent> events, IEnumerable<SignedCheckpoint> checkpoints, long? headSequence = null)
    {
        var head = headSequence ?? Size;
        // The head row as the portal last wrote it, before any tampering.
        var headHash = head == 0 ? AuditRecord.GenesisHash : _original[(int)head - 1].Hash;
        return Run(events, checkpoints, head, headHash, _key);
    }

    /// <summary>The verifier as one of its callers feeds it: records, or canonical bytes a database reader built.</summary>
    protected abstract AuditVerificationResult Run(IEnumerable<StoredAuditEvent> events, IEnumerable<SignedCheckpoint> checkpoints, long headSequence,
        string headHash, ECDsa key);

    private static void AssertFault(AuditVerificationResult result, AuditFault fault, long sequence)
    {
        Assert.False(result.Valid, result.Reason);
        Assert.Equal(fault, result.Fault);
        Assert.Equal(sequence, result.FirstInvalidSequence);
        Assert.DoesNotContain('\n', result.Reason);
    }

    [Fact]
    public void Intact_chain_with_checkpoints_verifies()
    {
        var checkpoints = Checkpoints(1, 100, 256, 300);

        var result = Verify(_events, checkpoints);

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(Size, result.EventCount);
        Assert.Equal(Size, result.HeadSequence);
        Assert.Equal(_events[^1].Hash, result.HeadHash);
        Assert.Equal(checkpoints[^1], result.LatestCheckpoint);
        Assert.Null(result.Fault);
        Assert.Null(result.FirstInvalidSequence);
        Assert.Equal("300 events verified; hash chain intact; latest signed checkpoint covers 300 events", result.Reason);
    }

    [Fact]
    public void Checkpoints_may_be_given_in_any_order()
    {
        var checkpoints = Checkpoints(300, 5, 120);

        var result = Verify(_events, checkpoints);

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(300, result.LatestCheckpoint?.TreeSize);
    }

    [Fact]
    public void Empty_log_verifies()
    {
        var result = Run([], [], 0, AuditRecord.GenesisHash, _key);

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(0, result.EventCount);
        Assert.Equal(0, result.HeadSequence);
        Assert.Equal(AuditRecord.GenesisHash, result.HeadHash);
        Assert.Null(result.LatestCheckpoint);
    }

    [Fact]
    public void Checkpoint_of_the_empty_log_verifies()
    {
        var empty = Checkpoints(0);

        Assert.True(Run([], empty, 0, AuditRecord.GenesisHash, _key).Valid);
        Assert.True(Verify(_events, empty).Valid);
    }

    public static TheoryData<string> Alterations() => ["payload", "action", "actor", "apiKey", "roles", "timestamp", "entity", "client", "sequence-free fields"];

    [Theory]
    [MemberData(nameof(Alterations))]
    public void Altered_event_content_is_reported_at_its_sequence(string field)
    {
        const int k = 137;
        var original = _events[k - 1].Record;
        var altered = field switch
        {
            "payload" => original with { Payload = "{\"n\":0}" },
            "action" => original with { Action = "model.deleted" },
            "actor" => original with { Actor = original.Actor with { Oid = "someone-else" } },
            "apiKey" => original with { Actor = original.Actor with { ApiKeyLabel = "other-key" } },
            "roles" => original with { Actor = original.Actor with { Roles = [.. original.Actor.Roles, "Admin"] } },
            "timestamp" => original with { Timestamp = original.Timestamp.AddMicroseconds(1) },
            "entity" => original with { EntityId = "model-x" },
            "client" => original with { ClientAddress = "203.0.113.9" },
            _ => original with { CorrelationId = "forged" },
        };
        _events[k - 1] = _events[k - 1] with { Record = altered };

        var result = Verify(_events, Checkpoints(100, 200));

        AssertFault(result, AuditFault.PayloadAltered, k);
        Assert.Equal("event 137: payload altered (stored hash does not match its content)", result.Reason);
        Assert.Equal(100, result.LatestCheckpoint?.TreeSize);
        Assert.Equal(Size, result.EventCount);
    }

    [Fact]
    public void Altered_stored_hash_is_reported_as_altered_payload()
    {
        _events[9] = _events[9] with { Hash = _events[8].Hash };

        AssertFault(Verify(_events, []), AuditFault.PayloadAltered, 10);
    }

    [Fact]
    public void Altered_event_rehashed_to_hide_it_breaks_the_link_of_its_successor()
    {
        const int k = 80;
        var forged = _events[k - 1].Record with { Payload = "{\"approved\":true}" };
        _events[k - 1] = AuditTestData.Chained(forged, _events[k - 1].PreviousHash);

        var result = Verify(_events, []);

        AssertFault(result, AuditFault.LinkBroken, k + 1);
        Assert.Equal("event 81: link broken (previous hash does not match event 80's hash)", result.Reason);
    }

    [Fact]
    public void Event_chained_to_the_wrong_predecessor_is_reported_as_a_broken_link()
    {
        const int k = 42;
        _events[k - 1] = AuditTestData.Chained(_events[k - 1].Record, _events[k - 3].Hash);

        AssertFault(Verify(_events, []), AuditFault.LinkBroken, k);
    }

    [Fact]
    public void First_event_not_chained_to_genesis_is_reported_as_a_broken_link()
    {
        _events[0] = AuditTestData.Chained(_events[0].Record, new string('f', 64));

        var result = Verify(_events, []);

        AssertFault(result, AuditFault.LinkBroken, 1);
        Assert.Contains("genesis", result.Reason);
    }

    [Fact]
    public void Missing_event_is_reported_as_a_gap_at_its_sequence()
    {
        _events.RemoveAt(57 - 1);

        var result = Verify(_events, []);

        AssertFault(result, AuditFault.Gap, 57);
        Assert.Equal("event 57: missing (the next stored event is 58)", result.Reason);
        Assert.Equal(Size - 1, result.EventCount);
        Assert.Equal(Size, result.HeadSequence);
    }

    [Fact]
    public void Missing_first_event_is_reported_as_a_gap_at_one()
    {
        AssertFault(Verify(_events.Skip(1), []), AuditFault.Gap, 1);
    }

    [Fact]
    public void Repeated_event_is_reported_as_a_gap()
    {
        _events.Insert(20, _events[19]);

        AssertFault(Verify(_events, []), AuditFault.Gap, 21);
    }

    [Fact]
    public void Deleted_tail_is_truncation_against_the_head_row()
    {
        var result = Verify(_events.Take(280), Checkpoints(100, 200));

        AssertFault(result, AuditFault.Truncation, 281);
        Assert.Equal("event 281: missing; the head row records 300 events but the log ends at 280", result.Reason);
        Assert.Equal(280, result.HeadSequence);
        Assert.Equal(200, result.LatestCheckpoint?.TreeSize);
    }

    [Fact]
    public void Deleted_tail_with_a_rewound_head_row_is_truncation_against_the_signed_checkpoint()
    {
        var result = Verify(_events.Take(240), Checkpoints(100, 250), headSequence: 240);

        AssertFault(result, AuditFault.Truncation, 241);
        Assert.Contains("signed checkpoint covers 250 events", result.Reason);
        Assert.Equal(100, result.LatestCheckpoint?.TreeSize);
    }

    [Fact]
    public void Checkpoint_beyond_the_log_with_a_bad_signature_is_not_taken_as_proof_of_truncation()
    {
        var forged = Checkpoints(250)[0] with { Signature = Checkpoints(10)[0].Signature };

        var result = Verify(_events.Take(240), [forged], headSequence: 240);

        AssertFault(result, AuditFault.BadSignature, 250);
    }

    [Fact]
    public void Checkpoint_whose_root_does_not_match_the_events_is_reported_at_its_size()
    {
        var wrongRoot = Convert.ToHexStringLower(MerkleTree.Root(AuditTestData.Leaves(_events.Take(149))));
        var checkpoint = CheckpointSigner.Sign(_key, 150, wrongRoot, _events[149].Hash, AuditTestData.Start);

        var result = Verify(_events, [.. Checkpoints(100), checkpoint]);

        AssertFault(result, AuditFault.CheckpointMismatch, 150);
        Assert.Equal("checkpoint at event 150: Merkle root does not match the first 150 events", result.Reason);
        Assert.Equal(100, result.LatestCheckpoint?.TreeSize);
    }

    [Fact]
    public void Checkpoint_whose_head_hash_is_not_the_last_covered_event_is_a_mismatch()
    {
        var root = Convert.ToHexStringLower(MerkleTree.Root(AuditTestData.Leaves(_events.Take(150))));
        var checkpoint = CheckpointSigner.Sign(_key, 150, root, _events[148].Hash, AuditTestData.Start);

        AssertFault(Verify(_events, [checkpoint]), AuditFault.CheckpointMismatch, 150);
    }

    [Fact]
    public void Checkpoint_that_no_longer_matches_rewritten_history_is_a_mismatch()
    {
        // Rewrite events 50.. consistently, so only the earlier signed checkpoint notices.
        var checkpoints = Checkpoints(120);
        var rewritten = _events.Take(49).ToList();
        for (var sequence = 50; sequence <= Size; sequence++)
        {
            var record = _events[sequence - 1].Record with { EntityId = "rewritten" };
            rewritten.Add(AuditTestData.Chained(record, rewritten[^1].Hash));
        }

        var result = Run(rewritten, checkpoints, Size, rewritten[^1].Hash, _key);

        AssertFault(result, AuditFault.CheckpointMismatch, 120);
    }

    [Fact]
    public void Forged_checkpoint_signature_is_reported_at_its_size()
    {
        using var attacker = CheckpointSigner.CreateKey();
        var forged = AuditTestData.Checkpoint(_events, 200, attacker);

        var result = Verify(_events, [.. Checkpoints(100), forged, .. Checkpoints(300)]);

        AssertFault(result, AuditFault.BadSignature, 200);
        Assert.Equal("checkpoint at event 200: signature does not verify", result.Reason);
    }

    [Fact]
    public void Head_row_hash_that_differs_from_the_last_event_is_a_mismatch()
    {
        var result = Run(_events, [], Size, new string('e', 64), _key);

        AssertFault(result, AuditFault.CheckpointMismatch, Size);
    }

    [Fact]
    public void Events_beyond_the_head_row_are_a_mismatch()
    {
        var result = Verify(_events, [], headSequence: 290);

        AssertFault(result, AuditFault.CheckpointMismatch, 291);
    }

    [Fact]
    public void First_fault_by_sequence_is_reported()
    {
        using var attacker = CheckpointSigner.CreateKey();
        _events[150] = _events[150] with { Record = _events[150].Record with { Action = "x" } };
        _events.RemoveAt(250);

        var badSignature = Verify(_events, [AuditTestData.Checkpoint(_events, 100, attacker)]);
        var altered = Verify(_events, Checkpoints(100));

        AssertFault(badSignature, AuditFault.BadSignature, 100);
        AssertFault(altered, AuditFault.PayloadAltered, 151);
    }

    [Fact]
    public void Events_are_read_only_once()
    {
        var reads = 0;
        IEnumerable<StoredAuditEvent> Stream()
        {
            reads++;
            foreach (var e in _events)
            {
                yield return e;
            }
        }

        Assert.True(Verify(Stream(), Checkpoints(300)).Valid);
        Assert.Equal(1, reads);
    }

    [Fact]
    public void Long_chain_with_checkpoints_at_chunk_and_batch_boundaries_verifies()
    {
        var events = AuditTestData.Chain(5000);
        int[] sizes = [1, 2, 255, 256, 257, 511, 512, 4095, 4096, 4097, 4608, 4999, 5000, .. Enumerable.Range(1, 130).Select(i => i * 37)];
        var checkpoints = sizes.Select(s => AuditTestData.Checkpoint(events, s, _key)).ToList();

        var result = Run(events, checkpoints, 5000, events[^1].Hash, _key);

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(5000, result.EventCount);
        Assert.Equal(5000, result.LatestCheckpoint?.TreeSize);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(4600)]
    public void Faults_after_the_first_batch_are_reported_at_their_sequence(int k)
    {
        var events = AuditTestData.Chain(5000);
        var checkpoints = new[] { 4095, 4700 }.Select(s => AuditTestData.Checkpoint(events, s, _key)).ToList();
        events[k - 1] = events[k - 1] with { Record = events[k - 1].Record with { Payload = "{}" } };

        var result = Run(events, checkpoints, 5000, events[^1].Hash, _key);

        AssertFault(result, AuditFault.PayloadAltered, k);
        Assert.Equal(4095, result.LatestCheckpoint?.TreeSize);
        Assert.Equal(5000, result.EventCount);
    }

    [Fact]
    public void Checkpoint_mismatch_after_the_first_batch_is_reported_at_its_size()
    {
        var events = AuditTestData.Chain(4500);
        var good = AuditTestData.Checkpoint(events, 4352, _key);
        var bad = CheckpointSigner.Sign(_key, 4353, good.RootHash, events[4352].Hash, AuditTestData.Start);

        var result = Run(events, [good, bad], 4500, events[^1].Hash, _key);

        AssertFault(result, AuditFault.CheckpointMismatch, 4353);
        Assert.Equal(good, result.LatestCheckpoint);
    }
}

public sealed class AuditChainVerifierOnRecordsTests : AuditChainVerifierTests
{
    protected override AuditVerificationResult Run(IEnumerable<StoredAuditEvent> events, IEnumerable<SignedCheckpoint> checkpoints, long headSequence,
        string headHash, ECDsa key) => AuditChainVerifier.Verify(events, checkpoints, headSequence, headHash, key);
}

/// <summary>Every fault test again, with each event's canonical form built from its columns' UTF-8 as the SQLite reader does.</summary>
public sealed class AuditChainVerifierOnCanonicalBytesTests : AuditChainVerifierTests
{
    protected override AuditVerificationResult Run(IEnumerable<StoredAuditEvent> events, IEnumerable<SignedCheckpoint> checkpoints, long headSequence,
        string headHash, ECDsa key) =>
        AuditChainVerifier.VerifyStored(AuditTestData.AsStored(events), checkpoints, headSequence, headHash, key);
}
