using System.Data;
using System.Text;
using GovernancePortal.Audit.Storage;
using GovernancePortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using SQLitePCL;

namespace GovernancePortal.Audit;

/// <summary>
/// A read-only, consistent view of the audit tables: the head row, events and checkpoints as of one moment, without
/// blocking writers (a deferred transaction on SQLite's WAL, REPEATABLE READ on PostgreSQL).
/// </summary>
public static class AuditSnapshot
{
    public static async Task<IAsyncDisposable> BeginAsync(GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            return await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        }
        // EF's own SQLite transactions are BEGIN IMMEDIATE, which would block every writer while we read.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return new SqliteSnapshot(db, transaction);
    }

    private sealed class SqliteSnapshot(GovernanceDbContext db, SqliteTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // EF does not own a transaction it was handed: end it, then the connection we opened.
            await db.Database.UseTransactionAsync(null);
            await transaction.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Verifies every event of the snapshot against its checkpoints and head, reading each row's column bytes
    /// (<see cref="CanonicalEvents"/>): the verifier's workers build and hash the canonical forms.
    /// </summary>
    public static AuditVerificationResult Verify(GovernanceDbContext db, IReadOnlyList<SignedCheckpoint> checkpoints, long headSequence, string headHash,
        System.Security.Cryptography.ECDsa publicKey, AuditVerificationOptions? options = null) =>
        AuditChainVerifier.VerifyCanonical(CanonicalEvents(db, options?.Start?.TreeSize ?? 0), checkpoints, headSequence, headHash, publicKey, options);

    /// <summary>
    /// Where an incremental run can start: the checkpoint of <paramref name="treeSize"/> events with its stored frontier,
    /// or null when none is known (checkpoints signed before frontiers were kept), so the whole log is verified instead.
    /// </summary>
    public static async Task<VerificationStart?> StartAsync(GovernanceDbContext db, long? treeSize, CancellationToken cancellationToken)
    {
        if (treeSize is not { } size)
        {
            return null;
        }
        var stored = await db.AuditCheckpoints.AsNoTracking().Where(c => c.TreeSize == size)
            .Select(c => new { c.Frontier }).SingleOrDefaultAsync(cancellationToken);
        // A checkpoint that has gone is a fault for the verifier to name; one without a frontier cannot start a run.
        return stored is null ? new VerificationStart(size, null) : stored.Frontier is null ? null : new VerificationStart(size, stored.Frontier);
    }

    /// <summary>
    /// The checks beyond the chain: the required checkpoints, the witness, and the event hashes a checkpoint recorded
    /// (looked up in the snapshot only when a checkpoint fails, after every event was read).
    /// </summary>
    public static AuditVerificationOptions VerificationOptions(GovernanceDbContext db, CheckpointPolicy policy, IReadOnlyList<WitnessedCheckpoint> witnessed,
        VerificationStart? start = null) => new()
    {
        Start = start,
        Policy = policy,
        Witnessed = witnessed,
        RecordedHashes = size => db.AuditCheckpoints.AsNoTracking().Where(c => c.TreeSize == size).Select(c => c.EventHashes).SingleOrDefault(),
    };

    /// <summary>Every event after <paramref name="after"/> in sequence order as its columns' bytes, streamed; read inside a snapshot (<see cref="BeginAsync"/>).</summary>
    public static IEnumerable<CanonicalStoredEvent> CanonicalEvents(GovernanceDbContext db, long after = 0)
    {
        var connection = db.Database.GetDbConnection();
        if (db.Database.IsSqlite())
        {
            if (connection.State != ConnectionState.Open)
            {
                throw new InvalidOperationException("Read SQLite's canonical events inside a snapshot (AuditSnapshot.BeginAsync).");
            }
            return SqliteCanonicalEvents((SqliteConnection)connection, after);
        }
        return CopyCanonicalEvents((NpgsqlConnection)connection, after);
    }

    /// <summary>
    /// PostgreSQL: the rows as one binary COPY stream (in the snapshot's transaction), cut into columns here. Text in
    /// binary COPY is the stored UTF-8 itself, so each column is one copy, with no per-column call into the driver and no
    /// string in between (a data reader's strings, encoded back, took twice as long: bench/README.md).
    /// </summary>
    private static IEnumerable<CanonicalStoredEvent> CopyCanonicalEvents(NpgsqlConnection connection, long after)
    {
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            connection.Open();
        }
        try
        {
            using var stream = connection.BeginRawBinaryCopy($"COPY ({ColumnsAfter(after)}) TO STDOUT (FORMAT BINARY)");
            var copy = new BinaryCopyReader(stream);
            var rows = new ColumnRows();
            while (copy.NextRow(ColumnCount))
            {
                var sequence = copy.Int64();
                var timestamp = copy.TimestampTz();
                rows.Begin();
                for (var c = 0; c < StoredAuditColumns.Count; c++)
                {
                    if (copy.Value(out var value))
                    {
                        rows.Add(value);
                    }
                    else
                    {
                        rows.AddNull();
                    }
                }
                var hash = copy.Value(out var hashBytes) ? Encoding.UTF8.GetString(hashBytes) : "";
                yield return rows.End(sequence, timestamp, hash);
            }
        }
        finally
        {
            if (opened)
            {
                connection.Close();
            }
        }
    }

    /// <summary>
    /// SQLite, straight through the engine's API on the snapshot's open connection (so inside its transaction), each
    /// row's column bytes copied as the engine returns them.
    /// </summary>
    private static IEnumerable<CanonicalStoredEvent> SqliteCanonicalEvents(SqliteConnection connection, long after)
    {
        var handle = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(handle, ColumnsAfter(after), out var statement);
        SqliteException.ThrowExceptionForRC(rc, handle);
        using (statement)
        {
            var rows = new ColumnRows();
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                yield return SqliteRow(statement, rows);
            }
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
        }
    }

    // Each call into SQLite costs more than copying the bytes it returns, so every column is asked once, and its type
    // only where it may be NULL.
    private static CanonicalStoredEvent SqliteRow(sqlite3_stmt statement, ColumnRows rows)
    {
        rows.Begin();
        for (var c = 0; c < StoredAuditColumns.Count; c++)
        {
            var value = SqliteColumns.Bytes(statement, c + 2);
            if (value.IsEmpty && c is 3 or 8 or 9 && SqliteColumns.IsNull(statement, c + 2))
            {
                rows.AddNull();
            }
            else
            {
                rows.Add(value);
            }
        }
        // The same text Microsoft.Data.Sqlite's GetString returns (the value's UTF-8 form, decoded).
        var hash = Encoding.UTF8.GetString(SqliteColumns.Bytes(statement, 13));
        return rows.End(SqliteColumns.Int64(statement, 0), new DateTimeOffset(SqliteColumns.Int64(statement, 1), TimeSpan.Zero), hash);
    }

    /// <summary>
    /// Builds the events of a read row by row: the text columns gathered in a reused row buffer, then copied whole into a
    /// shared 64 KiB block (far fewer objects than arrays per column); a predecessor hash shares the previous event's
    /// string when it matches, as it does in a valid chain.
    /// </summary>
    private sealed class ColumnRows
    {
        private const int BlockSize = 64 * 1024;
        private byte[] _block = new byte[BlockSize];
        private int _blockUsed;
        private byte[] _row = new byte[4096];
        private int _rowUsed;
        private int[] _bounds = [];
        private int _column;
        private string _lastHash = "";

        public void Begin()
        {
            _rowUsed = 0;
            _column = 0;
            _bounds = new int[2 * StoredAuditColumns.Count];
        }

        public void AddNull() => Next(-1);

        public void Add(ReadOnlySpan<byte> value)
        {
            EnsureRow(value.Length);
            value.CopyTo(_row.AsSpan(_rowUsed));
            Next(value.Length);
        }

        public CanonicalStoredEvent End(long sequence, DateTimeOffset timestamp, string hash)
        {
            var (block, start) = Keep(_row.AsSpan(0, _rowUsed));
            for (var c = 0; c < StoredAuditColumns.Count; c++)
            {
                _bounds[2 * c] += start;
            }
            var columns = new StoredAuditColumns(sequence, timestamp, block, _bounds);
            var previousUtf8 = columns[StoredAuditColumns.Count - 1];
            // Hashes are ASCII hex; anything else (a damaged row) is decoded, and then fails verification as it should.
            var previous = System.Text.Ascii.Equals(previousUtf8, _lastHash) ? _lastHash : Encoding.UTF8.GetString(previousUtf8);
            _lastHash = hash;
            return new CanonicalStoredEvent(columns, previous, hash);
        }

        private void Next(int length)
        {
            _bounds[2 * _column] = _rowUsed;
            _bounds[2 * _column + 1] = length;
            _rowUsed += Math.Max(0, length);
            _column++;
        }

        private void EnsureRow(int more)
        {
            if (_rowUsed + more > _row.Length)
            {
                Array.Resize(ref _row, Math.Max(_row.Length * 2, _rowUsed + more));
            }
        }

        private (byte[] Block, int Start) Keep(ReadOnlySpan<byte> row)
        {
            if (row.Length > BlockSize)
            {
                return (row.ToArray(), 0);
            }
            if (BlockSize - _blockUsed < row.Length)
            {
                // The old block stays alive only as long as the verifier holds events that point into it.
                _block = new byte[BlockSize];
                _blockUsed = 0;
            }
            var start = _blockUsed;
            row.CopyTo(_block.AsSpan(start));
            _blockUsed += row.Length;
            return (_block, start);
        }
    }

    // Sequence and Timestamp, the columns the canonical form reads, then Hash: the SELECT below.
    private const int ColumnCount = 2 + StoredAuditColumns.Count + 1;

    // A number, not text from outside: written into the statement (COPY takes no parameters).
    private static string ColumnsAfter(long after) => $"""
        SELECT "Sequence", "Timestamp", "ActorOid", "ActorUsername", "ActorRoles", "ActorApiKey", "Action",
               "EntityType", "EntityId", "Payload", "CorrelationId", "ClientAddress", "PreviousHash", "Hash"
        FROM "AuditEvents" WHERE "Sequence" > {after.ToString(System.Globalization.CultureInfo.InvariantCulture)} ORDER BY "Sequence"
        """;

    /// <summary>
    /// Every checkpoint's signed part, without the event hashes and frontier each row also keeps (32 bytes per event in
    /// all: 320 MB over 10 million events, read only when a checkpoint fails).
    /// </summary>
    public static async Task<List<SignedCheckpoint>> CheckpointsAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.TreeSize)
            .Select(c => new SignedCheckpoint(c.TreeSize, c.RootHash, c.HeadHash, c.Timestamp, c.Signature)).ToListAsync(cancellationToken);
}
