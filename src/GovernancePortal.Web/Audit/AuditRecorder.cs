using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using GovernancePortal.Audit.Storage;
using GovernancePortal.Data;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GovernancePortal.Audit;

/// <summary>A property whose value never enters the audit trail (secrets, hashes of secrets).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AuditRedactedAttribute : Attribute;

/// <summary>An entity whose changes need no audit event of their own (derived or housekeeping state).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AuditExemptAttribute : Attribute;

/// <summary>
/// Collects audit events for the context's next SaveChanges and writes them in the same transaction, appended to the
/// hash chain under a lock on the head row. If the audit write fails, the change fails with it.
/// </summary>
public sealed class AuditRecorder(IAuditContextAccessor contextAccessor, TimeProvider clock)
{
    private readonly List<PendingAuditEvent> _pending = [];

    public int PendingCount => _pending.Count;

    /// <summary>Records an action on an entity; the entity's tracked before/after values go into the payload.</summary>
    public void Record(string action, object entity, object? details = null, AuditActor? actor = null) =>
        _pending.Add(new PendingAuditEvent(action, entity, null, null, details, actor));

    /// <summary>Records an action on something that is not a tracked entity (a sign-in, an export).</summary>
    public void Record(string action, string entityType, string entityId, object? details = null, AuditActor? actor = null) =>
        _pending.Add(new PendingAuditEvent(action, null, entityType, entityId, details, actor));

    internal async Task<int> SaveWithAuditAsync(GovernanceDbContext db, bool acceptAllChangesOnSuccess,
        Func<bool, CancellationToken, Task<int>> saveChanges, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            EnsureNothingUnaudited(db);
            return await saveChanges(acceptAllChangesOnSuccess, cancellationToken);
        }
        var prepared = _pending.Select(p => Prepare(db, p)).ToList();
        try
        {
            if (db.Database.IsNpgsql())
            {
                return await AppendChainedByDatabaseAsync(db, prepared, acceptAllChangesOnSuccess, saveChanges, cancellationToken);
            }
            if (db.Database.CurrentTransaction is not null)
            {
                // The caller's transaction: it cannot be retried, so lock the head row for the rest of it.
                return await AppendAsync(db, prepared, acceptAllChangesOnSuccess, saveChanges, knownHead: null, ownTransaction: false, cancellationToken);
            }
            return await AppendInOwnTransactionAsync(db, prepared, acceptAllChangesOnSuccess, saveChanges, cancellationToken);
        }
        finally
        {
            // Saved or failed, these events are done: a failed change's events describe nothing that happened.
            _pending.Clear();
        }
    }

    /// <summary>
    /// PostgreSQL (ADR-014, ADR-016): the change is saved first; then one statement per event moves the head row under its
    /// lock and inserts the event with the sequence, predecessor and hash the database gave it; in our own transaction the
    /// COMMIT follows in the same round trip. The lock is taken and released inside the database, never held across the
    /// client's work, so parallel writers (and portal instances) queue for microseconds, not round trips. When EF's last
    /// command holds only INSERTs, the events and the COMMIT ride at its end (<see cref="AuditedNpgsqlBatch"/>), which saves
    /// a round trip; otherwise they follow as a prepared batch of their own.
    /// </summary>
    private async Task<int> AppendChainedByDatabaseAsync(GovernanceDbContext db, List<PreparedAuditEvent> prepared,
        bool acceptAllChangesOnSuccess, Func<bool, CancellationToken, Task<int>> saveChanges, CancellationToken cancellationToken)
    {
        var context = contextAccessor.Current;
        // Taken before the lock: along the chain, timestamps of parallel writers may be out of order by that much.
        var timestamp = AuditRecord.Normalize(clock.GetUtcNow());
        var records = prepared.Select(item => new AuditRecord(0, timestamp, item.Actor ?? context.Actor, item.Action,
            item.EntityType, item.EntityId, item.Payload, context.CorrelationId, context.ClientAddress)).ToList();

        if (db.Database.CurrentTransaction is not null)
        {
            // The caller's transaction: the head row stays locked until the caller commits.
            var saved = await saveChanges(acceptAllChangesOnSuccess, cancellationToken);
            await PostgreSqlAppend.WriteAsync(db, records, commit: false, cancellationToken);
            return saved;
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        var savepoints = db.Database.AutoSavepointsEnabled;
        try
        {
            if (!db.ChangeTracker.HasChanges())
            {
                // Events alone (a sign-in, an export): one statement, atomic on its own.
                await PostgreSqlAppend.WriteAsync(db, records, commit: false, cancellationToken);
                return 0;
            }
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // The whole transaction is ours and is rolled back on any failure: a savepoint around the save would only
            // cost two more round trips.
            db.Database.AutoSavepointsEnabled = false;
            _forLastBatch = records;
            int written;
            bool sentWithEf;
            try
            {
                // Changes are accepted only once the events have committed with them. When the events went with EF's
                // command, EF reports their failure; the database has then refused the whole transaction.
                written = await saveChanges(false, cancellationToken);
            }
            finally
            {
                // AppendToLastBatch takes the events when it sends them.
                sentWithEf = _forLastBatch is null;
                _forLastBatch = null;
                _lastBatchOffered = false;
            }
            if (!sentWithEf)
            {
                await PostgreSqlAppend.WriteAsync(db, records, commit: true, cancellationToken);
            }
            if (acceptAllChangesOnSuccess)
            {
                db.ChangeTracker.AcceptAllChanges();
            }
            return written;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
            await db.Database.CloseConnectionAsync();
        }
    }

    // PostgreSQL, own transaction: the events waiting for EF's last command (null once sent with it), and whether that
    // command is being sent now.
    private List<AuditRecord>? _forLastBatch;
    private bool _lastBatchOffered;

    internal void OfferLastBatch() => _lastBatchOffered = _forLastBatch is not null;

    internal void WithdrawLastBatch() => _lastBatchOffered = false;

    /// <summary>Appends the waiting events and the COMMIT to EF's last command, when it has been offered.</summary>
    internal void AppendToLastBatch(NpgsqlCommand command)
    {
        if (!_lastBatchOffered || _forLastBatch is not { } records)
        {
            return;
        }
        _lastBatchOffered = false;
        _forLastBatch = null;
        PostgreSqlAppend.AppendWithCommit(command, records);
    }

    /// <summary>
    /// SQLite: appends in a transaction of our own. Appenders of one process queue on a gate per database and remember the head
    /// they last committed, so an append needs no round trip to read and lock the head row: the head row's update is
    /// guarded by its expected sequence and hash (optimistic concurrency), and the events' primary key refuses a
    /// repeated sequence. When another instance appended meanwhile (or the row changed in any other way), the guard
    /// fails, the transaction rolls back, and the append is redone once under the head row's lock.
    /// </summary>
    private async Task<int> AppendInOwnTransactionAsync(GovernanceDbContext db, List<PreparedAuditEvent> prepared,
        bool acceptAllChangesOnSuccess, Func<bool, CancellationToken, Task<int>> saveChanges, CancellationToken cancellationToken)
    {
        var chain = ChainState.For(db);
        await chain.Gate.WaitAsync(cancellationToken);
        var savepoints = db.Database.AutoSavepointsEnabled;
        // The whole transaction is ours and is rolled back on any failure: a savepoint around the save buys nothing.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            if (chain.Head is { } known)
            {
                try
                {
                    return await AppendAsync(db, prepared, acceptAllChangesOnSuccess, saveChanges, known, ownTransaction: true, cancellationToken, chain);
                }
                catch (DbUpdateException)
                {
                    // Someone else moved the head (or the change itself failed): forget it, and try once under the lock.
                    chain.Head = null;
                }
            }
            return await AppendAsync(db, prepared, acceptAllChangesOnSuccess, saveChanges, knownHead: null, ownTransaction: true, cancellationToken, chain);
        }
        catch
        {
            chain.Head = null;
            throw;
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = savepoints;
            chain.Gate.Release();
        }
    }

    /// <summary>
    /// SQLite: the change through EF, then the events and the head row's guarded move as one command of our own in the
    /// same transaction (cheaper than tracking them as entities: every audited save pays for it). EF accepts the
    /// change only after that, so a failed append leaves the context as it was and can be redone.
    /// </summary>
    private async Task<int> AppendAsync(GovernanceDbContext db, List<PreparedAuditEvent> prepared, bool acceptAllChangesOnSuccess,
        Func<bool, CancellationToken, Task<int>> saveChanges, (long Sequence, string Hash)? knownHead, bool ownTransaction,
        CancellationToken cancellationToken, ChainState? chain = null)
    {
        await using var transaction = ownTransaction ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        // SQLite: the transaction is BEGIN IMMEDIATE, which already holds the database's write lock.
        var head = knownHead ?? await ReadHeadAsync(db, cancellationToken);
        var context = contextAccessor.Current;
        // Taken under the lock (or the gate, after the last committed append), so timestamps never run backwards along the chain.
        var timestamp = AuditRecord.Normalize(clock.GetUtcNow());
        var events = new List<AuditEvent>(prepared.Count);
        var (sequence, hash) = head;
        foreach (var item in prepared)
        {
            var record = new AuditRecord(sequence + 1, timestamp, item.Actor ?? context.Actor, item.Action,
                item.EntityType, item.EntityId, item.Payload, context.CorrelationId, context.ClientAddress);
            var next = record.ComputeHash(hash);
            events.Add(AuditEvent.From(record, hash, next));
            (sequence, hash) = (record.Sequence, next);
        }
        var written = await saveChanges(false, cancellationToken);
        await SqliteAppend.WriteAsync(db, events, head, cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
        if (acceptAllChangesOnSuccess)
        {
            db.ChangeTracker.AcceptAllChanges();
        }
        if (chain is not null)
        {
            chain.Head = (sequence, hash);
        }
        return written;
    }

    private static async Task<(long Sequence, string Hash)> ReadHeadAsync(GovernanceDbContext db, CancellationToken cancellationToken)
    {
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(cancellationToken);
        return (head.Sequence, head.Hash);
    }

    /// <summary>Per database (connection string) in this process: the appenders' queue and the last committed head.</summary>
    private sealed class ChainState
    {
        private static readonly ConcurrentDictionary<string, ChainState> ByDatabase = new(StringComparer.Ordinal);

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Read and written only while holding <see cref="Gate"/>; null when unknown.</summary>
        public (long Sequence, string Hash)? Head { get; set; }

        public static ChainState For(GovernanceDbContext db) =>
            ByDatabase.GetOrAdd(db.Database.GetConnectionString() ?? "", _ => new ChainState());
    }

    private static void EnsureNothingUnaudited(GovernanceDbContext db)
    {
        var unaudited = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => e.Metadata.ClrType)
            .FirstOrDefault(t => !IsExempt(t));
        if (unaudited is not null)
        {
            throw new InvalidOperationException($"A change to {unaudited.Name} was about to be saved without an audit event.");
        }
    }

    private static bool IsExempt(Type type) =>
        type == typeof(AuditEvent) || type == typeof(AuditHead) || type == typeof(AuditCheckpoint) || type == typeof(DataProtectionKey)
        || type.GetCustomAttribute<AuditExemptAttribute>() is not null;

    private static PreparedAuditEvent Prepare(GovernanceDbContext db, PendingAuditEvent pending)
    {
        if (pending.Entity is null)
        {
            return new PreparedAuditEvent(pending.Action, pending.EntityType!, pending.EntityId!, AuditPayload.For(null, pending.Details), pending.Actor);
        }
        var entry = db.Entry(pending.Entity);
        var entityId = string.Join("/", entry.Metadata.FindPrimaryKey()!.Properties
            .Select(p => Convert.ToString(entry.Property(p).CurrentValue, CultureInfo.InvariantCulture)));
        return new PreparedAuditEvent(pending.Action, entry.Metadata.ClrType.Name, entityId, AuditPayload.For(entry, pending.Details), pending.Actor);
    }

    private sealed record PendingAuditEvent(string Action, object? Entity, string? EntityType, string? EntityId, object? Details, AuditActor? Actor);

    private sealed record PreparedAuditEvent(string Action, string EntityType, string EntityId, string Payload, AuditActor? Actor);
}
