using System.Globalization;
using System.Security.Cryptography;

namespace GovernancePortal.Audit;

/// <summary>An audit event as stored: its hashed content, the predecessor hash it was chained to, and its own hash.</summary>
public sealed record StoredAuditEvent(AuditRecord Record, string PreviousHash, string Hash);

/// <summary>
/// An audit event as a database reader hands it over for verification: its columns' bytes as stored, from which the
/// verifier's workers build the canonical form (<see cref="AuditRecord.CanonicalUtf8(in AuditColumnsUtf8)"/>) and hash it.
/// </summary>
public sealed record CanonicalStoredEvent(StoredAuditColumns Columns, string PreviousHash, string Hash)
{
    public long Sequence => Columns.Sequence;
}

/// <summary>
/// One stored event's text columns as UTF-8, copied into a block the reader shares between rows: reading stays a copy,
/// and the escaping that builds the canonical form runs on the verifier's workers, in parallel.
/// </summary>
public sealed class StoredAuditColumns
{
    /// <summary>The byte columns, in this order: actor oid, username, roles (comma-joined), API key, action, entity type, entity id, payload, correlation id, client address, previous hash.</summary>
    public const int Count = 11;

    private readonly byte[] _block;
    private readonly int[] _bounds;

    /// <param name="bounds">Start and length in <paramref name="block"/> of each column, a length of -1 for NULL.</param>
    public StoredAuditColumns(long sequence, DateTimeOffset timestamp, byte[] block, int[] bounds)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(bounds);
        if (bounds.Length != 2 * Count)
        {
            throw new ArgumentException($"Give a start and a length for each of the {Count} columns.", nameof(bounds));
        }
        Sequence = sequence;
        Timestamp = timestamp;
        _block = block;
        _bounds = bounds;
    }

    public long Sequence { get; }

    public DateTimeOffset Timestamp { get; }

    public bool IsNull(int column) => _bounds[2 * column + 1] < 0;

    public ReadOnlySpan<byte> this[int column] => IsNull(column) ? default : _block.AsSpan(_bounds[2 * column], _bounds[2 * column + 1]);

    public AuditColumnsUtf8 View() => new()
    {
        Sequence = Sequence,
        Timestamp = Timestamp,
        ActorOid = this[0],
        ActorUsername = this[1],
        ActorRoles = this[2],
        ActorApiKey = this[3],
        HasActorApiKey = !IsNull(3),
        Action = this[4],
        EntityType = this[5],
        EntityId = this[6],
        Payload = this[7],
        CorrelationId = this[8],
        HasCorrelationId = !IsNull(8),
        ClientAddress = this[9],
        HasClientAddress = !IsNull(9),
        PreviousHash = this[10],
    };
}

/// <summary>What kind of tampering or damage verification found.</summary>
public enum AuditFault
{
    /// <summary>An event's stored hash does not match its content.</summary>
    PayloadAltered,

    /// <summary>An event is not chained to the hash of the event before it.</summary>
    LinkBroken,

    /// <summary>A sequence number is missing, repeated or out of order.</summary>
    Gap,

    /// <summary>Events that a signed checkpoint or the head row account for are missing from the end of the log.</summary>
    Truncation,

    /// <summary>A checkpoint's root or head hash, or the head row, disagrees with the stored events.</summary>
    CheckpointMismatch,

    /// <summary>A checkpoint's signature does not verify under the portal's public key.</summary>
    BadSignature,
}

/// <summary>The outcome of verifying the audit log.</summary>
/// <param name="Valid">True when no fault was found.</param>
/// <param name="EventCount">Number of stored events read.</param>
/// <param name="HeadSequence">Sequence of the last stored event, 0 when there are none.</param>
/// <param name="HeadHash">Stored hash of the last event, or the genesis hash when there are none.</param>
/// <param name="LatestCheckpoint">The largest checkpoint that verified before any fault was found.</param>
/// <param name="FirstInvalidSequence">The sequence at which the first fault was found.</param>
/// <param name="Fault">The kind of that fault.</param>
/// <param name="Reason">One human-readable line.</param>
public sealed record AuditVerificationResult(
    bool Valid,
    long EventCount,
    long HeadSequence,
    string HeadHash,
    SignedCheckpoint? LatestCheckpoint,
    long? FirstInvalidSequence,
    AuditFault? Fault,
    string Reason);

/// <summary>
/// Verifies the hash chain, the signed Merkle checkpoints and the head row of the audit log in one pass over its events.
/// </summary>
public static class AuditChainVerifier
{
    // Events are read in batches whose content hashes and Merkle subtrees are computed on all cores; the checks
    // themselves run in order. Chunks are perfect subtrees, so a batch never splits one.
    private const int ChunkHeight = 8;
    private const int ChunkSize = 1 << ChunkHeight;
    private const int BatchSize = 16 * ChunkSize;

    /// <summary>
    /// Verifies <paramref name="events"/> (in sequence order) against the stored checkpoints and the head row, and
    /// reports the first fault by sequence. Read the head row and the events from one snapshot, otherwise an event
    /// appended in between looks like one written behind the portal's back.
    /// </summary>
    /// <param name="events">Every stored event, ordered by sequence; enumerated once, on the calling thread, so it may stream from the database.</param>
    /// <param name="checkpoints">Every stored checkpoint, in any order.</param>
    /// <param name="headSequence">The last sequence according to the head row (0 for an empty log).</param>
    /// <param name="headHash">The last hash according to the head row.</param>
    /// <param name="publicKey">The key checkpoints are verified with.</param>
    public static AuditVerificationResult Verify(
        IEnumerable<StoredAuditEvent> events,
        IEnumerable<SignedCheckpoint> checkpoints,
        long headSequence,
        string headHash,
        ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Verify(events.Select(e => new Item(e.Record.Sequence, e.PreviousHash, e.Hash, e.Record, null)), checkpoints, headSequence, headHash, publicKey);
    }

    /// <summary>The same verification over events read as their columns' bytes (a database reader's fast path).</summary>
    public static AuditVerificationResult VerifyCanonical(
        IEnumerable<CanonicalStoredEvent> events,
        IEnumerable<SignedCheckpoint> checkpoints,
        long headSequence,
        string headHash,
        ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(events);
        return Verify(events.Select(e => new Item(e.Sequence, e.PreviousHash, e.Hash, null, e.Columns)), checkpoints, headSequence, headHash, publicKey);
    }

    // One event to verify: its content is either a record (hashed with its predecessor) or its stored columns' bytes.
    private readonly record struct Item(long Sequence, string PreviousHash, string Hash, AuditRecord? Record, StoredAuditColumns? Columns);

    private static AuditVerificationResult Verify(
        IEnumerable<Item> events,
        IEnumerable<SignedCheckpoint> checkpoints,
        long headSequence,
        string headHash,
        ECDsa publicKey)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(headHash);
        ArgumentNullException.ThrowIfNull(publicKey);

        var run = new Run(checkpoints.OrderBy(c => c.TreeSize).ToArray(), headSequence, headHash, publicKey);
        // Two batches: while one is verified on the workers, the caller's thread reads the next from the source
        // (a database reader), so reading and hashing overlap. Batches are still processed one at a time, in order.
        Item[][] batches = [new Item[BatchSize], new Item[BatchSize]];
        var filling = 0;
        var length = 0;
        var processing = Task.CompletedTask;
        try
        {
            foreach (var stored in events)
            {
                batches[filling][length++] = stored;
                if (length == BatchSize)
                {
                    processing.GetAwaiter().GetResult();
                    var full = batches[filling];
                    processing = Task.Run(() => run.Process(full, BatchSize));
                    filling ^= 1;
                    length = 0;
                }
            }
        }
        catch
        {
            // Never leave a worker running over a batch when the source throws; its own fault is the one to report.
            ((IAsyncResult)processing).AsyncWaitHandle.WaitOne();
            throw;
        }
        processing.GetAwaiter().GetResult();
        run.Process(batches[filling], length);
        return run.Finish();
    }

    private sealed class Run(SignedCheckpoint[] pending, long headSequence, string headHash, ECDsa publicKey)
    {
        private readonly CompactMerkleTree _tree = new();
        // Per event of the batch, from the workers: does the stored hash match the recomputed one.
        private readonly bool[] _hashMatches = new bool[BatchSize];
        private readonly byte[] _leaves = new byte[BatchSize * MerkleTree.HashSize];
        private readonly byte[]?[] _chunkRoots = new byte[]?[BatchSize / ChunkSize];
        private int _next;
        private long _count;
        private long _batchStart;
        private long _lastSequence;
        private string _lastHash = AuditRecord.GenesisHash;
        private string _previousHash = AuditRecord.GenesisHash;
        private SignedCheckpoint? _latest;
        private Finding? _finding;

        public void Process(Item[] batch, int length)
        {
            if (_count == 0)
            {
                // Checkpoints of the empty log come before any event.
                CheckCheckpoints(0, AuditRecord.GenesisHash);
            }
            if (_finding is not null)
            {
                // After a fault the rest is only counted, so the result still describes the whole stored log.
                for (var i = 0; i < length; i++)
                {
                    Count(batch[i]);
                }
                Array.Clear(batch, 0, length);
                return;
            }

            _batchStart = _count;
            var chunks = (length + ChunkSize - 1) / ChunkSize;
            MerkleTree.ParallelFor(chunks, c => HashChunk(batch, c * ChunkSize, Math.Min(length, (c + 1) * ChunkSize), c));

            for (var i = 0; i < length; i++)
            {
                var stored = batch[i];
                Count(stored);
                if (_finding is not null)
                {
                    continue;
                }
                _finding = CheckEvent(stored, _hashMatches[i]);
                if (_finding is not null)
                {
                    continue;
                }
                if (_count % ChunkSize == 0)
                {
                    // A whole chunk joins the tree as one node, unless a checkpoint inside it made us start on its leaves.
                    if (_tree.Size == _count - ChunkSize)
                    {
                        _tree.AppendSubtree(_chunkRoots[i / ChunkSize]!, ChunkHeight);
                    }
                    else
                    {
                        CatchUp(_count);
                    }
                }
                CheckCheckpoints(_count, stored.Hash);
            }
            Array.Clear(batch, 0, length);
        }

        public AuditVerificationResult Finish()
        {
            _finding ??= CheckEnd();
            if (_finding is { } f)
            {
                return new AuditVerificationResult(false, _count, _lastSequence, _lastHash, _latest, f.Sequence, f.Fault, f.Reason);
            }
            var reason = _latest is null
                ? $"{Events(_count)} verified; hash chain intact; no signed checkpoint yet"
                : $"{Events(_count)} verified; hash chain intact; latest signed checkpoint covers {Events(_latest.TreeSize)}";
            return new AuditVerificationResult(true, _count, _lastSequence, _lastHash, _latest, null, null, reason);
        }

        private void Count(in Item stored)
        {
            _count++;
            _lastSequence = stored.Sequence;
            _lastHash = stored.Hash;
        }

        // Runs on a worker: recompute each event's hash and its leaf, and the chunk's subtree root when it is whole.
        private void HashChunk(Item[] batch, int start, int end, int chunk)
        {
            Span<byte> raw = stackalloc byte[MerkleTree.HashSize];
            Span<char> hex = stackalloc char[2 * MerkleTree.HashSize];
            for (var i = start; i < end; i++)
            {
                if (batch[i].Record is { } record)
                {
                    record.ComputeHash(batch[i].PreviousHash, raw);
                }
                else
                {
                    Sha256.Hash(AuditRecord.CanonicalUtf8(batch[i].Columns!.View()), raw);
                }
                // Stored hashes are lowercase hex; compare as text so that any other spelling is a mismatch too.
                Convert.TryToHexStringLower(raw, hex, out _);
                _hashMatches[i] = hex.SequenceEqual(batch[i].Hash);
                MerkleTree.LeafHash(raw, _leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
            }
            if (end - start < ChunkSize)
            {
                _chunkRoots[chunk] = null;
                return;
            }
            var subtree = new CompactMerkleTree();
            for (var i = start; i < end; i++)
            {
                subtree.Append(_leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
            }
            _chunkRoots[chunk] = subtree.Root();
        }

        private Finding? CheckEvent(in Item stored, bool hashMatches)
        {
            var expected = _count;
            var sequence = stored.Sequence;
            if (sequence != expected)
            {
                return new(expected, AuditFault.Gap, sequence > expected
                    ? $"event {N(expected)}: missing (the next stored event is {N(sequence)})"
                    : $"event {N(expected)}: missing (found event {N(sequence)} in its place, repeated or out of order)");
            }
            if (!hashMatches)
            {
                return new(sequence, AuditFault.PayloadAltered, $"event {N(sequence)}: payload altered (stored hash does not match its content)");
            }
            if (!string.Equals(stored.PreviousHash, _previousHash, StringComparison.Ordinal))
            {
                return new(sequence, AuditFault.LinkBroken, sequence == 1
                    ? "event 1: link broken (previous hash is not the genesis hash)"
                    : $"event {N(sequence)}: link broken (previous hash does not match event {N(sequence - 1)}'s hash)");
            }
            if (sequence == headSequence && !string.Equals(stored.Hash, headHash, StringComparison.Ordinal))
            {
                return new(sequence, AuditFault.CheckpointMismatch, $"event {N(sequence)}: hash differs from the head row's");
            }
            if (sequence == headSequence + 1)
            {
                return new(sequence, AuditFault.CheckpointMismatch,
                    $"event {N(sequence)}: stored beyond the head row, which ends at event {N(headSequence)}");
            }
            _previousHash = stored.Hash;
            return null;
        }

        private void CheckCheckpoints(long size, string head)
        {
            while (_finding is null && _next < pending.Length && pending[_next].TreeSize <= size)
            {
                var checkpoint = pending[_next++];
                _finding = CheckCheckpoint(checkpoint, head);
                if (_finding is null)
                {
                    _latest = checkpoint;
                }
            }
        }

        private Finding? CheckCheckpoint(SignedCheckpoint checkpoint, string head)
        {
            var size = checkpoint.TreeSize;
            if (!CheckpointSigner.Verify(publicKey, checkpoint))
            {
                return new(size, AuditFault.BadSignature, $"checkpoint at event {N(size)}: signature does not verify");
            }
            if (size < 0)
            {
                return new(0, AuditFault.CheckpointMismatch, $"checkpoint at event {N(size)}: negative tree size");
            }
            CatchUp(size);
            if (!string.Equals(Convert.ToHexStringLower(_tree.Root()), checkpoint.RootHash, StringComparison.Ordinal))
            {
                return new(size, AuditFault.CheckpointMismatch,
                    $"checkpoint at event {N(size)}: Merkle root does not match the first {Events(size)}");
            }
            if (!string.Equals(head, checkpoint.HeadHash, StringComparison.Ordinal))
            {
                return new(size, AuditFault.CheckpointMismatch, $"checkpoint at event {N(size)}: head hash does not match event {N(size)}");
            }
            return null;
        }

        // A checkpoint inside a chunk needs the tree at its exact size: append that chunk's leaves one by one.
        // Earlier chunks are always complete in the tree, so the leaves needed are all in the current batch.
        private void CatchUp(long size)
        {
            while (_tree.Size < size)
            {
                var i = checked((int)(_tree.Size - _batchStart));
                _tree.Append(_leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
            }
        }

        private Finding? CheckEnd()
        {
            var missing = _count + 1;
            if (headSequence > _count)
            {
                return new(missing, AuditFault.Truncation,
                    $"event {N(missing)}: missing; the head row records {Events(headSequence)} but the log ends at {N(_count)}");
            }
            // Only a checkpoint that verifies proves events existed; one that does not is itself the fault.
            SignedCheckpoint? forged = null;
            for (var i = _next; i < pending.Length; i++)
            {
                if (CheckpointSigner.Verify(publicKey, pending[i]))
                {
                    return new(missing, AuditFault.Truncation,
                        $"event {N(missing)}: missing; a signed checkpoint covers {Events(pending[i].TreeSize)} but the log ends at {N(_count)}");
                }
                forged ??= pending[i];
            }
            return forged is null
                ? null
                : new(forged.TreeSize, AuditFault.BadSignature, $"checkpoint at event {N(forged.TreeSize)}: signature does not verify");
        }
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Events(long count) => count == 1 ? "1 event" : $"{N(count)} events";

    private readonly record struct Finding(long Sequence, AuditFault Fault, string Reason);
}
