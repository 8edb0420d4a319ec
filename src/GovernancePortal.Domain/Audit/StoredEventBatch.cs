using System.Text;

namespace GovernancePortal.Audit;

/// <summary>
/// Fills <paramref name="batch"/> with the next stored events in sequence order until it is full
/// (<see cref="StoredEventBatch.IsFull"/>); returns false once the source has no more events.
/// </summary>
public delegate bool StoredEventReader(StoredEventBatch batch);

/// <summary>
/// A few thousand stored events as their columns' bytes, copied by a database reader into one reused block: reading
/// makes no object per event, and the verifier's workers build each event's canonical form from the bytes and hash it.
/// The verifier keeps a handful of batches and hands each back to the reader once checked, so memory stays bounded.
/// </summary>
public sealed class StoredEventBatch
{
    /// <summary>Events per batch the verifier uses.</summary>
    public const int DefaultCapacity = 4096;

    /// <summary>
    /// The byte columns of each event, in this order: actor oid, username, roles (comma-joined), API key, action, entity
    /// type, entity id, payload, correlation id, client address, previous hash, and the event's own stored hash.
    /// </summary>
    public const int ColumnCount = 12;

    private const int PreviousHashColumn = 10;
    private const int HashColumn = 11;

    private byte[] _bytes = new byte[256 * 1024];
    private int _used;
    // Start and length of each column of each event; a length of -1 for NULL.
    private readonly int[] _bounds;
    private readonly long[] _sequences;
    private readonly long[] _utcTicks;
    // Events given as records (in memory) are hashed from the record; only their hashes go into the block.
    private readonly AuditRecord?[] _records;
    private readonly string?[] _previousHashes;
    private int _column = -1;

    public StoredEventBatch(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        Limit = capacity;
        _bounds = new int[capacity * ColumnCount * 2];
        _sequences = new long[capacity];
        _utcTicks = new long[capacity];
        _records = new AuditRecord?[capacity];
        _previousHashes = new string?[capacity];
        Raws = new byte[capacity * MerkleTree.HashSize];
        Leaves = new byte[capacity * MerkleTree.HashSize];
        HashMatches = new bool[capacity];
    }

    public int Capacity { get; }

    /// <summary>How many events this fill may add (the verifier asks for fewer after an incremental start).</summary>
    public int Limit { get; private set; }

    public int Count { get; private set; }

    public bool IsFull => Count >= Limit;

    // The verifier's per-event results, written by the worker that hashes the batch and read by the ordered checks.
    internal byte[] Raws { get; }
    internal byte[] Leaves { get; }
    internal bool[] HashMatches { get; }
    internal byte[]?[] ChunkRoots { get; set; } = [];
    internal volatile bool Hashed;

    /// <summary>Empties the batch for the next fill.</summary>
    public void Clear() => Reset(Capacity);

    internal void Reset(int limit)
    {
        Array.Clear(_records, 0, Count);
        Array.Clear(_previousHashes, 0, Count);
        Count = 0;
        _used = 0;
        _column = -1;
        Limit = Math.Clamp(limit, 1, Capacity);
        Hashed = false;
    }

    /// <summary>Starts the next event; add its <see cref="ColumnCount"/> columns, then <see cref="EndEvent"/>.</summary>
    public void BeginEvent(long sequence, DateTimeOffset timestamp)
    {
        if (IsFull || _column >= 0)
        {
            throw new InvalidOperationException(IsFull ? "The batch is full." : "The previous event was not ended.");
        }
        _sequences[Count] = sequence;
        _utcTicks[Count] = timestamp.UtcTicks;
        _records[Count] = null;
        _previousHashes[Count] = null;
        _column = 0;
    }

    /// <summary>The next column's bytes as stored (text as UTF-8), copied.</summary>
    public void AddColumn(ReadOnlySpan<byte> value)
    {
        if (_used + value.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, _used + value.Length));
        }
        value.CopyTo(_bytes.AsSpan(_used));
        Next(value.Length);
    }

    /// <summary>The next column is NULL.</summary>
    public void AddNull() => Next(-1);

    public void EndEvent()
    {
        if (_column != ColumnCount)
        {
            throw new InvalidOperationException($"An event has {ColumnCount} columns; {Math.Max(0, _column)} were added.");
        }
        _column = -1;
        Count++;
    }

    /// <summary>An event held in memory: hashed from its record; its stored hashes are kept as UTF-8 for the checks.</summary>
    internal void Add(AuditRecord record, string previousHash, string hash)
    {
        BeginEvent(record.Sequence, record.Timestamp);
        var index = Count;
        _column = PreviousHashColumn;
        AddText(previousHash);
        AddText(hash);
        EndEvent();
        _records[index] = record;
        _previousHashes[index] = previousHash;
    }

    private void AddText(string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_used + most > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(2 * _bytes.Length, _used + most));
        }
        var length = Encoding.UTF8.GetBytes(text, _bytes.AsSpan(_used));
        Next(length);
    }

    private void Next(int length)
    {
        if (_column < 0 || _column >= ColumnCount)
        {
            throw new InvalidOperationException(_column < 0 ? "Begin the event first." : $"An event has {ColumnCount} columns.");
        }
        var at = 2 * (Count * ColumnCount + _column);
        _bounds[at] = _used;
        _bounds[at + 1] = length;
        _used += Math.Max(0, length);
        _column++;
    }

    internal long Sequence(int index) => _sequences[index];

    internal DateTimeOffset Timestamp(int index) => new(_utcTicks[index], TimeSpan.Zero);

    internal ReadOnlySpan<byte> PreviousHash(int index) => Column(index, PreviousHashColumn);

    internal ReadOnlySpan<byte> Hash(int index) => Column(index, HashColumn);

    private bool IsNull(int index, int column) => _bounds[2 * (index * ColumnCount + column) + 1] < 0;

    private ReadOnlySpan<byte> Column(int index, int column)
    {
        var at = 2 * (index * ColumnCount + column);
        return _bounds[at + 1] < 0 ? default : _bytes.AsSpan(_bounds[at], _bounds[at + 1]);
    }

    /// <summary>The canonical UTF-8 form of event <paramref name="index"/>; valid until the calling thread's next canonical write.</summary>
    internal ReadOnlySpan<byte> CanonicalUtf8(int index)
    {
        if (_records[index] is { } record)
        {
            return CanonicalUtf8Writer.ForThread.Write(record, _previousHashes[index]!);
        }
        return CanonicalUtf8Writer.ForThread.Write(new AuditColumnsUtf8
        {
            Sequence = _sequences[index],
            Timestamp = Timestamp(index),
            ActorOid = Column(index, 0),
            ActorUsername = Column(index, 1),
            ActorRoles = Column(index, 2),
            ActorApiKey = Column(index, 3),
            HasActorApiKey = !IsNull(index, 3),
            Action = Column(index, 4),
            EntityType = Column(index, 5),
            EntityId = Column(index, 6),
            Payload = Column(index, 7),
            CorrelationId = Column(index, 8),
            HasCorrelationId = !IsNull(index, 8),
            ClientAddress = Column(index, 9),
            HasClientAddress = !IsNull(index, 9),
            PreviousHash = Column(index, PreviousHashColumn),
        });
    }
}
