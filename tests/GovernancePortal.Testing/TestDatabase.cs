using Npgsql;

namespace GovernancePortal.Testing;

public enum TestDatabase
{
    Sqlite,
    PostgreSql,
}

/// <summary>A fresh, empty database per fixture: a temp SQLite file, or a new database on the throwaway PostgreSQL server.</summary>
public static class TestDatabases
{
    public const string PostgresVariable = "GOVERNANCE_TEST_POSTGRES";

    public static string PostgresServer => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException(
            $"{PostgresVariable} is not set. Run the tests with scripts/test.sh: it starts a throwaway PostgreSQL cluster and sets it. " +
            "To use your own server, set it to an Npgsql connection string of a user who may create databases.");

    public static async Task<string> CreateAsync(TestDatabase database)
    {
        if (database == TestDatabase.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "governance-tests");
            Directory.CreateDirectory(folder);
            return $"Data Source={Path.Combine(folder, $"gp-{Guid.NewGuid():N}.db")}";
        }
        var name = $"gp_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(PostgresServer))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
    }

    public static async Task DropAsync(TestDatabase database, string connectionString)
    {
        if (database == TestDatabase.Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(PostgresServer);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
