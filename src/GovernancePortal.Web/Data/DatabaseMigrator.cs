using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Data;

public sealed class DatabaseMigrator(GovernanceDbContext db, Compliance.ChecklistLibrarySeeder checklists, ILogger<DatabaseMigrator> logger)
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
        // Template versions are reference data the schema is useless without; they arrive with the schema.
        await checklists.SeedAsync(cancellationToken);
    }
}
