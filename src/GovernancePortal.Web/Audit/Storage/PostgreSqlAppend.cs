using System.Collections.Concurrent;
using System.Text;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace GovernancePortal.Audit.Storage;

/// <summary>
/// Writes events on PostgreSQL, each chained by the database in the statement that inserts it (ADR-016): as a prepared
/// batch of the recorder's own, or appended with the COMMIT to EF's last command (<see cref="AuditedNpgsqlBatch"/>).
/// </summary>
internal static class PostgreSqlAppend
{
    /// <summary>The events as a prepared batch of their own, followed by the COMMIT of the recorder's transaction when asked.</summary>
    public static async Task WriteAsync(GovernanceDbContext db, IReadOnlyList<AuditRecord> records, bool commit, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            var insert = new NpgsqlBatchCommand(PositionalInsertEventSql);
            insert.Parameters.AddRange(EventParameters(record).ToArray());
            batch.BatchCommands.Add(insert);
        }
        if (commit)
        {
            // In the same round trip as the inserts: the lock they took is released as soon as the database is done.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        }
        try
        {
            // Prepared once per pooled connection (Npgsql keeps prepared statements across pool returns), and then
            // only bound: no parsing or planning per event.
            await batch.PrepareAsync(cancellationToken);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw new DbUpdateException("The audit event could not be written, so the change was not saved: " + ex.MessageText, ex);
        }
    }

    /// <summary>Appends the events and the COMMIT to a command of EF's that is about to be sent.</summary>
    public static void AppendWithCommit(NpgsqlCommand command, IReadOnlyList<AuditRecord> records)
    {
        var sql = new StringBuilder(command.CommandText);
        if (!command.CommandText.TrimEnd().EndsWith(';'))
        {
            sql.Append(';');
        }
        for (var n = 0; n < records.Count; n++)
        {
            // The same text for the same position on every save, so Npgsql's automatic preparation reuses it.
            sql.Append('\n').Append(NamedInsertEventSql.GetOrAdd(n, static position => InsertEventSql(i => $"@audit{position}_{i}"))).Append(';');
            var i = 0;
            foreach (var parameter in EventParameters(records[n]))
            {
                parameter.ParameterName = $"audit{n}_{i++}";
                command.Parameters.Add(parameter);
            }
        }
        sql.Append("\nCOMMIT;");
        command.CommandText = sql.ToString();
    }

    private static readonly string[] EventColumns =
        ["Timestamp", "ActorOid", "ActorUsername", "ActorRoles", "ActorApiKey", "Action", "EntityType", "EntityId", "Payload", "CorrelationId", "ClientAddress"];

    private static readonly string PositionalInsertEventSql = InsertEventSql(i => $"${i + 1}");

    /// <summary>The statement for the n-th event appended to EF's command, built once per position.</summary>
    private static readonly ConcurrentDictionary<int, string> NamedInsertEventSql = new();

    /// <summary>
    /// One event, chained by the database in one statement: the head row's UPDATE takes its lock, moves it on and hashes
    /// the canonical form the portal sent split around the chain (<see cref="AuditRecord.CanonicalAroundChain"/>) with
    /// the predecessor's hash and the new sequence number between; the INSERT stores what it returned. Without a head row
    /// the INSERT gets one row of NULLs and fails, rather than saving the change without its event.
    /// </summary>
    private static string InsertEventSql(Func<int, string> placeholder)
    {
        var before = placeholder(EventColumns.Length);
        var after = placeholder(EventColumns.Length + 1);
        return $"""
            WITH moved AS (
                UPDATE "AuditHeads" SET "Sequence" = "Sequence" + 1, "PreviousHash" = "Hash",
                    "Hash" = encode(sha256(convert_to({before} || "Hash" || '","seq":' || ("Sequence" + 1)::text || {after}, 'UTF8')), 'hex')
                WHERE "Id" = 1
                RETURNING "Sequence", "PreviousHash", "Hash")
            INSERT INTO "AuditEvents" ("Sequence", "PreviousHash", "Hash", {string.Join(", ", EventColumns.Select(c => $"\"{c}\""))})
            SELECT moved."Sequence", moved."PreviousHash", moved."Hash", {string.Join(", ", EventColumns.Select((_, i) => placeholder(i)))}
            FROM (VALUES (1)) AS one LEFT JOIN moved ON true
            """;
    }

    /// <summary>The values of <see cref="EventColumns"/>, then the canonical text before and after the chain's part.</summary>
    private static IEnumerable<NpgsqlParameter> EventParameters(AuditRecord record)
    {
        var e = AuditEvent.From(record, "", "");
        yield return new NpgsqlParameter<DateTimeOffset> { TypedValue = e.Timestamp };
        foreach (var value in new[] { e.ActorOid, e.ActorUsername, e.ActorRoles, e.ActorApiKey, e.Action, e.EntityType, e.EntityId, e.Payload, e.CorrelationId, e.ClientAddress })
        {
            yield return new NpgsqlParameter { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
        }
        var (beforePrevious, afterSequence) = record.CanonicalAroundChain();
        yield return new NpgsqlParameter { Value = beforePrevious, NpgsqlDbType = NpgsqlDbType.Text };
        yield return new NpgsqlParameter { Value = afterSequence, NpgsqlDbType = NpgsqlDbType.Text };
    }
}
