using System.Data.Common;
using System.Reflection;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace GovernancePortal.Bench;

/// <summary>
/// Writes entities straight to their tables, with the column names, value converters and store types of the portal's
/// EF Core model (so the rows are what EF Core would have written), but without change tracking or per-row audit.
/// </summary>
public static class BulkWriter
{
    private sealed record Column(string Name, PropertyInfo Property, RelationalTypeMapping Mapping)
    {
        public object? ProviderValue(object entity)
        {
            var value = Property.GetValue(entity);
            return value is null ? null : Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }

    private sealed record Table(string Name, IReadOnlyList<Column> Columns);

    /// <returns>The provider written to.</returns>
    public static async Task<string> WriteAsync(GovernanceDbContext db, GeneratedCatalogue catalogue, CancellationToken cancellationToken = default)
    {
        if (db.Database.IsNpgsql())
        {
            await CopyAsync(db, catalogue, cancellationToken);
            return $"PostgreSQL {await ScalarAsync(db, "SHOW server_version", cancellationToken)} (binary COPY)";
        }
        Insert(db, catalogue);
        return $"SQLite {await ScalarAsync(db, "SELECT sqlite_version()", cancellationToken)} (prepared INSERTs, one transaction)";
    }

    private static async Task<string?> ScalarAsync(GovernanceDbContext db, string sql, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            return (await command.ExecuteScalarAsync(cancellationToken))?.ToString();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static Table TableOf<T>(GovernanceDbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties()
            .Select(p => new Column(
                p.GetColumnName(table) ?? throw new InvalidOperationException($"{p.Name} has no column."),
                p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property; the writer needs a CLR property."),
                p.GetRelationalTypeMapping()))
            .ToList();
        return new Table(table.Name, columns);
    }

    private static string Quote(string name) => $"\"{name.Replace("\"", "\"\"")}\"";

    // ---- SQLite: one transaction, one prepared INSERT per table, parameters configured by EF Core's type mappings.

    private static void Insert(GovernanceDbContext db, GeneratedCatalogue catalogue)
    {
        db.Database.OpenConnection();
        try
        {
            var connection = db.Database.GetDbConnection();
            using var transaction = connection.BeginTransaction();
            InsertAll(connection, transaction, TableOf<Registry.Model>(db), catalogue.Models);
            InsertAll(connection, transaction, TableOf<Registry.ModelVersion>(db), catalogue.Versions);
            InsertAll(connection, transaction, TableOf<Registry.VersionMetric>(db), catalogue.Metrics);
            transaction.Commit();
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }

    private static void InsertAll<T>(DbConnection connection, DbTransaction transaction, Table table, IEnumerable<T> rows) where T : notnull
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) " +
            $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => $"@p{i}"))})";
        var parameters = table.Columns.Select((c, i) => c.Mapping.CreateParameter(command, $"@p{i}", null, nullable: true)).ToArray();
        command.Parameters.AddRange(parameters);
        command.Prepare();
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = table.Columns[i].ProviderValue(row) ?? DBNull.Value;
            }
            command.ExecuteNonQuery();
        }
    }

    // ---- PostgreSQL: binary COPY per table in one transaction, each value written as its column's store type.

    private static async Task CopyAsync(GovernanceDbContext db, GeneratedCatalogue catalogue, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                await CopyAllAsync(connection, TableOf<Registry.Model>(db), catalogue.Models, cancellationToken);
                await CopyAllAsync(connection, TableOf<Registry.ModelVersion>(db), catalogue.Versions, cancellationToken);
                await CopyAllAsync(connection, TableOf<Registry.VersionMetric>(db), catalogue.Metrics, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            // What autovacuum would do shortly after a load this size: statistics for the planner, a visibility map.
            await using var vacuum = connection.CreateCommand();
            vacuum.CommandText = """VACUUM (ANALYZE) "Models", "ModelVersions", "VersionMetrics";""";
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task CopyAllAsync<T>(NpgsqlConnection connection, Table table, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : notnull
    {
        var types = table.Columns.Select(c => c.Mapping.StoreTypeNameBase).ToArray();
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var i = 0; i < types.Length; i++)
            {
                if (table.Columns[i].ProviderValue(row) is { } value)
                {
                    await importer.WriteAsync(value, types[i], cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
            }
        }
        await importer.CompleteAsync(cancellationToken);
    }
}
