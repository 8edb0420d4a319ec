using System.Text;
using GovernancePortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace GovernancePortal.Audit.Storage;

/// <summary>
/// Writes chained events and moves the head row on SQLite in one command, inside the caller's open transaction. The
/// head moves only from the state the events were chained to; otherwise the command fails as a concurrency conflict
/// and the transaction must roll back (ADR-009).
/// </summary>
internal static class SqliteAppend
{
    private const string Insert = """
        INSERT INTO "AuditEvents" ("Sequence", "Timestamp", "ActorOid", "ActorUsername", "ActorRoles", "ActorApiKey",
            "Action", "EntityType", "EntityId", "Payload", "CorrelationId", "ClientAddress", "PreviousHash", "Hash")
        """;

    private const string MoveHead = """
        UPDATE "AuditHeads" SET "Sequence" = $headSequence, "Hash" = $headHash
        WHERE "Id" = 1 AND "Sequence" = $fromSequence AND "Hash" = $fromHash
        """;

    public static async Task WriteAsync(GovernanceDbContext db, IReadOnlyList<AuditEvent> events, (long Sequence, string Hash) from,
        CancellationToken cancellationToken)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        var sql = new StringBuilder(Insert).Append(" VALUES ");
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            sql.Append(i == 0 ? "" : ", ").Append($"($s{i}, $t{i}, $o{i}, $u{i}, $r{i}, $k{i}, $a{i}, $et{i}, $ei{i}, $p{i}, $c{i}, $ip{i}, $ph{i}, $h{i})");
            var parameters = command.Parameters;
            parameters.AddWithValue($"$s{i}", e.Sequence);
            // DateTimeOffset is stored as UTC ticks on SQLite (SqliteGovernanceDbContext).
            parameters.AddWithValue($"$t{i}", e.Timestamp.UtcTicks);
            parameters.AddWithValue($"$o{i}", e.ActorOid);
            parameters.AddWithValue($"$u{i}", e.ActorUsername);
            parameters.AddWithValue($"$r{i}", e.ActorRoles);
            parameters.AddWithValue($"$k{i}", (object?)e.ActorApiKey ?? DBNull.Value);
            parameters.AddWithValue($"$a{i}", e.Action);
            parameters.AddWithValue($"$et{i}", e.EntityType);
            parameters.AddWithValue($"$ei{i}", e.EntityId);
            parameters.AddWithValue($"$p{i}", e.Payload);
            parameters.AddWithValue($"$c{i}", (object?)e.CorrelationId ?? DBNull.Value);
            parameters.AddWithValue($"$ip{i}", (object?)e.ClientAddress ?? DBNull.Value);
            parameters.AddWithValue($"$ph{i}", e.PreviousHash);
            parameters.AddWithValue($"$h{i}", e.Hash);
        }
        sql.Append(';').Append(MoveHead);
        command.Parameters.AddWithValue("$headSequence", events[^1].Sequence);
        command.Parameters.AddWithValue("$headHash", events[^1].Hash);
        command.Parameters.AddWithValue("$fromSequence", from.Sequence);
        command.Parameters.AddWithValue("$fromHash", from.Hash);
        command.CommandText = sql.ToString();
        int written;
        try
        {
            written = await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            // A repeated sequence (another instance appended) or any refusal by the database: the change must not stay.
            throw new DbUpdateException("The audit event could not be written, so the change was not saved: " + ex.Message, ex);
        }
        // Every event row, and the head row if it was where the events were chained to.
        if (written != events.Count + 1)
        {
            throw new DbUpdateConcurrencyException($"The audit head is no longer at event {from.Sequence}; another writer appended meanwhile.");
        }
    }
}
