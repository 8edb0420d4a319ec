using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace GovernancePortal.Benchmarks;

/// <summary>
/// For the append profile only (never in the timed runs): sums how long EF waited on the database for each kind of
/// command and for transaction begin and commit, from EF's own event durations.
/// </summary>
internal sealed class CommandTimer : DbCommandInterceptor, IDbTransactionInterceptor, IDisposable
{
    /// <summary>
    /// PostgreSQL: the recorder's own batch (events and COMMIT), sent past EF and timed from Npgsql's tracing. A save of new
    /// rows sends its events and the COMMIT at the end of EF's own command instead, which counts under <see cref="Writes"/>.
    /// </summary>
    public const string AuditBatch = "events + COMMIT batch";
    public const string Begin = "BEGIN";
    public const string HeadLock = "SELECT head (lock)";
    public const string Writes = "INSERT/UPDATE batch";
    public const string Commit = "COMMIT";
    public const string Other = "other commands";

    private readonly ConcurrentDictionary<string, long> _ticks = new();
    private readonly ActivityListener _npgsql;

    public CommandTimer()
    {
        _npgsql = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.TagObjects.Any(t => t.Value is string text && text.TrimStart().StartsWith("WITH moved AS", StringComparison.Ordinal)))
                {
                    Add(AuditBatch, activity.Duration);
                }
            },
        };
        ActivitySource.AddActivityListener(_npgsql);
    }

    public void Dispose() => _npgsql.Dispose();

    public TimeSpan this[string kind] => TimeSpan.FromTicks(_ticks.GetValueOrDefault(kind));

    public TimeSpan Total => TimeSpan.FromTicks(_ticks.Values.Sum());

    public void Reset() => _ticks.Clear();

    private void Add(string kind, TimeSpan duration) => _ticks.AddOrUpdate(kind, duration.Ticks, (_, t) => t + duration.Ticks);

    private static string Kind(DbCommand command)
    {
        var sql = command.CommandText.TrimStart();
        if (sql.Contains("\"AuditHeads\"", StringComparison.Ordinal) && sql.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase))
        {
            return HeadLock;
        }
        return sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            ? Writes
            : Other;
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Add(Kind(command), eventData.Duration);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        Add(Kind(command), eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Add(Kind(command), eventData.Duration);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Add(Kind(command), eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Add(Begin, eventData.Duration);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Add(Begin, eventData.Duration);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Add(Commit, eventData.Duration);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Add(Commit, eventData.Duration);
        return Task.CompletedTask;
    }
}
