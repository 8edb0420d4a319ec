using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GovernancePortal.Benchmarks;

internal enum Provider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// A fresh, empty database for one scenario (a temp SQLite file, or a new database on the benchmark's PostgreSQL
/// server), migrated with the portal's own migrations, and the services a request of the portal would use on it.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string? _server;

    private BenchDatabase(Provider provider, string connectionString, string? server)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _server = server;
    }

    public Provider Provider { get; }
    public string ConnectionString { get; }
    public string Name => Provider == Provider.Sqlite ? "SQLite" : "PostgreSQL";

    public static BenchDatabase Sqlite(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}-{Guid.NewGuid():N}.db");
        return new BenchDatabase(Provider.Sqlite, $"Data Source={path}", null);
    }

    /// <summary>A database another process made (the scale run's verifying child); not dropped here.</summary>
    public static BenchDatabase Existing(Provider provider, string connectionString) => new(provider, connectionString, null);

    public static async Task<BenchDatabase> PostgreSqlAsync(string server, string name)
    {
        var database = $"gp_bench_{name}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new BenchDatabase(Provider.PostgreSql, new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString, server);
    }

    /// <summary>The portal's data services for this database, registered as <see cref="DataServices"/> does.</summary>
    public ServiceProvider BuildServices(string checkpointKeyPem, int checkpointInterval = 1000, CommandTimer? timer = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<BenchAuditContext>();
        services.AddScoped<IAuditContextAccessor>(sp => sp.GetRequiredService<BenchAuditContext>());
        services.AddScoped<AuditRecorder>();
        services.AddSingleton<IHostEnvironment>(new BenchHostEnvironment());
        // The generated log's timestamps are not a running portal's: only the interval rule applies to it.
        services.AddSingleton(Options.Create(new AuditOptions
        {
            CheckpointKeyPem = checkpointKeyPem,
            Checkpoint = new CheckpointOptions { MaxEvents = checkpointInterval, MaxAge = TimeSpan.FromDays(36500) },
        }));
        services.AddSingleton<CheckpointKey>();
        services.AddAuditWitness();
        services.AddScoped<AuditVerificationService>();
        // What the portal's migrator also seeds (default policies, the checklist library beside the executable).
        services.AddSingleton(Options.Create(new ChecklistOptions()));
        services.AddScoped<PromotionPolicyStore>();
        services.AddScoped<ChecklistLibrarySeeder>();
        services.AddScoped<DatabaseMigrator>();
        var connectionString = ConnectionString;
        if (Provider == Provider.Sqlite)
        {
            services.AddDbContext<SqliteGovernanceDbContext>(o => Intercept(o, timer).ConfigureSqlite(connectionString));
            services.AddScoped<GovernanceDbContext>(sp => sp.GetRequiredService<SqliteGovernanceDbContext>());
            services.AddDbContext<SqlitePlainModelDbContext>(o => Intercept(o, timer).UseSqlite(connectionString));
            services.AddScoped<PlainModelDbContext>(sp => sp.GetRequiredService<SqlitePlainModelDbContext>());
        }
        else
        {
            // The portal's effective connection string (automatic preparation on), worked out once, for both contexts.
            var effective = DataServices.PostgreSqlConnectionString(connectionString);
            services.AddDbContext<PostgreSqlGovernanceDbContext>(o => Intercept(o, timer).ConfigurePostgreSql(effective));
            services.AddScoped<GovernanceDbContext>(sp => sp.GetRequiredService<PostgreSqlGovernanceDbContext>());
            services.AddDbContext<PostgreSqlPlainModelDbContext>(o => Intercept(o, timer).UseNpgsql(effective));
            services.AddScoped<PlainModelDbContext>(sp => sp.GetRequiredService<PostgreSqlPlainModelDbContext>());
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    private static DbContextOptionsBuilder Intercept(DbContextOptionsBuilder options, CommandTimer? timer) =>
        timer is null ? options : options.AddInterceptors(timer);

    /// <summary>Applies the portal's migrations the way the portal does (WAL on SQLite first).</summary>
    public static async Task MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync();
    }

    /// <summary>The schema only, without the audited reference data the migrator seeds: a bulk-loaded log starts at event 1.</summary>
    public static async Task MigrateSchemaOnlyAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            await db.Database.CloseConnectionAsync();
        }
        await db.Database.MigrateAsync();
    }

    public async Task<string> ServerVersionAsync()
    {
        if (Provider == Provider.Sqlite)
        {
            await using var sqlite = new SqliteConnection(ConnectionString);
            await sqlite.OpenAsync();
            await using var command = new SqliteCommand("SELECT sqlite_version()", sqlite);
            return "SQLite " + await command.ExecuteScalarAsync();
        }
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var show = new NpgsqlCommand("SELECT current_setting('server_version') || ' (fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ')'", connection);
        return "PostgreSQL " + await show.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Provider == Provider.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            var path = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
            return;
        }
        NpgsqlConnection.ClearAllPools();
        var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database;
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>The actor, correlation id and client address of the "request" a write belongs to.</summary>
internal sealed class BenchAuditContext : IAuditContextAccessor
{
    public AuditContext Current { get; set; } = new(AuditActor.System, null, null);
}

internal static class ProviderConfiguration
{
    // The portal's own provider settings (DataServices), applied to any options builder.
    public static DbContextOptionsBuilder ConfigureSqlite(this DbContextOptionsBuilder options, string connectionString)
    {
        DataServices.ConfigureSqlite(options, connectionString);
        return options;
    }

    public static DbContextOptionsBuilder ConfigurePostgreSql(this DbContextOptionsBuilder options, string connectionString)
    {
        DataServices.ConfigurePostgreSql(options, connectionString);
        return options;
    }
}

internal sealed class BenchHostEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Production";
    public string ApplicationName { get; set; } = "GovernancePortal.Benchmarks";
    public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
}
