using System.Data;
using System.Data.Common;
using System.Text;
using GovernancePortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
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
    /// Events in sequence order, streamed; for verification and Merkle roots. A plain data reader on the context's
    /// connection and transaction (EF's materialization cost more than the reading), with actors shared between
    /// events that have the same one.
    /// </summary>
    public static IEnumerable<StoredAuditEvent> Events(GovernanceDbContext db, long upTo = long.MaxValue)
    {
        var sqlite = db.Database.IsSqlite();
        var connection = db.Database.GetDbConnection();
        if (sqlite && connection.State == ConnectionState.Open)
        {
            return SqliteEvents((SqliteConnection)connection, upTo);
        }
        return ReaderEvents(db, connection, sqlite, upTo);
    }

    private static IEnumerable<StoredAuditEvent> ReaderEvents(GovernanceDbContext db, DbConnection connection, bool sqlite, long upTo)
    {
        var actors = new ActorCache();
        return Rows(db, connection, Columns, upTo, CommandBehavior.SequentialAccess, reader =>
        {
            var sequence = reader.GetInt64(0);
            // The same representations EF maps: UTC ticks on SQLite, timestamptz on PostgreSQL.
            var timestamp = sqlite
                ? new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero)
                : reader.GetFieldValue<DateTimeOffset>(1);
            var actor = actors.Get(reader.GetString(2), reader.GetString(3), reader.GetString(4), NullableString(reader, 5));
            var record = new AuditRecord(sequence, timestamp, actor, reader.GetString(6), reader.GetString(7),
                reader.GetString(8), reader.GetString(9), NullableString(reader, 10), NullableString(reader, 11));
            return new StoredAuditEvent(record, reader.GetString(12), reader.GetString(13));
        });
    }

    /// <summary>Each row of <paramref name="sql"/> (bounded by <c>@upTo</c>) on the context's connection and transaction, opening the connection only if needed.</summary>
    private static IEnumerable<T> Rows<T>(GovernanceDbContext db, DbConnection connection, string sql, long upTo, CommandBehavior behavior, Func<DbDataReader, T> read)
    {
        var opened = connection.State != ConnectionState.Open;
        if (opened)
        {
            connection.Open();
        }
        try
        {
            using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = sql;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@upTo";
            parameter.Value = upTo;
            command.Parameters.Add(parameter);
            using var reader = command.ExecuteReader(behavior);
            while (reader.Read())
            {
                yield return read(reader);
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
    /// SQLite, straight through the engine's API on the snapshot's open connection (so inside its transaction): per
    /// column, Microsoft.Data.Sqlite's reader cost several times what decoding the text does. Repeated values (actor,
    /// action, entity type, client) are decoded once.
    /// </summary>
    private static IEnumerable<StoredAuditEvent> SqliteEvents(SqliteConnection connection, long upTo)
    {
        var handle = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(handle, Columns, out var statement);
        SqliteException.ThrowExceptionForRC(rc, handle);
        using (statement)
        {
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, 1, upTo), handle);
            var actors = new ActorCache();
            var repeated = new Utf8StringCache();
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var actor = actors.Get(repeated.Get(raw.sqlite3_column_blob(statement, 2)), repeated.Get(raw.sqlite3_column_blob(statement, 3)),
                    repeated.Get(raw.sqlite3_column_blob(statement, 4)), NullableRepeated(statement, 5, repeated));
                var record = new AuditRecord(
                    raw.sqlite3_column_int64(statement, 0),
                    new DateTimeOffset(raw.sqlite3_column_int64(statement, 1), TimeSpan.Zero),
                    actor,
                    repeated.Get(raw.sqlite3_column_blob(statement, 6)),
                    repeated.Get(raw.sqlite3_column_blob(statement, 7)),
                    Text(statement, 8),
                    Text(statement, 9),
                    raw.sqlite3_column_type(statement, 10) == raw.SQLITE_NULL ? null : Text(statement, 10),
                    NullableRepeated(statement, 11, repeated));
                yield return new StoredAuditEvent(record, Text(statement, 12), Text(statement, 13));
            }
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
        }
    }

    /// <summary>
    /// Verifies every event of the snapshot against its checkpoints and head. On SQLite the events' canonical form is
    /// built straight from the column bytes (no strings), which is what most of reading them cost.
    /// </summary>
    public static AuditVerificationResult Verify(GovernanceDbContext db, IReadOnlyList<SignedCheckpoint> checkpoints, long headSequence, string headHash,
        System.Security.Cryptography.ECDsa publicKey)
    {
        var connection = db.Database.GetDbConnection();
        return db.Database.IsSqlite() && connection.State != ConnectionState.Open
            ? AuditChainVerifier.Verify(Events(db), checkpoints, headSequence, headHash, publicKey)
            : AuditChainVerifier.VerifyCanonical(CanonicalEvents(db), checkpoints, headSequence, headHash, publicKey);
    }

    /// <summary>Every event in sequence order as its columns' bytes; on SQLite, inside an open snapshot.</summary>
    public static IEnumerable<CanonicalStoredEvent> CanonicalEvents(GovernanceDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        if (db.Database.IsSqlite())
        {
            if (connection.State != ConnectionState.Open)
            {
                throw new InvalidOperationException("Read SQLite's canonical events inside a snapshot (AuditSnapshot.BeginAsync).");
            }
            return SqliteCanonicalEvents((SqliteConnection)connection);
        }
        return ReaderCanonicalEvents(db, connection);
    }

    /// <summary>
    /// PostgreSQL: Npgsql's strings are its cheapest way to a text column (cheaper than <c>convert_to</c> bytes, measured),
    /// so each is read as a string and encoded back into the shared block as UTF-8. A UTF-8 database holds only valid
    /// UTF-8, so those are the stored bytes exactly.
    /// </summary>
    private static IEnumerable<CanonicalStoredEvent> ReaderCanonicalEvents(GovernanceDbContext db, DbConnection connection)
    {
        var blocks = new ColumnBlocks();
        var row = new byte[4096];
        return Rows(db, connection, Columns, long.MaxValue, CommandBehavior.SequentialAccess, reader =>
        {
            var sequence = reader.GetInt64(0);
            var timestamp = reader.GetFieldValue<DateTimeOffset>(1);
            var bounds = new int[2 * StoredAuditColumns.Count];
            var used = 0;
            for (var c = 0; c < StoredAuditColumns.Count; c++)
            {
                bounds[2 * c] = used;
                if (reader.IsDBNull(c + 2))
                {
                    bounds[2 * c + 1] = -1;
                    continue;
                }
                var text = reader.GetString(c + 2);
                var most = Encoding.UTF8.GetMaxByteCount(text.Length);
                if (used + most > row.Length)
                {
                    Array.Resize(ref row, Math.Max(row.Length * 2, used + most));
                }
                var length = Encoding.UTF8.GetBytes(text, row.AsSpan(used));
                bounds[2 * c + 1] = length;
                used += length;
            }
            var (block, start) = blocks.Keep(row.AsSpan(0, used));
            for (var c = 0; c < StoredAuditColumns.Count; c++)
            {
                bounds[2 * c] += start;
            }
            var hash = reader.GetString(13);
            return blocks.Event(new StoredAuditColumns(sequence, timestamp, block, bounds), () => hash);
        });
    }

    /// <summary>
    /// SQLite, each row's column bytes as the engine returns them, copied into the shared block; the verifier's workers
    /// build and hash the canonical forms.
    /// </summary>
    private static IEnumerable<CanonicalStoredEvent> SqliteCanonicalEvents(SqliteConnection connection)
    {
        var handle = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(handle, Columns, out var statement);
        SqliteException.ThrowExceptionForRC(rc, handle);
        using (statement)
        {
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, 1, long.MaxValue), handle);
            var blocks = new ColumnBlocks();
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                yield return SqliteRow(statement, blocks);
            }
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, handle);
            }
        }
    }

    // Each call into SQLite costs more than copying the bytes it returns, so every column is asked once (its type only
    // where it may be NULL) and lands in a row buffer that is then copied whole.
    private static CanonicalStoredEvent SqliteRow(sqlite3_stmt statement, ColumnBlocks blocks)
    {
        var row = blocks.Row;
        var bounds = new int[2 * StoredAuditColumns.Count];
        var used = 0;
        for (var c = 0; c < StoredAuditColumns.Count; c++)
        {
            var value = raw.sqlite3_column_blob(statement, c + 2);
            if (used + value.Length > row.Length)
            {
                row = blocks.GrowRow(used + value.Length);
            }
            value.CopyTo(row.AsSpan(used));
            bounds[2 * c] = used;
            bounds[2 * c + 1] = value.Length == 0 && c is 3 or 8 or 9 && raw.sqlite3_column_type(statement, c + 2) == raw.SQLITE_NULL ? -1 : value.Length;
            used += value.Length;
        }
        var (block, start) = blocks.Keep(row.AsSpan(0, used));
        for (var c = 0; c < StoredAuditColumns.Count; c++)
        {
            bounds[2 * c] += start;
        }
        var columns = new StoredAuditColumns(raw.sqlite3_column_int64(statement, 0),
            new DateTimeOffset(raw.sqlite3_column_int64(statement, 1), TimeSpan.Zero), block, bounds);
        return blocks.Event(columns, () => Text(statement, 13));
    }

    /// <summary>
    /// Shared 64 KiB blocks the rows' column bytes are copied into (far fewer objects than arrays per column), and the
    /// hash strings: a predecessor hash shares the previous event's string when it matches, as it does in a valid chain.
    /// </summary>
    private sealed class ColumnBlocks
    {
        private const int BlockSize = 64 * 1024;
        private byte[] _block = new byte[BlockSize];
        private int _used;
        private string _lastHash = "";
        private byte[] _lastHashUtf8 = [];

        /// <summary>A reused buffer one row is gathered in before <see cref="Keep"/> copies it into a block.</summary>
        public byte[] Row { get; private set; } = new byte[4096];

        public byte[] GrowRow(int atLeast)
        {
            var grown = new byte[Math.Max(Row.Length * 2, atLeast)];
            Row.CopyTo(grown, 0);
            return Row = grown;
        }

        public (byte[] Block, int Start) Keep(ReadOnlySpan<byte> row)
        {
            var (block, start) = Reserve(row.Length);
            row.CopyTo(block.AsSpan(start));
            return (block, start);
        }

        public (byte[] Block, int Start) Reserve(int length)
        {
            if (length > BlockSize)
            {
                return (new byte[length], 0);
            }
            if (BlockSize - _used < length)
            {
                // The old block stays alive only as long as the verifier holds events that point into it.
                _block = new byte[BlockSize];
                _used = 0;
            }
            var start = _used;
            _used += length;
            return (_block, start);
        }

        public CanonicalStoredEvent Event(StoredAuditColumns columns, Func<string> readHash)
        {
            var previousUtf8 = columns[StoredAuditColumns.Count - 1];
            var previous = previousUtf8.SequenceEqual(_lastHashUtf8) ? _lastHash : Encoding.UTF8.GetString(previousUtf8);
            _lastHash = readHash();
            _lastHashUtf8 = Encoding.UTF8.GetBytes(_lastHash);
            return new CanonicalStoredEvent(columns, previous, _lastHash);
        }
    }

    // The same text Microsoft.Data.Sqlite's GetString returns (the value's UTF-8 form, decoded).
    private static string Text(sqlite3_stmt statement, int column) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, column));

    private static string? NullableRepeated(sqlite3_stmt statement, int column, Utf8StringCache repeated) =>
        raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL ? null : repeated.Get(raw.sqlite3_column_blob(statement, column));

    private const string Columns = """
        SELECT "Sequence", "Timestamp", "ActorOid", "ActorUsername", "ActorRoles", "ActorApiKey", "Action",
               "EntityType", "EntityId", "Payload", "CorrelationId", "ClientAddress", "PreviousHash", "Hash"
        FROM "AuditEvents" WHERE "Sequence" <= @upTo ORDER BY "Sequence"
        """;

    /// <summary>Decodes each distinct short UTF-8 value once; a log repeats few actors, actions and clients.</summary>
    private sealed class Utf8StringCache
    {
        private const int MaxEntries = 4096;
        private readonly Dictionary<int, (byte[] Bytes, string Text)> _entries = [];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            var hash = new HashCode();
            hash.AddBytes(utf8);
            var key = hash.ToHashCode();
            if (_entries.TryGetValue(key, out var entry) && utf8.SequenceEqual(entry.Bytes))
            {
                return entry.Text;
            }
            var text = Encoding.UTF8.GetString(utf8);
            if (_entries.Count < MaxEntries || _entries.ContainsKey(key))
            {
                _entries[key] = (utf8.ToArray(), text);
            }
            return text;
        }
    }

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A log has few distinct actors: build each once instead of once per event (and split its roles once).</summary>
    private sealed class ActorCache
    {
        private readonly Dictionary<(string Oid, string Username, string Roles, string? ApiKey), AuditActor> _actors = [];

        public AuditActor Get(string oid, string username, string roles, string? apiKey)
        {
            if (_actors.TryGetValue((oid, username, roles, apiKey), out var actor))
            {
                return actor;
            }
            actor = AuditEvent.ActorOf(oid, username, roles, apiKey);
            if (_actors.Count < 100_000)
            {
                _actors[(oid, username, roles, apiKey)] = actor;
            }
            return actor;
        }
    }

    public static async Task<List<SignedCheckpoint>> CheckpointsAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        (await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.TreeSize).ToListAsync(cancellationToken))
            .Select(c => c.ToSigned()).ToList();
}
