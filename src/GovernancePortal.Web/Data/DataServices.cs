using System.Data.Common;
using GovernancePortal.Audit.Storage;
using GovernancePortal.Audit;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql;

namespace GovernancePortal.Data;

public static class DataServices
{
    public const string ConnectionStringName = "Governance";

    public static void AddPortalData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        builder.Services.AddScoped<AuditRecorder>();
        builder.Services.AddScoped<IAuditContextAccessor, HttpAuditContextAccessor>();

        switch (options.Provider)
        {
            case DatabaseProvider.PostgreSql:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is PostgreSql but ConnectionStrings:Governance is empty. Set it to an Npgsql connection string.");
                }
                // Worked out once here, not in the options callback that runs for every scope.
                var effective = PostgreSqlConnectionString(connectionString);
                builder.Services.AddDbContext<PostgreSqlGovernanceDbContext>(o => ConfigurePostgreSql(o, effective));
                builder.Services.AddScoped<GovernanceDbContext>(sp => sp.GetRequiredService<PostgreSqlGovernanceDbContext>());
                break;
            default:
                connectionString = string.IsNullOrWhiteSpace(connectionString)
                    ? DefaultSqliteConnectionString(builder.Environment.ContentRootPath)
                    : connectionString;
                builder.Services.AddDbContext<SqliteGovernanceDbContext>(o => ConfigureSqlite(o, connectionString));
                builder.Services.AddScoped<GovernanceDbContext>(sp => sp.GetRequiredService<SqliteGovernanceDbContext>());
                break;
        }

        builder.Services.AddDataProtection()
            .SetApplicationName("GovernancePortal")
            .PersistKeysToDbContext<GovernanceDbContext>();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseReadyHealthCheck>("database", tags: ["ready"]);
    }

    /// <summary>The embedded default: a SQLite file in the app's data folder, created on first run.</summary>
    public static string DefaultSqliteConnectionString(string contentRoot)
    {
        var folder = Path.Combine(contentRoot, "App_Data");
        Directory.CreateDirectory(folder);
        return $"Data Source={Path.Combine(folder, "governance.db")}";
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, o => o.MigrationsHistoryTable("__EFMigrationsHistory"));

    /// <summary>The portal's PostgreSQL context options; pass the connection string as <see cref="PostgreSqlConnectionString"/> gives it.</summary>
    public static void ConfigurePostgreSql(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__EFMigrationsHistory"))
            .ReplaceService<IModificationCommandBatchFactory, AuditedNpgsqlBatchFactory>()
            .AddInterceptors(AuditLastBatchInterceptor.Instance);

    /// <summary>
    /// The configured connection string, with Npgsql's automatic preparation on unless it says otherwise ("Max Auto
    /// Prepare=0" turns it off, e.g. behind a pooler without prepared-statement support): the statements a portal repeats,
    /// EF's saves and the audit append among them, are then parsed and planned once per pooled connection.
    /// </summary>
    public static string PostgreSqlConnectionString(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = DefaultMaxAutoPrepare }.ConnectionString;
    }

    private const int DefaultMaxAutoPrepare = 64;
}
