using GovernancePortal.Audit;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Data;

public abstract class SchemaTests(EmptyPortal portal)
{
    [Fact]
    public async Task Migrating_an_empty_database_yields_the_schema_the_model_describes()
    {
        await portal.WithDbAsync(async db =>
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.False(db.Database.HasPendingModelChanges(), "The model has changes no migration captures: run scripts/add-migration.sh.");

            var tables = await TableNamesAsync(db);
            var expected = db.Model.GetEntityTypes().Select(t => t.GetTableName()!).Distinct();
            Assert.All(expected, table => Assert.Contains(table, tables));

            // Every mapped column exists: selecting them all through EF fails otherwise.
            foreach (var type in db.Model.GetEntityTypes())
            {
                var query = (IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!
                    .MakeGenericMethod(type.ClrType).Invoke(db, null)!;
                await query.Take(1).ToListAsync();
            }
        });
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_audit_events()
    {
        await portal.WithDbAsync(async db =>
        {
            db.Audit.Record("test.event", "Test", "1", new { note = "append-only" });
            await db.SaveChangesAsync();
            var sequence = await db.AuditEvents.MaxAsync(e => e.Sequence);

            var update = await Assert.ThrowsAnyAsync<Exception>(() =>
                db.Database.ExecuteSqlAsync($"UPDATE \"AuditEvents\" SET \"Action\" = 'forged' WHERE \"Sequence\" = {sequence}"));
            var delete = await Assert.ThrowsAnyAsync<Exception>(() =>
                db.Database.ExecuteSqlAsync($"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = {sequence}"));

            Assert.Contains("append-only", update.Message);
            Assert.Contains("append-only", delete.Message);
            Assert.Equal("test.event", (await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == sequence)).Action);
        });
    }

    [Fact]
    public async Task The_database_refuses_to_update_or_delete_audit_checkpoints()
    {
        await portal.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync(
                "INSERT INTO \"AuditCheckpoints\" (\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\") " +
                "VALUES (999999, {0}, {0}, {1}, 'sig', 'key')", AuditRecord.GenesisHash, db.Database.IsSqlite() ? 0L : DateTimeOffset.UnixEpoch);

            await Assert.ThrowsAnyAsync<Exception>(() =>
                db.Database.ExecuteSqlRawAsync("UPDATE \"AuditCheckpoints\" SET \"Signature\" = 'forged' WHERE \"TreeSize\" = 999999"));
            await Assert.ThrowsAnyAsync<Exception>(() =>
                db.Database.ExecuteSqlRawAsync("DELETE FROM \"AuditCheckpoints\" WHERE \"TreeSize\" = 999999"));
        });
    }

    [Fact]
    public async Task Migrating_a_database_made_by_unknown_migrations_is_refused_with_a_reason()
    {
        const string squashed = "20261125141220_Initial";
        await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ({0}, '10.0.14')", squashed));
        try
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(
                () => scope.ServiceProvider.GetRequiredService<DatabaseMigrator>().MigrateAsync());
            Assert.Contains(squashed, refused.Message);
            Assert.Contains("Recreate", refused.Message);
        }
        finally
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
                "DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {0}", squashed));
        }
    }

    private static async Task<List<string>> TableNamesAsync(GovernanceDbContext db)
    {
        var sql = db.Database.IsSqlite()
            ? "SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public'";
        return await db.Database.SqlQueryRaw<string>(sql).ToListAsync();
    }
}

/// <summary>A migrated database with nothing seeded.</summary>
public class EmptyPortal(TestDatabase database) : PortalFactory(database)
{
    protected override bool SeedDemo => false;
}

public sealed class EmptySqlitePortal() : EmptyPortal(TestDatabase.Sqlite);

public sealed class EmptyPostgreSqlPortal() : EmptyPortal(TestDatabase.PostgreSql);

public sealed class SchemaTestsOnSqlite(EmptySqlitePortal portal) : SchemaTests(portal), IClassFixture<EmptySqlitePortal>;

public sealed class SchemaTestsOnPostgreSql(EmptyPostgreSqlPortal portal) : SchemaTests(portal), IClassFixture<EmptyPostgreSqlPortal>;
