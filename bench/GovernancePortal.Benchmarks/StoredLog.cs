using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using GovernancePortal.Audit;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace GovernancePortal.Benchmarks;

/// <summary>
/// Puts a generated log into a migrated database as stored rows (bypassing the recorder: only the rows matter), and
/// reads it back without EF for the profile.
/// </summary>
internal static class StoredLog
{
    public const string ColumnList = Columns;

    private const string Columns =
        "\"Sequence\", \"Timestamp\", \"ActorOid\", \"ActorUsername\", \"ActorRoles\", \"ActorApiKey\", \"Action\", \"EntityType\", " +
        "\"EntityId\", \"Payload\", \"CorrelationId\", \"ClientAddress\", \"PreviousHash\", \"Hash\"";

    private const string Select = $"SELECT {Columns} FROM \"AuditEvents\" ORDER BY \"Sequence\"";

    public static async Task LoadSqliteAsync(string connectionString, AuditLog log, IReadOnlyList<SignedCheckpoint> checkpoints)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        Execute(connection, "PRAGMA cache_size = -262144;");
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO \"AuditEvents\" ({Columns}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13)";
            var p = Enumerable.Range(0, 14).Select(i => insert.Parameters.Add($"$p{i}", i < 2 ? SqliteType.Integer : SqliteType.Text)).ToArray();
            insert.Prepare();
            foreach (var stored in log.Events)
            {
                BindRow(p, stored);
                insert.ExecuteNonQuery();
            }

            using var checkpoint = connection.CreateCommand();
            checkpoint.Transaction = transaction;
            checkpoint.CommandText = "INSERT INTO \"AuditCheckpoints\" (\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\") VALUES ($s, $r, $h, $t, $g, $k)";
            var keyId = KeyId(log.Key);
            foreach (var c in checkpoints)
            {
                checkpoint.Parameters.Clear();
                checkpoint.Parameters.AddWithValue("$s", c.TreeSize);
                checkpoint.Parameters.AddWithValue("$r", c.RootHash);
                checkpoint.Parameters.AddWithValue("$h", c.HeadHash);
                checkpoint.Parameters.AddWithValue("$t", c.Timestamp.UtcTicks);
                checkpoint.Parameters.AddWithValue("$g", c.Signature);
                checkpoint.Parameters.AddWithValue("$k", keyId);
                checkpoint.ExecuteNonQuery();
            }

            using var head = connection.CreateCommand();
            head.Transaction = transaction;
            head.CommandText = "UPDATE \"AuditHeads\" SET \"Sequence\" = $s, \"Hash\" = $h WHERE \"Id\" = 1";
            head.Parameters.AddWithValue("$s", log.HeadSequence);
            head.Parameters.AddWithValue("$h", log.HeadHash);
            head.ExecuteNonQuery();
            transaction.Commit();
        }
        // Fold the WAL into the database file, as SQLite's automatic checkpoints would have long since done in use.
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    public static async Task LoadPostgreSqlAsync(string connectionString, AuditLog log, IReadOnlyList<SignedCheckpoint> checkpoints)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var import = await connection.BeginBinaryImportAsync($"COPY \"AuditEvents\" ({Columns}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var stored in log.Events)
            {
                WriteRow(import, stored);
            }
            await import.CompleteAsync();
        }

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var keyId = KeyId(log.Key);
            foreach (var c in checkpoints)
            {
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO \"AuditCheckpoints\" (\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\") VALUES ($1, $2, $3, $4, $5, $6)",
                    connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter { Value = c.TreeSize });
                insert.Parameters.Add(new NpgsqlParameter { Value = c.RootHash });
                insert.Parameters.Add(new NpgsqlParameter { Value = c.HeadHash });
                insert.Parameters.Add(new NpgsqlParameter { Value = c.Timestamp });
                insert.Parameters.Add(new NpgsqlParameter { Value = c.Signature });
                insert.Parameters.Add(new NpgsqlParameter { Value = keyId });
                await insert.ExecuteNonQueryAsync();
            }
            await using var head = new NpgsqlCommand("UPDATE \"AuditHeads\" SET \"Sequence\" = $1, \"Hash\" = $2 WHERE \"Id\" = 1", connection, transaction);
            head.Parameters.Add(new NpgsqlParameter { Value = log.HeadSequence });
            head.Parameters.Add(new NpgsqlParameter { Value = log.HeadHash });
            await head.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        // Statistics and the visibility map, as autovacuum would have left them on a log built up over time.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE \"AuditEvents\"", connection);
        vacuum.CommandTimeout = 600;
        await vacuum.ExecuteNonQueryAsync();
    }

    /// <summary>One event into the parameters of the prepared SQLite INSERT of <see cref="ColumnList"/>.</summary>
    public static void BindRow(SqliteParameter[] p, StoredAuditEvent stored)
    {
        var e = AuditEvent.From(stored.Record, stored.PreviousHash, stored.Hash);
        p[0].Value = e.Sequence;
        // SqliteGovernanceDbContext stores DateTimeOffset as UTC ticks.
        p[1].Value = e.Timestamp.UtcTicks;
        p[2].Value = e.ActorOid;
        p[3].Value = e.ActorUsername;
        p[4].Value = e.ActorRoles;
        p[5].Value = (object?)e.ActorApiKey ?? DBNull.Value;
        p[6].Value = e.Action;
        p[7].Value = e.EntityType;
        p[8].Value = e.EntityId;
        p[9].Value = e.Payload;
        p[10].Value = (object?)e.CorrelationId ?? DBNull.Value;
        p[11].Value = (object?)e.ClientAddress ?? DBNull.Value;
        p[12].Value = e.PreviousHash;
        p[13].Value = e.Hash;
    }

    /// <summary>One event as a row of the binary COPY into AuditEvents (<see cref="ColumnList"/>).</summary>
    public static void WriteRow(NpgsqlBinaryImporter import, StoredAuditEvent stored)
    {
        var e = AuditEvent.From(stored.Record, stored.PreviousHash, stored.Hash);
        import.StartRow();
        import.Write(e.Sequence, NpgsqlDbType.Bigint);
        import.Write(e.Timestamp, NpgsqlDbType.TimestampTz);
        import.Write(e.ActorOid, NpgsqlDbType.Varchar);
        import.Write(e.ActorUsername, NpgsqlDbType.Varchar);
        import.Write(e.ActorRoles, NpgsqlDbType.Varchar);
        WriteNullable(import, e.ActorApiKey);
        import.Write(e.Action, NpgsqlDbType.Varchar);
        import.Write(e.EntityType, NpgsqlDbType.Varchar);
        import.Write(e.EntityId, NpgsqlDbType.Varchar);
        import.Write(e.Payload, NpgsqlDbType.Text);
        WriteNullable(import, e.CorrelationId);
        WriteNullable(import, e.ClientAddress);
        import.Write(e.PreviousHash, NpgsqlDbType.Char);
        import.Write(e.Hash, NpgsqlDbType.Char);
    }

    /// <summary>Every stored event in order, read with a plain data reader (no EF).</summary>
    public static IEnumerable<StoredAuditEvent> ReadSqlite(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Select;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return Stored(reader, new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero));
        }
    }

    public static IEnumerable<StoredAuditEvent> ReadPostgreSql(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
        using var command = new NpgsqlCommand(Select, connection, transaction);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return Stored(reader, reader.GetFieldValue<DateTimeOffset>(1));
        }
    }

    /// <summary>Steps through the same query as the readers without reading any value.</summary>
    public static int StepRows(BenchDatabase database)
    {
        using DbConnection connection = database.Provider == Provider.Sqlite
            ? new SqliteConnection(database.ConnectionString)
            : new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = Select;
        using var reader = command.ExecuteReader();
        var count = 0;
        while (reader.Read())
        {
            count++;
        }
        return count;
    }

    public static async Task<string> SizeAsync(BenchDatabase database)
    {
        if (database.Provider == Provider.Sqlite)
        {
            var path = new SqliteConnectionStringBuilder(database.ConnectionString).DataSource;
            return $"{new FileInfo(path).Length / (1024.0 * 1024):0} MiB file";
        }
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_total_relation_size('\"AuditEvents\"')", connection);
        var bytes = (long)(await command.ExecuteScalarAsync())!;
        return $"{bytes / (1024.0 * 1024):0} MiB table with indexes";
    }

    private static StoredAuditEvent Stored(IDataRecord r, DateTimeOffset timestamp)
    {
        var e = new AuditEvent
        {
            Sequence = r.GetInt64(0),
            Timestamp = timestamp,
            ActorOid = r.GetString(2),
            ActorUsername = r.GetString(3),
            ActorRoles = r.GetString(4),
            ActorApiKey = r.IsDBNull(5) ? null : r.GetString(5),
            Action = r.GetString(6),
            EntityType = r.GetString(7),
            EntityId = r.GetString(8),
            Payload = r.GetString(9),
            CorrelationId = r.IsDBNull(10) ? null : r.GetString(10),
            ClientAddress = r.IsDBNull(11) ? null : r.GetString(11),
            PreviousHash = r.GetString(12),
            Hash = r.GetString(13),
        };
        return new StoredAuditEvent(e.ToRecord(), e.PreviousHash, e.Hash);
    }

    private static void WriteNullable(NpgsqlBinaryImporter import, string? value)
    {
        if (value is null)
        {
            import.WriteNull();
        }
        else
        {
            import.Write(value, NpgsqlDbType.Varchar);
        }
    }

    private static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
