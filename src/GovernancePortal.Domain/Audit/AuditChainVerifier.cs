using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;

namespace GovernancePortal.Audit;

/// <summary>An audit event as stored: its hashed content, the predecessor hash it was chained to, and its own hash.</summary>
public sealed record StoredAuditEvent(AuditRecord Record, string PreviousHash, string Hash);

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

    /// <summary>A checkpoint that the interval or age rule required is absent.</summary>
    MissingCheckpoint,

    /// <summary>An event differs from the hash a signed checkpoint recorded for it; the chain after it was recomputed.</summary>
    Rewritten,

    /// <summary>The database disagrees with the witness: a witnessed checkpoint is missing or different, or the log ends before it.</summary>
    WitnessMismatch,
}

/// <summary>
/// When checkpoints are due: at every multiple of <paramref name="MaxEvents"/>, and covering every event once
/// <paramref name="MaxAge"/> has passed. The log itself is the clock: a checkpoint counts as required once the log holds
/// an event later than the due time plus <paramref name="MaxAge"/> (one more period for the job that cuts it).
/// </summary>
public sealed record CheckpointPolicy(long MaxEvents, TimeSpan MaxAge);

/// <summary>A checkpoint as published to the witness, with the event hashes it recorded (raw 32 bytes each, the events after the previous checkpoint).</summary>
public sealed record WitnessedCheckpoint(SignedCheckpoint Checkpoint, byte[]? EventHashes, string Source);

/// <summary>
/// Where an incremental verification starts: a stored checkpoint verified earlier, with the compact Merkle tree at its
/// size (its frontier, <see cref="CompactMerkleTree.Frontier"/>), which must fold to the checkpoint's signed root.
/// </summary>
public sealed record VerificationStart(long TreeSize, byte[]? Frontier);

/// <summary>What verification checks beyond the chain and the stored checkpoints.</summary>
public sealed class AuditVerificationOptions
{
    /// <summary>
    /// When set, only the events after this checkpoint are given and verified, against it and the later checkpoints;
    /// the stored checkpoints before it are not checked again, the witnessed ones only against the database's.
    /// </summary>
    public VerificationStart? Start { get; init; }

    /// <summary>When set, a checkpoint the policy required but the database lacks is a fault.</summary>
    public CheckpointPolicy? Policy { get; init; }

    /// <summary>
    /// The event hashes a stored checkpoint recorded (raw 32 bytes each, ending at its tree size), or null. Called only
    /// after every event was read, to name the first rewritten event inside a checkpointed range.
    /// </summary>
    public Func<long, byte[]?>? RecordedHashes { get; init; }

    /// <summary>Checkpoints read from the witness, outside the database.</summary>
    public IReadOnlyList<WitnessedCheckpoint> Witnessed { get; init; } = [];
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
/// <param name="LatestWitnessed">The largest checkpoint the witness holds, when a witness was read.</param>
/// <param name="FromSequence">The first event verified: 1, or the one after the checkpoint an incremental run started from.</param>
/// <param name="LatestFrontier">The compact Merkle tree at <paramref name="LatestCheckpoint"/>'s size.</param>
public sealed record AuditVerificationResult(
    bool Valid,
    long EventCount,
    long HeadSequence,
    string HeadHash,
    SignedCheckpoint? LatestCheckpoint,
    long? FirstInvalidSequence,
    AuditFault? Fault,
    string Reason,
    SignedCheckpoint? LatestWitnessed = null,
    long FromSequence = 1,
    byte[]? LatestFrontier = null)
{
    /// <summary>True when the run began after a checkpoint verified earlier instead of at the first event.</summary>
    public bool Incremental => FromSequence > 1;
}

/// <summary>
/// Verifies the hash chain, the signed Merkle checkpoints and the head row of the audit log in one pass over its events.
/// </summary>
public static class AuditChainVerifier
{
    // Events are read in batches; a batch's content hashes, Merkle leaves and chunk subtrees are computed by one worker,
    // while the reader fills the next batches and other workers hash theirs; the checks themselves run in order.
    // Chunks are perfect subtrees, so a batch never splits one.
    private const int ChunkHeight = 8;
    private const int ChunkSize = 1 << ChunkHeight;
    private const int BatchSize = StoredEventBatch.DefaultCapacity;

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
        ECDsa publicKey,
        AuditVerificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        using var source = events.GetEnumerator();
        return VerifyStored(batch =>
        {
            while (!batch.IsFull)
            {
                if (!source.MoveNext())
                {
                    return false;
                }
                batch.Add(source.Current.Record, source.Current.PreviousHash, source.Current.Hash);
            }
            return true;
        }, checkpoints, headSequence, headHash, publicKey, options);
    }

    /// <summary>
    /// The same verification over events a database reader copies into batches as their columns' bytes
    /// (<see cref="StoredEventBatch"/>). <paramref name="read"/> runs on the calling thread only, one batch after
    /// another, and never waits for hashing: the verifier's workers hash the batches already read meanwhile, and a few
    /// batches are reused throughout, so memory does not grow with the log.
    /// </summary>
    public static AuditVerificationResult VerifyStored(
        StoredEventReader read,
        IEnumerable<SignedCheckpoint> checkpoints,
        long headSequence,
        string headHash,
        ECDsa publicKey,
        AuditVerificationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(headHash);
        ArgumentNullException.ThrowIfNull(publicKey);
        options ??= new AuditVerificationOptions();

        var (pending, witnessFault) = Merge(checkpoints, options.Witnessed, publicKey);
        var run = new Run(pending, headSequence, headHash, publicKey, options, witnessFault);
        // After a start inside a batch the first batch is shorter, so that every later one begins at a multiple of
        // BatchSize and its chunks are whole subtrees of the log's tree.
        var first = BatchSize - (int)(run.Position % BatchSize);
        new VerificationPipeline(run).Run(read, first);
        // Checkpoints of an empty log, and what is left to check at the end, come after every batch.
        run.Check(new StoredEventBatch(1));
        return run.Finish();
    }

    /// <summary>
    /// The reader (the calling thread) fills free batches and queues them; one worker per core hashes whichever batch is
    /// queued next; the worker that completes the oldest batch still unchecked checks it, and every later batch already
    /// hashed, in order, and hands them back to the reader. A fault on a worker stops the reader at its next batch.
    /// </summary>
    private sealed class VerificationPipeline(Run run)
    {
        private readonly int _workers = Math.Max(1, Environment.ProcessorCount);
        private readonly BlockingCollection<StoredEventBatch> _toHash = new();
        private readonly Queue<StoredEventBatch> _unchecked = new();
        private readonly CancellationTokenSource _failed = new();
        private BlockingCollection<StoredEventBatch> _free = null!;
        private Exception? _error;

        public void Run(StoredEventReader read, int firstLimit)
        {
            // Enough batches for every worker to hash one while the reader fills more and the ordered check catches up;
            // made as needed, so a short log takes one.
            var batches = 2 * _workers + 2;
            var made = 0;
            _free = new BlockingCollection<StoredEventBatch>(batches);
            var threads = new Thread[_workers];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(Work) { IsBackground = true, Name = "audit-verify" };
                threads[i].Start();
            }
            try
            {
                var limit = firstLimit;
                var more = true;
                while (more)
                {
                    if (!_free.TryTake(out var batch))
                    {
                        batch = made++ < batches ? new StoredEventBatch(BatchSize) : _free.Take(_failed.Token);
                    }
                    batch.Reset(limit);
                    limit = BatchSize;
                    more = read(batch);
                    if (batch.Count == 0)
                    {
                        break;
                    }
                    lock (_unchecked)
                    {
                        _unchecked.Enqueue(batch);
                    }
                    _toHash.Add(batch);
                }
            }
            catch (OperationCanceledException) when (_failed.IsCancellationRequested)
            {
                // A worker failed; its exception is the one to report, below.
            }
            finally
            {
                // Never leave a worker running over a batch when the reader throws; its own fault is the one to report.
                _toHash.CompleteAdding();
                foreach (var thread in threads)
                {
                    thread.Join();
                }
                _failed.Dispose();
            }
            if (_error is not null)
            {
                ExceptionDispatchInfo.Throw(_error);
            }
        }

        private void Work()
        {
            foreach (var batch in _toHash.GetConsumingEnumerable())
            {
                if (Volatile.Read(ref _error) is not null)
                {
                    continue;
                }
                try
                {
                    run.Hash(batch);
                    batch.Hashed = true;
                    CheckInOrder();
                }
                catch (Exception e)
                {
                    if (Interlocked.CompareExchange(ref _error, e, null) is null)
                    {
                        _failed.Cancel();
                    }
                }
            }
        }

        // Whoever holds the lock checks every batch at the front that is hashed; a batch hashed out of order waits there
        // for the worker that completes the one before it.
        private void CheckInOrder()
        {
            lock (_unchecked)
            {
                while (_unchecked.TryPeek(out var next) && next.Hashed)
                {
                    _unchecked.Dequeue();
                    run.Check(next);
                    _free.Add(next);
                }
            }
        }
    }

    // A checkpoint to check against the events: stored in the database, witnessed outside it, or both.
    private sealed record Pending(SignedCheckpoint Checkpoint, bool Stored, WitnessedCheckpoint? Witness)
    {
        public long TreeSize => Checkpoint.TreeSize;
    }

    // The stored checkpoints with the witnessed ones beside them. A witnessed checkpoint that the database holds
    // differently is a fault at once; one it lacks is checked against the events like any other, and reported as missing.
    private static (Pending[] Pending, Finding? Fault) Merge(IEnumerable<SignedCheckpoint> stored, IReadOnlyList<WitnessedCheckpoint> witnessed, ECDsa publicKey)
    {
        var bySize = new SortedDictionary<long, Pending>();
        foreach (var checkpoint in stored)
        {
            bySize[checkpoint.TreeSize] = new Pending(checkpoint, true, null);
        }
        Finding? fault = null;
        foreach (var w in witnessed.OrderBy(w => w.Checkpoint.TreeSize))
        {
            var size = w.Checkpoint.TreeSize;
            if (!bySize.TryGetValue(size, out var existing))
            {
                bySize[size] = new Pending(w.Checkpoint, false, w);
            }
            else if (existing.Stored && existing.Checkpoint == w.Checkpoint)
            {
                bySize[size] = existing with { Witness = w };
            }
            else if (fault is null && CheckpointSigner.Verify(publicKey, w.Checkpoint))
            {
                fault = new(size, AuditFault.WitnessMismatch,
                    $"checkpoint at event {N(size)}: differs from the one the witness holds ({w.Source})");
            }
        }
        return (bySize.Values.ToArray(), fault);
    }

    private sealed class Run
    {
        // Stored hashes kept since the last verified checkpoint, to name a rewritten event; longer ranges are not located.
        private const int MaxLocatable = 1 << 18;

        private readonly Pending[] pending;
        private readonly long headSequence;
        private readonly byte[] headHash;
        private readonly ECDsa publicKey;
        private readonly AuditVerificationOptions _options;
        private readonly HashSet<long> _sizes;
        private readonly long _largestSize;
        private readonly Queue<(long Sequence, DateTimeOffset At)> _due = new();
        private (long Sequence, DateTimeOffset At)? _firstUncovered;
        private byte[] _since = new byte[64 * MerkleTree.HashSize];
        private long _sinceCount;
        private CompactMerkleTree _verifiedTree = new();
        private Mismatch? _mismatch;
        private CompactMerkleTree _tree = new();
        private long _startSequence;
        private int _next;
        private long _count;
        private long _batchStart;
        // The batch being checked, whose leaves a checkpoint inside a chunk catches up from.
        private StoredEventBatch? _batch;
        // Set once a fault is found: the workers stop hashing, the rest is only counted.
        private volatile bool _faulted;
        private long _lastSequence;
        private string _lastHash = AuditRecord.GenesisHash;
        // The stored hash (UTF-8) of the last event checked, which the next event must name as its predecessor.
        private byte[] _previousHash = Encoding.UTF8.GetBytes(AuditRecord.GenesisHash);
        private SignedCheckpoint? _latest;
        private Finding? _finding;
        private Finding? _missingFromDatabase;

        public Run(Pending[] pending, long headSequence, string headHash, ECDsa publicKey, AuditVerificationOptions options, Finding? witnessFault)
        {
            this.pending = pending;
            this.headSequence = headSequence;
            this.headHash = Encoding.UTF8.GetBytes(headHash);
            this.publicKey = publicKey;
            _options = options;
            _finding = witnessFault;
            _sizes = pending.Select(p => p.TreeSize).ToHashSet();
            _largestSize = pending.Length == 0 ? 0 : pending[^1].TreeSize;
            if (options.Start is { } start)
            {
                StartAt(start);
            }
        }

        /// <summary>Events counted so far, including those before an incremental start.</summary>
        public long Position => _count;

        // An incremental run: the state a full run had right after verifying the start checkpoint, rebuilt from the
        // checkpoint and its frontier. The checkpoints before it are settled; witnessed ones the database lacks are faults.
        private void StartAt(VerificationStart start)
        {
            _count = _lastSequence = _startSequence = start.TreeSize;
            var index = Array.FindIndex(pending, p => p.TreeSize == start.TreeSize && p.Stored);
            if (index < 0)
            {
                _finding ??= new(start.TreeSize, AuditFault.MissingCheckpoint,
                    $"checkpoint at event {N(start.TreeSize)}: missing; an earlier verification ended there");
                _next = pending.Length;
                return;
            }
            var checkpoint = pending[index];
            _next = index + 1;
            var tree = start.Frontier is { } frontier ? CompactMerkleTree.FromFrontier(start.TreeSize, frontier) : null;
            if (!CheckpointSigner.Verify(publicKey, checkpoint.Checkpoint))
            {
                _finding ??= new(start.TreeSize, AuditFault.BadSignature, $"{Label(checkpoint)}: signature does not verify");
            }
            else if (tree is null || !string.Equals(Convert.ToHexStringLower(tree.Root()), checkpoint.Checkpoint.RootHash, StringComparison.Ordinal))
            {
                _finding ??= new(start.TreeSize, AuditFault.CheckpointMismatch,
                    $"{Label(checkpoint)}: its stored Merkle frontier does not give its signed root; verify the whole log");
            }
            if (_finding is not null)
            {
                return;
            }
            _tree = tree!;
            _verifiedTree = tree!.Clone();
            _latest = checkpoint.Checkpoint;
            _lastHash = checkpoint.Checkpoint.HeadHash;
            _previousHash = Encoding.UTF8.GetBytes(_lastHash);
            if (headSequence < start.TreeSize)
            {
                _finding = new(headSequence + 1, AuditFault.Truncation,
                    $"event {N(headSequence + 1)}: missing; the head row records {Events(headSequence)} but checkpoint {N(start.TreeSize)} was verified earlier");
            }
            for (var i = 0; i < index && _finding is null; i++)
            {
                if (!pending[i].Stored)
                {
                    _finding = new(pending[i].TreeSize, AuditFault.WitnessMismatch,
                        $"checkpoint at event {N(pending[i].TreeSize)}: missing from the database, but the witness holds it ({pending[i].Witness!.Source})");
                }
            }
        }

        // A checkpoint whose root did not match, with what is needed to find the first event it recorded differently.
        private sealed record Mismatch(Pending Checkpoint, long From, CompactMerkleTree TreeAtFrom, byte[]? StoredHashes);

        /// <summary>Runs on a worker: each event's content hash, whether it matches the stored one, its leaf, and the chunks' subtree roots.</summary>
        public void Hash(StoredEventBatch batch)
        {
            if (_faulted)
            {
                return;
            }
            var chunks = (batch.Count + ChunkSize - 1) / ChunkSize;
            if (batch.ChunkRoots.Length < chunks)
            {
                batch.ChunkRoots = new byte[]?[BatchSize / ChunkSize];
            }
            for (var c = 0; c < chunks; c++)
            {
                HashChunk(batch, c * ChunkSize, Math.Min(batch.Count, (c + 1) * ChunkSize), c);
            }
        }

        /// <summary>Runs in order, one batch at a time, after <see cref="Hash"/>: the chain, the tree, the checkpoints and the policy.</summary>
        public void Check(StoredEventBatch batch)
        {
            if (_count == 0)
            {
                // Checkpoints of the empty log come before any event.
                CheckCheckpoints(0, GenesisUtf8);
            }
            var length = batch.Count;
            if (_finding is not null)
            {
                // After a fault the rest is only counted, so the result still describes the whole stored log.
                _faulted = true;
                for (var i = 0; i < length; i++)
                {
                    Count(batch, i);
                }
                KeepLast(batch);
                return;
            }

            _batchStart = _count;
            _batch = batch;
            for (var i = 0; i < length; i++)
            {
                Count(batch, i);
                if (_finding is not null)
                {
                    continue;
                }
                _finding = CheckEvent(batch, i);
                if (_finding is not null)
                {
                    continue;
                }
                if (_count % ChunkSize == 0)
                {
                    // A whole chunk joins the tree as one node, unless a checkpoint inside it made us start on its leaves.
                    if (_tree.Size == _count - ChunkSize && _batchStart % ChunkSize == 0)
                    {
                        _tree.AppendSubtree(batch.ChunkRoots[i / ChunkSize]!, ChunkHeight);
                    }
                    else
                    {
                        CatchUp(_count);
                    }
                }
                Keep(batch.Raws.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
                CheckCheckpoints(_count, batch.Hash(i));
                if (_finding is null && _options.Policy is { } policy)
                {
                    _finding = CheckRequired(policy, batch.Timestamp(i));
                }
            }
            _faulted = _finding is not null;
            KeepLast(batch);
            _batch = null;
        }

        // The batch goes back to the reader: keep what the next batch and the result need of its last event.
        private void KeepLast(StoredEventBatch batch)
        {
            if (batch.Count == 0)
            {
                return;
            }
            var last = batch.Hash(batch.Count - 1);
            _lastHash = Encoding.UTF8.GetString(last);
            _previousHash = last.ToArray();
        }

        // The stored hash of each event since the last verified checkpoint (equal to the recomputed one once checked).
        private void Keep(ReadOnlySpan<byte> raw)
        {
            if (_sinceCount < 0)
            {
                return;
            }
            if (_sinceCount == MaxLocatable)
            {
                _sinceCount = -1;
                return;
            }
            var offset = checked((int)_sinceCount * MerkleTree.HashSize);
            if (offset + MerkleTree.HashSize > _since.Length)
            {
                Array.Resize(ref _since, 2 * _since.Length);
            }
            raw.CopyTo(_since.AsSpan(offset));
            _sinceCount++;
        }

        // The log is the clock: a checkpoint is required once an event later than its due time plus the age limit exists.
        private Finding? CheckRequired(CheckpointPolicy policy, DateTimeOffset at)
        {
            if (_due.TryPeek(out var due) && at - due.At >= policy.MaxAge)
            {
                return new(due.Sequence, AuditFault.MissingCheckpoint,
                    $"checkpoint at event {N(due.Sequence)}: missing; one is required every {Events(policy.MaxEvents)} and the log went on for {Age(at - due.At)} after it");
            }
            if (policy.MaxEvents > 0 && _count % policy.MaxEvents == 0 && !_sizes.Contains(_count))
            {
                _due.Enqueue((_count, at));
            }
            if (_count > _largestSize)
            {
                _firstUncovered ??= (_count, at);
                if (at - _firstUncovered.Value.At >= 2 * policy.MaxAge)
                {
                    var first = _firstUncovered.Value.Sequence;
                    return new(first, AuditFault.MissingCheckpoint,
                        $"checkpoint covering event {N(first)}: missing; one is required within {Age(policy.MaxAge)} and the log went on for {Age(at - _firstUncovered.Value.At)} after it");
                }
            }
            return null;
        }

        public AuditVerificationResult Finish()
        {
            _finding ??= CheckEnd() ?? _missingFromDatabase;
            if (_mismatch is not null && _finding is { } found && found.Sequence == _mismatch.Checkpoint.TreeSize)
            {
                _finding = Locate(_mismatch) ?? found;
            }
            var witnessed = _options.Witnessed.Count == 0 ? null : _options.Witnessed.MaxBy(w => w.Checkpoint.TreeSize)!.Checkpoint;
            var read = _count - _startSequence;
            var from = _startSequence + 1;
            if (_finding is { } f)
            {
                return new AuditVerificationResult(false, read, _lastSequence, _lastHash, _latest, f.Sequence, f.Fault, f.Reason, witnessed, from);
            }
            var verified = _startSequence == 0
                ? $"{Events(read)} verified"
                : $"{Events(read)} after checkpoint {N(_startSequence)} verified";
            var reason = _latest is null
                ? $"{verified}; hash chain intact; no signed checkpoint yet"
                : $"{verified}; hash chain intact; latest signed checkpoint covers {Events(_latest.TreeSize)}";
            return new AuditVerificationResult(true, read, _lastSequence, _lastHash, _latest, null, null, reason, witnessed, from, _verifiedTree.Frontier());
        }

        // The checkpoint recorded the hashes of the events it added; once they are shown to be the ones it signed, the
        // first that differs from the stored chain is the rewritten event.
        private Finding? Locate(Mismatch mismatch)
        {
            var checkpoint = mismatch.Checkpoint;
            var size = checkpoint.TreeSize;
            var recorded = checkpoint.Witness?.EventHashes ?? (checkpoint.Stored ? _options.RecordedHashes?.Invoke(size) : null);
            var stored = mismatch.StoredHashes;
            if (recorded is null || stored is null || recorded.Length % MerkleTree.HashSize != 0
                || size - recorded.Length / MerkleTree.HashSize != mismatch.From || stored.Length != recorded.Length || recorded.Length == 0)
            {
                return null;
            }
            var tree = mismatch.TreeAtFrom;
            Span<byte> leaf = stackalloc byte[MerkleTree.HashSize];
            for (var offset = 0; offset < recorded.Length; offset += MerkleTree.HashSize)
            {
                MerkleTree.LeafHash(recorded.AsSpan(offset, MerkleTree.HashSize), leaf);
                tree.Append(leaf);
            }
            var last = Convert.ToHexStringLower(recorded.AsSpan(recorded.Length - MerkleTree.HashSize));
            if (Convert.ToHexStringLower(tree.Root()) != checkpoint.Checkpoint.RootHash || last != checkpoint.Checkpoint.HeadHash)
            {
                return null;
            }
            for (var i = 0; i < recorded.Length / MerkleTree.HashSize; i++)
            {
                if (!recorded.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize).SequenceEqual(stored.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize)))
                {
                    var sequence = mismatch.From + 1 + i;
                    return checkpoint.Stored
                        ? new(sequence, AuditFault.Rewritten,
                            $"event {N(sequence)}: rewritten (its hash differs from the one checkpoint {N(size)} recorded; the chain after it was recomputed)")
                        : new(sequence, AuditFault.WitnessMismatch,
                            $"event {N(sequence)}: rewritten (its hash differs from the one witnessed checkpoint {N(size)} recorded in {checkpoint.Witness!.Source}; that checkpoint is missing from the database)");
                }
            }
            return null;
        }

        private void Count(StoredEventBatch batch, int index)
        {
            _count++;
            _lastSequence = batch.Sequence(index);
        }

        // Recompute each event's hash and its leaf, and the chunk's subtree root when it is whole.
        private static void HashChunk(StoredEventBatch batch, int start, int end, int chunk)
        {
            Span<byte> raw = stackalloc byte[MerkleTree.HashSize];
            Span<byte> hex = stackalloc byte[2 * MerkleTree.HashSize];
            for (var i = start; i < end; i++)
            {
                Sha256.Hash(batch.CanonicalUtf8(i), raw);
                // Stored hashes are lowercase hex; compare as text so that any other spelling is a mismatch too.
                Convert.TryToHexStringLower(raw, hex, out _);
                batch.HashMatches[i] = hex.SequenceEqual(batch.Hash(i));
                raw.CopyTo(batch.Raws.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
                MerkleTree.LeafHash(raw, batch.Leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
            }
            if (end - start < ChunkSize)
            {
                batch.ChunkRoots[chunk] = null;
                return;
            }
            var subtree = new CompactMerkleTree();
            for (var i = start; i < end; i++)
            {
                subtree.Append(batch.Leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
            }
            batch.ChunkRoots[chunk] = subtree.Root();
        }

        private Finding? CheckEvent(StoredEventBatch batch, int index)
        {
            var expected = _count;
            var sequence = batch.Sequence(index);
            if (sequence != expected)
            {
                return new(expected, AuditFault.Gap, sequence > expected
                    ? $"event {N(expected)}: missing (the next stored event is {N(sequence)})"
                    : $"event {N(expected)}: missing (found event {N(sequence)} in its place, repeated or out of order)");
            }
            if (!batch.HashMatches[index])
            {
                return new(sequence, AuditFault.PayloadAltered, $"event {N(sequence)}: payload altered (stored hash does not match its content)");
            }
            // The predecessor is the event before in this batch, or the last of the batch before.
            var previous = index == 0 ? _previousHash : batch.Hash(index - 1);
            if (!batch.PreviousHash(index).SequenceEqual(previous))
            {
                return new(sequence, AuditFault.LinkBroken, sequence == 1
                    ? "event 1: link broken (previous hash is not the genesis hash)"
                    : $"event {N(sequence)}: link broken (previous hash does not match event {N(sequence - 1)}'s hash)");
            }
            if (sequence == headSequence && !batch.Hash(index).SequenceEqual(headHash))
            {
                return new(sequence, AuditFault.CheckpointMismatch, $"event {N(sequence)}: hash differs from the head row's");
            }
            if (sequence == headSequence + 1)
            {
                return new(sequence, AuditFault.CheckpointMismatch,
                    $"event {N(sequence)}: stored beyond the head row, which ends at event {N(headSequence)}");
            }
            return null;
        }

        private void CheckCheckpoints(long size, ReadOnlySpan<byte> head)
        {
            while (_finding is null && _next < pending.Length && pending[_next].TreeSize <= size)
            {
                var checkpoint = pending[_next++];
                _finding = CheckCheckpoint(checkpoint, head);
                if (_finding is null && !checkpoint.Stored)
                {
                    // Reported unless a later fault says more (a rewrite the witnessed checkpoints locate, a truncation).
                    _missingFromDatabase ??= new(checkpoint.TreeSize, AuditFault.WitnessMismatch,
                        $"checkpoint at event {N(checkpoint.TreeSize)}: missing from the database, but the witness holds it ({checkpoint.Witness!.Source})");
                }
                if (_finding is null)
                {
                    _latest = checkpoint.Checkpoint;
                    _verifiedTree = _tree.Clone();
                    _sinceCount = 0;
                }
            }
        }

        private Finding? CheckCheckpoint(Pending pendingCheckpoint, ReadOnlySpan<byte> head)
        {
            var checkpoint = pendingCheckpoint.Checkpoint;
            var size = checkpoint.TreeSize;
            var label = Label(pendingCheckpoint);
            if (!CheckpointSigner.Verify(publicKey, checkpoint))
            {
                return new(size, AuditFault.BadSignature, $"{label}: signature does not verify");
            }
            if (size < 0)
            {
                return new(0, AuditFault.CheckpointMismatch, $"{label}: negative tree size");
            }
            CatchUp(size);
            if (!string.Equals(Convert.ToHexStringLower(_tree.Root()), checkpoint.RootHash, StringComparison.Ordinal))
            {
                var from = _latest?.TreeSize ?? 0;
                _mismatch = new Mismatch(pendingCheckpoint, from, _verifiedTree.Clone(),
                    _sinceCount == size - from ? _since.AsSpan(0, checked((int)_sinceCount * MerkleTree.HashSize)).ToArray() : null);
                return new(size, pendingCheckpoint.Stored ? AuditFault.CheckpointMismatch : AuditFault.WitnessMismatch,
                    $"{label}: Merkle root does not match the first {Events(size)}");
            }
            if (!string.Equals(Encoding.UTF8.GetString(head), checkpoint.HeadHash, StringComparison.Ordinal))
            {
                return new(size, pendingCheckpoint.Stored ? AuditFault.CheckpointMismatch : AuditFault.WitnessMismatch,
                    $"{label}: head hash does not match event {N(size)}");
            }
            return null;
        }

        private static string Label(Pending checkpoint) => checkpoint.Stored
            ? $"checkpoint at event {N(checkpoint.TreeSize)}"
            : $"witnessed checkpoint at event {N(checkpoint.TreeSize)} ({checkpoint.Witness!.Source}; missing from the database)";

        // A checkpoint inside a chunk needs the tree at its exact size: append that chunk's leaves one by one.
        // Earlier chunks are always complete in the tree, so the leaves needed are all in the current batch.
        private void CatchUp(long size)
        {
            while (_tree.Size < size)
            {
                var i = checked((int)(_tree.Size - _batchStart));
                _tree.Append(_batch!.Leaves.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
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
            Pending? forged = null;
            for (var i = _next; i < pending.Length; i++)
            {
                if (CheckpointSigner.Verify(publicKey, pending[i].Checkpoint))
                {
                    return pending[i].Stored
                        ? new(missing, AuditFault.Truncation,
                            $"event {N(missing)}: missing; a signed checkpoint covers {Events(pending[i].TreeSize)} but the log ends at {N(_count)}")
                        : new(missing, AuditFault.WitnessMismatch,
                            $"event {N(missing)}: missing; the witness holds a checkpoint of {Events(pending[i].TreeSize)} ({pending[i].Witness!.Source}) but the database's log ends at {N(_count)}");
                }
                forged ??= pending[i];
            }
            return forged is null
                ? null
                : new(forged.TreeSize, AuditFault.BadSignature, $"{Label(forged)}: signature does not verify");
        }
    }

    private static ReadOnlySpan<byte> GenesisUtf8 => "0000000000000000000000000000000000000000000000000000000000000000"u8;

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Events(long count) => count == 1 ? "1 event" : $"{N(count)} events";

    private static string Age(TimeSpan age) => age.TotalMinutes >= 1
        ? $"{N((long)age.TotalMinutes)} min"
        : $"{N((long)age.TotalSeconds)} s";

    private readonly record struct Finding(long Sequence, AuditFault Fault, string Reason);
}
