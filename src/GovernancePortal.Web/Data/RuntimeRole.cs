using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace GovernancePortal.Data;

/// <summary>
/// Least privilege on PostgreSQL (ADR-025): <c>migrate</c> connects as the owning role from
/// <c>ConnectionStrings:GovernanceMigrations</c> when it is set, and grants the user of <c>ConnectionStrings:Governance</c>
/// what the portal needs (db/postgresql/runtime-role.sql): on the audit tables only SELECT and INSERT (and moving the
/// head row on), and no ownership of anything, so it can neither change history nor drop or disable the triggers.
/// </summary>
public static class RuntimeRole
{
    public const string MigrationsConnectionStringName = "GovernanceMigrations";

    /// <summary>The owner's connection string, when migrations run as a role of their own.</summary>
    public static string? MigrationsConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(MigrationsConnectionStringName) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>Grants <paramref name="runtimeUser"/> its privileges, connected as the owner; nothing when the owner is that user.</summary>
    public static async Task GrantAsync(GovernanceDbContext ownerDb, string? runtimeUser, ILogger logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(runtimeUser))
        {
            return;
        }
        var owner = await ownerDb.Database.SqlQueryRaw<string>("SELECT current_user AS \"Value\"").SingleAsync(cancellationToken);
        if (owner == runtimeUser)
        {
            logger.LogWarning("ConnectionStrings:{Migrations} and ConnectionStrings:{Runtime} name the same user {User}: the portal runs as the owner of the audit tables.",
                MigrationsConnectionStringName, DataServices.ConnectionStringName, owner);
            return;
        }
        await ownerDb.Database.ExecuteSqlRawAsync(Script(runtimeUser), cancellationToken);
        logger.LogInformation("Runtime role {Runtime} granted its privileges by {Owner}.", runtimeUser, owner);
    }

    /// <summary>db/postgresql/runtime-role.sql with its psql variable filled in (a quoted identifier).</summary>
    public static string Script(string runtimeUser)
    {
        using var stream = typeof(RuntimeRole).Assembly.GetManifestResourceStream("GovernancePortal.Data.runtime-role.sql")
            ?? throw new InvalidOperationException("runtime-role.sql is not embedded in the portal.");
        using var reader = new StreamReader(stream);
        var identifier = "\"" + runtimeUser.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        return reader.ReadToEnd().Replace(":\"runtime_role\"", identifier, StringComparison.Ordinal);
    }

    /// <summary>The user a connection string signs in as.</summary>
    public static string? UserOf(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString) ? null : new NpgsqlConnectionStringBuilder(connectionString).Username;
}
