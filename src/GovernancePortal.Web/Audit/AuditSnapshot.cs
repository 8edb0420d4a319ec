using System.Data;
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
    /// Verifies every event of the snapshot against its checkpoints and head, reading each row's column bytes into the
    /// verifier's batches (<see cref="Events"/>) while its workers build and hash the canonical forms.
    /// </summary>
    public static AuditVerificationResult Verify(GovernanceDbContext db, IReadOnlyList<SignedCheckpoint> checkpoints, long headSequence, string headHash,
        System.Security.Cryptography.ECDsa publicKey, AuditVerificationOptions? options = null)
    {
        using var events = Events(db, options?.Start?.TreeSize ?? 0);
        return AuditChainVerifier.VerifyStored(events.Fill, checkpoints, headSequence, headHash, publicKey, options);
    }

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

    /// <summary>
    /// Every event after <paramref name="after"/> in sequence order, streamed as its columns' bytes into the batches
    /// handed to <see cref="StoredEventsReader.Fill"/>; read inside a snapshot (<see cref="BeginAsync"/>).
    /// </summary>
    public static StoredEventsReader Events(GovernanceDbContext db, long after = 0)
    {
        var connection = db.Database.GetDbConnection();
        if (db.Database.IsSqlite())
        {
            if (connection.State != ConnectionState.Open)
            {
                throw new InvalidOperationException("Read SQLite's events inside a snapshot (AuditSnapshot.BeginAsync).");
            }
            return new SqliteEventsReader((SqliteConnection)connection, ColumnsAfter(after));
        }
        return new CopyEventsReader((NpgsqlConnection)connection, ColumnsAfter(after));
    }

    /// <summary>A database's stored events, read into the verifier's batches one after another.</summary>
    public abstract class StoredEventsReader : IDisposable
    {
        /// <summary>Adds the next events to <paramref name="batch"/> until it is full; false once there are no more.</summary>
        public abstract bool Fill(StoredEventBatch batch);

        public abstract void Dispose();
    }

    /// <summary>
    /// PostgreSQL: the rows as one binary COPY stream (in the snapshot's transaction), cut into columns here. Text in
    /// binary COPY is the stored UTF-8 itself, so each column is one copy, with no per-column call into the driver and no
    /// string in between (a data reader's strings, encoded back, took twice as long: bench/README.md).
    /// </summary>
    private sealed class CopyEventsReader : StoredEventsReader
    {
        private readonly NpgsqlConnection _connection;
        private readonly bool _opened;
        private readonly NpgsqlRawCopyStream _stream;
        private readonly BinaryCopyReader _copy;
        private bool _done;

        public CopyEventsReader(NpgsqlConnection connection, string query)
        {
            _connection = connection;
            _opened = connection.State != ConnectionState.Open;
            if (_opened)
            {
                connection.Open();
            }
            try
            {
                _stream = connection.BeginRawBinaryCopy($"COPY ({query}) TO STDOUT (FORMAT BINARY)");
            }
            catch
            {
                Close();
                throw;
            }
            _copy = new BinaryCopyReader(_stream);
        }

        public override bool Fill(StoredEventBatch batch)
        {
            while (!batch.IsFull)
            {
                if (_done || !_copy.NextRow(ColumnCount))
                {
                    // End the COPY at once: the verifier may query the snapshot's connection before this reader is disposed.
                    EndCopy();
                    return false;
                }
                batch.BeginEvent(_copy.Int64(), _copy.TimestampTz());
                for (var c = 0; c < StoredEventBatch.ColumnCount; c++)
                {
                    if (_copy.Value(out var value))
                    {
                        batch.AddColumn(value);
                    }
                    else
                    {
                        batch.AddNull();
                    }
                }
                batch.EndEvent();
            }
            return true;
        }

        public override void Dispose()
        {
            EndCopy();
            Close();
        }

        private void EndCopy()
        {
            if (!_done)
            {
                _done = true;
                _stream.Dispose();
            }
        }

        private void Close()
        {
            if (_opened)
            {
                _connection.Close();
            }
        }
    }

    /// <summary>
    /// SQLite, straight through the engine's API on the snapshot's open connection (so inside its transaction), each
    /// row's column bytes copied as the engine returns them.
    /// </summary>
    private sealed class SqliteEventsReader : StoredEventsReader
    {
        private readonly sqlite3 _handle;
        private readonly sqlite3_stmt _statement;
        private bool _done;

        public SqliteEventsReader(SqliteConnection connection, string query)
        {
            _handle = connection.Handle!;
            var rc = raw.sqlite3_prepare_v2(_handle, query, out _statement);
            SqliteException.ThrowExceptionForRC(rc, _handle);
        }

        public override bool Fill(StoredEventBatch batch)
        {
            while (!batch.IsFull)
            {
                if (_done)
                {
                    return false;
                }
                var rc = raw.sqlite3_step(_statement);
                if (rc != raw.SQLITE_ROW)
                {
                    _done = true;
                    if (rc != raw.SQLITE_DONE)
                    {
                        SqliteException.ThrowExceptionForRC(rc, _handle);
                    }
                    return false;
                }
                Row(batch);
            }
            return true;
        }

        // Each call into SQLite costs more than copying the bytes it returns, so every column is asked once, and its
        // type only where it may be NULL.
        private void Row(StoredEventBatch batch)
        {
            batch.BeginEvent(SqliteColumns.Int64(_statement, 0), new DateTimeOffset(SqliteColumns.Int64(_statement, 1), TimeSpan.Zero));
            for (var c = 0; c < StoredEventBatch.ColumnCount; c++)
            {
                var value = SqliteColumns.Bytes(_statement, c + 2);
                if (value.IsEmpty && c is 3 or 8 or 9 && SqliteColumns.IsNull(_statement, c + 2))
                {
                    batch.AddNull();
                }
                else
                {
                    batch.AddColumn(value);
                }
            }
            batch.EndEvent();
        }

        public override void Dispose() => _statement.Dispose();
    }

    // Sequence and Timestamp, the columns the canonical form reads, then Hash: the SELECT below.
    private const int ColumnCount = 2 + StoredEventBatch.ColumnCount;

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
