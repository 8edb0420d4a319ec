using System.Data;
using GovernancePortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>Events in sequence order, streamed; for verification and Merkle roots.</summary>
    public static IEnumerable<StoredAuditEvent> Events(GovernanceDbContext db, long upTo = long.MaxValue) =>
        db.AuditEvents.AsNoTracking().Where(e => e.Sequence <= upTo).OrderBy(e => e.Sequence).AsEnumerable()
            .Select(e => new StoredAuditEvent(e.ToRecord(), e.PreviousHash, e.Hash));

    public static async Task<List<SignedCheckpoint>> CheckpointsAsync(GovernanceDbContext db, CancellationToken cancellationToken) =>
        (await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.TreeSize).ToListAsync(cancellationToken))
            .Select(c => c.ToSigned()).ToList();
}
