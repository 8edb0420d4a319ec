using GovernancePortal.Approvals;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Data;

/// <summary>Brings the schema up to date and stores the reference data the portal cannot run without (the default promotion policies, the checklist template library).</summary>
public sealed class DatabaseMigrator(GovernanceDbContext db, PromotionPolicyStore policies, Compliance.ChecklistLibrarySeeder checklists, ILogger<DatabaseMigrator> logger)
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
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        logger.LogInformation("Database migrated ({Count} migration(s) applied).", pending.Count);
        // Here rather than in a migration: defaults written as data by code stay one source of truth (PromotionPolicies.Defaults),
        // and every seeded version is audited like any other change. Idempotent, so fresh and existing databases alike get them.
        await policies.SeedDefaultsAsync(cancellationToken);
        // Template versions are reference data the schema is useless without; they arrive with the schema.
        await checklists.SeedAsync(cancellationToken);
    }
}
