using System.Net;
using GovernancePortal.Audit;
using GovernancePortal.Jobs;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Data;

/// <summary>
/// The portal as docker-compose runs it (ADR-025): the schema migrated by an owning role, the portal (its requests and its
/// Hangfire server) connected as a runtime role that owns nothing.
/// </summary>
public sealed class LeastPrivilegePortal() : JobsPortal(TestDatabase.PostgreSql)
{
    // Roles belong to the whole cluster: fixed names, created once, each test database granting them afresh.
    public const string Owner = "governance_owner_test";
    public const string Runtime = "governance_runtime_test";

    public string OwnerConnectionString { get; private set; } = "";
    public string RuntimeConnectionString { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var database = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            foreach (var role in new[] { Owner, Runtime })
            {
                await Execute(connection, $"""
                    DO $$ BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                            CREATE ROLE "{role}" LOGIN PASSWORD '{role}';
                        END IF;
                    END $$;
                    """);
            }
            // Like docker-compose's POSTGRES_USER: the owner owns the database (and so its public schema), nothing more.
            await Execute(connection, $"""ALTER DATABASE "{database}" OWNER TO "{Owner}";""");
        }
        OwnerConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Username = Owner, Password = Owner }.ConnectionString;
        RuntimeConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Username = Runtime, Password = Runtime }.ConnectionString;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:Governance", RuntimeConnectionString);
        builder.UseSetting($"ConnectionStrings:{RuntimeRole.MigrationsConnectionStringName}", OwnerConnectionString);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class RuntimeRoleTests(LeastPrivilegePortal portal) : IClassFixture<LeastPrivilegePortal>
{
    [Fact]
    public async Task The_owner_owns_every_table_and_the_portal_connects_as_the_runtime_role()
    {
        Assert.Equal(LeastPrivilegePortal.Runtime, await portal.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT current_user AS \"Value\"").SingleAsync()));
        var owners = await QueryAsync(portal.OwnerConnectionString,
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'");
        Assert.Equal([LeastPrivilegePortal.Owner], owners);
    }

    [Fact]
    public async Task Pages_audited_writes_and_background_jobs_work_as_the_runtime_role()
    {
        var page = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await page.Http.GetAsync("/models")).StatusCode);
        var before = await portal.WithDbAsync(db => db.AuditHeads.Select(h => h.Sequence).SingleAsync());

        var api = await TestApiKeys.ClientAsync(portal, "owner@demo.test");
        var created = await api.PostAsync("/api/v1/models", Json(RegistryTestData.ModelBody("least-privilege")));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(await portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Sequence > before && e.Payload.Contains("least-privilege"))));
        // Hangfire's tables are created by the runtime role in the schema the owner provided; its jobs sign and verify.
        var manager = portal.Services.GetRequiredService<IRecurringJobManagerV2>();
        Assert.Equal("Succeeded", await portal.SettledAsync(manager.TriggerJob(AuditCheckpointJob.Id)!));
        Assert.Equal("Succeeded", await portal.SettledAsync(manager.TriggerJob(AuditVerificationJob.Id)!));
        Assert.True(await portal.WithDbAsync(db => db.AuditCheckpoints.AnyAsync()));
    }

    public static TheoryData<string> Attacks() =>
    [
        """UPDATE "AuditEvents" SET "ActorUsername" = 'someone-else' WHERE "Sequence" = 1""",
        """DELETE FROM "AuditEvents" WHERE "Sequence" = 1""",
        """TRUNCATE "AuditEvents" """,
        """INSERT INTO "AuditEvents" SELECT * FROM "AuditEvents" WHERE "Sequence" = 1 ON CONFLICT ("Sequence") DO UPDATE SET "ActorUsername" = 'someone-else'""",
        """ALTER TABLE "AuditEvents" DISABLE TRIGGER "AuditEvents_refuse_change" """,
        """ALTER TABLE "AuditEvents" DISABLE TRIGGER ALL""",
        """DROP TRIGGER "AuditEvents_refuse_change" ON "AuditEvents" """,
        """DROP TABLE "AuditEvents" CASCADE""",
        """ALTER TABLE "AuditEvents" RENAME TO "AuditEventsOld" """,
        """CREATE TRIGGER sneaky BEFORE UPDATE ON "AuditEvents" FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()""",
        """UPDATE "AuditCheckpoints" SET "RootHash" = "HeadHash" """,
        """DELETE FROM "AuditCheckpoints" """,
        """TRUNCATE "AuditCheckpoints" """,
        """DROP TABLE "AuditCheckpoints" """,
        """UPDATE "AuditVerifications" SET "LatestCheckpoint" = "LatestCheckpoint" + 100""",
        """DELETE FROM "AuditVerifications" """,
        """UPDATE "AuditHeads" SET "Sequence" = "Sequence" - 1""",
        """UPDATE "AuditHeads" SET "Id" = 2""",
        """DELETE FROM "AuditHeads" """,
        """TRUNCATE "AuditHeads" """,
        """ALTER TABLE "AuditHeads" DISABLE TRIGGER ALL""",
        """DROP TRIGGER "AuditHeads_refuse_rewind" ON "AuditHeads" """,
    ];

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task The_runtime_role_cannot_change_remove_or_rewind_history(string attack)
    {
        var head = await HeadAsync();
        var first = await QueryAsync(portal.RuntimeConnectionString, """SELECT "ActorUsername" || "Hash" FROM "AuditEvents" WHERE "Sequence" = 1""");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(portal.RuntimeConnectionString, attack));

        // Refused for want of a privilege, or by the audit triggers (which the runtime role cannot disable).
        Assert.Contains(refused.SqlState, new[] { PostgresErrorCodes.InsufficientPrivilege, PostgresErrorCodes.RaiseException });
        Assert.Equal(head, await HeadAsync());
        Assert.Equal(first, await QueryAsync(portal.RuntimeConnectionString, """SELECT "ActorUsername" || "Hash" FROM "AuditEvents" WHERE "Sequence" = 1"""));
        Assert.Equal(2, (await QueryAsync(portal.OwnerConnectionString,
            """SELECT tgname FROM pg_trigger WHERE tgrelid = '"AuditEvents"'::regclass AND NOT tgisinternal AND tgenabled = 'O'""")).Count);
    }

    [Fact]
    public async Task Privileges_on_the_audit_tables_are_select_and_insert_and_moving_the_head_on()
    {
        var privileges = await QueryAsync(portal.OwnerConnectionString, $"""
            SELECT table_name || ':' || privilege_type FROM information_schema.role_table_grants
            WHERE grantee = '{LeastPrivilegePortal.Runtime}' AND table_name IN ('AuditEvents', 'AuditCheckpoints', 'AuditHeads', 'AuditVerifications')
            ORDER BY 1
            """);
        Assert.Equal(["AuditCheckpoints:INSERT", "AuditCheckpoints:SELECT", "AuditEvents:INSERT", "AuditEvents:SELECT", "AuditHeads:SELECT", "AuditVerifications:INSERT", "AuditVerifications:SELECT"], privileges);
        var columns = await QueryAsync(portal.OwnerConnectionString, $"""
            SELECT column_name FROM information_schema.column_privileges
            WHERE grantee = '{LeastPrivilegePortal.Runtime}' AND table_name = 'AuditHeads' AND privilege_type = 'UPDATE' ORDER BY 1
            """);
        Assert.Equal(["Hash", "PreviousHash", "Sequence"], columns);
    }

    private Task<long> HeadAsync() => portal.WithDbAsync(db => db.AuditHeads.AsNoTracking().Select(h => h.Sequence).SingleAsync());

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }
}
