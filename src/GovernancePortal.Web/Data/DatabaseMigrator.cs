using GovernancePortal.Approvals;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Data;

/// <summary>
/// Brings the schema up to date and stores the reference data the portal cannot run without (the default promotion
/// policies, the checklist template library). On PostgreSQL with <c>ConnectionStrings:GovernanceMigrations</c> set, the
/// schema is changed as that owning role, which then grants the runtime role its privileges (<see cref="RuntimeRole"/>);
/// the reference data is written as the runtime role, like any other change.
/// </summary>
public sealed class DatabaseMigrator(
    GovernanceDbContext db, PromotionPolicyStore policies, Reviews.ReviewPolicyStore reviewPolicies, Compliance.ChecklistLibrarySeeder checklists, IConfiguration configuration,
    ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite())
        {
            // WAL lets readers go on while one writer appends; the setting is kept in the file.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.CloseConnectionAsync();
        }
        var owner = db.Database.IsNpgsql() ? RuntimeRole.MigrationsConnectionString(configuration) : null;
        var runtime = db.Database.GetConnectionString();
        if (owner is not null)
        {
            db.Database.SetConnectionString(DataServices.PostgreSqlConnectionString(owner));
        }
        try
        {
            await RefuseUnknownHistoryAsync(cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            await db.Database.MigrateAsync(cancellationToken);
            logger.LogInformation("Database migrated ({Count} migration(s) applied).", pending.Count);
            if (owner is not null)
            {
                await RuntimeRole.GrantAsync(db, RuntimeRole.UserOf(runtime), logger, cancellationToken);
            }
        }
        finally
        {
            if (owner is not null)
            {
                await db.Database.CloseConnectionAsync();
                db.Database.SetConnectionString(runtime);
            }
        }
        // Here rather than in a migration: defaults written as data by code stay one source of truth (PromotionPolicies.Defaults),
        // and every seeded version is audited like any other change. Idempotent, so fresh and existing databases alike get them.
        await policies.SeedDefaultsAsync(cancellationToken);
        await reviewPolicies.SeedDefaultsAsync(cancellationToken);
        // Template versions are reference data the schema is useless without; they arrive with the schema.
        await checklists.SeedAsync(cancellationToken);
    }

    /// <summary>
    /// A database made by migrations this build does not have (those squashed into the baseline on 2026-12-08) would
    /// otherwise fail half-way through creating tables that exist.
    /// </summary>
    private async Task RefuseUnknownHistoryAsync(CancellationToken cancellationToken)
    {
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Where(m => !known.Contains(m)).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database was migrated by migrations this portal does not know ({string.Join(", ", unknown.Take(3))}" +
                $"{(unknown.Count > 3 ? ", …" : "")}): it predates the baseline of 2026-12-08 or comes from a newer portal. " +
                "Recreate a development database (delete App_Data/governance.db, or drop the PostgreSQL database).");
        }
    }
}
