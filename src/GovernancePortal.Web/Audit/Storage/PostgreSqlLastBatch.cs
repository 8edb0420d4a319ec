using System.Data.Common;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Update.Internal;

namespace GovernancePortal.Audit.Storage;

// EF's batch for PostgreSQL is a pubternal type; subclassing it is how we learn which command is a save's last.
#pragma warning disable EF1001

/// <summary>
/// PostgreSQL: lets the audit recorder put its events and the COMMIT at the end of the save's last command, so that an
/// audited save of new rows takes one round trip in all (ADR-016). Only a last batch of INSERTs that read nothing back
/// qualifies: EF checks the row counts of UPDATE and DELETE only after the batch has returned, and a COMMIT sent with
/// them would already have made a stale change permanent; and with nothing to read, Npgsql reads every statement's
/// outcome, the appended ones' too, before EF goes on.
/// </summary>
internal sealed class AuditedNpgsqlBatchFactory(ModificationCommandBatchFactoryDependencies dependencies, IDbContextOptions options)
    : IModificationCommandBatchFactory
{
    private const int NpgsqlDefaultMaxBatchSize = 1000;

    private readonly int _maxBatchSize = RelationalOptionsExtension.Extract(options).MaxBatchSize ?? NpgsqlDefaultMaxBatchSize;

    public ModificationCommandBatch Create() => new AuditedNpgsqlBatch(dependencies, _maxBatchSize);
}

internal sealed class AuditedNpgsqlBatch(ModificationCommandBatchFactoryDependencies dependencies, int maxBatchSize)
    : NpgsqlModificationCommandBatch(dependencies, maxBatchSize)
{
    public override void Execute(IRelationalConnection connection)
    {
        var recorder = OfferToRecorder();
        try
        {
            base.Execute(connection);
        }
        finally
        {
            recorder?.WithdrawLastBatch();
        }
    }

    public override async Task ExecuteAsync(IRelationalConnection connection, CancellationToken cancellationToken = default)
    {
        var recorder = OfferToRecorder();
        try
        {
            await base.ExecuteAsync(connection, cancellationToken);
        }
        finally
        {
            recorder?.WithdrawLastBatch();
        }
    }

    private AuditRecorder? OfferToRecorder()
    {
        if (AreMoreBatchesExpected || Dependencies.CurrentContext.Context is not GovernanceDbContext db
            || !ModificationCommands.All(command => command.EntityState == EntityState.Added && !command.ColumnModifications.Any(column => column.IsRead)))
        {
            return null;
        }
        db.Audit.OfferLastBatch();
        return db.Audit;
    }
}

/// <summary>Hands the save's last command to the recorder, which appends its events and the COMMIT if it has any waiting.</summary>
internal sealed class AuditLastBatchInterceptor : DbCommandInterceptor
{
    public static readonly AuditLastBatchInterceptor Instance = new();

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result)
    {
        Append(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Append(command, eventData);
        return ValueTask.FromResult(result);
    }

    private static void Append(DbCommand command, CommandEventData eventData)
    {
        if (eventData.CommandSource == CommandSource.SaveChanges && eventData.Context is GovernanceDbContext db && command is NpgsqlCommand npgsql)
        {
            db.Audit.AppendToLastBatch(npgsql);
        }
    }
}
#pragma warning restore EF1001
