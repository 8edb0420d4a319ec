using System.Net;
using System.Net.Http.Json;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

/// <summary>
/// Tampering as someone with direct database access would do it: the append-only triggers are dropped first, so
/// every class here has a database of its own.
/// </summary>
public abstract class AuditTamperTests(PortalFactory portal) : IAsyncLifetime
{
    private static readonly string[] TamperableColumns =
    [
        "Action", "ActorOid", "ActorUsername", "ActorRoles", "ActorApiKey", "EntityType", "EntityId", "Payload",
        "CorrelationId", "ClientAddress", "PreviousHash", "Hash",
    ];

    public async Task InitializeAsync()
    {
        await PortalClient.SignedInAsync(portal, "owner@demo.test");
        await portal.WithDbAsync(async db =>
        {
            if (db.Database.IsSqlite())
            {
                foreach (var trigger in new[] { "AuditEvents_refuse_update", "AuditEvents_refuse_delete", "AuditCheckpoints_refuse_update", "AuditCheckpoints_refuse_delete" })
                {
                    var drop = "DROP TRIGGER IF EXISTS \"" + trigger + "\"";
                    await db.Database.ExecuteSqlRawAsync(drop);
                }
            }
            else
            {
                await db.Database.ExecuteSqlRawAsync("""
                    DROP TRIGGER IF EXISTS "AuditEvents_refuse_change" ON "AuditEvents";
                    DROP TRIGGER IF EXISTS "AuditCheckpoints_refuse_change" ON "AuditCheckpoints";
                    """);
            }
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AuditVerificationResult> VerifyAsync() => portal.WithDbAsync(db =>
        new AuditVerificationService(db, portal.Services.GetRequiredService<CheckpointKey>(), portal.Services.GetRequiredService<AuditWitness>(), portal.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuditOptions>>(), TimeProvider.System).VerifyAsync());

    private Task<CheckpointRun> CheckpointAsync() =>
        WithScopeAsync(s => s.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true));

    private async Task<T> WithScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task ExecuteAsync(string sql) => portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(sql));

    private Task<string?> ReadColumnAsync(string column, long sequence)
    {
        var sql = "SELECT \"" + column + "\" AS \"Value\" FROM \"AuditEvents\" WHERE \"Sequence\" = " + sequence;
        return portal.WithDbAsync(db => db.Database.SqlQueryRaw<string?>(sql).SingleAsync());
    }

    private Task WriteColumnAsync(string column, long sequence, string? value)
    {
        var sql = "UPDATE \"AuditEvents\" SET \"" + column + "\" = " + (value is null ? "NULL" : "{0}") + " WHERE \"Sequence\" = " + sequence;
        return portal.WithDbAsync(db => value is null ? db.Database.ExecuteSqlRawAsync(sql) : db.Database.ExecuteSqlRawAsync(sql, value));
    }

    [Fact]
    public async Task An_intact_log_verifies_and_gets_a_checkpoint_over_all_of_it()
    {
        var run = await CheckpointAsync();
        var result = await VerifyAsync();

        Assert.True(result.Valid, result.Reason);
        Assert.Null(run.RefusedBecause);
        Assert.Equal(result.HeadSequence, result.LatestCheckpoint!.TreeSize);
    }

    [Fact]
    public async Task Altering_any_single_field_of_any_event_is_detected_at_its_sequence()
    {
        await CheckpointAsync();
        var head = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));
        var targets = new[] { 1L, head / 2, head };
        foreach (var sequence in targets)
        {
            foreach (var column in TamperableColumns)
            {
                var original = await ReadColumnAsync(column, sequence);
                var forged = column.EndsWith("Hash") ? new string('f', 64) : (original ?? "") + "x";
                await WriteColumnAsync(column, sequence, forged);

                var result = await VerifyAsync();

                Assert.False(result.Valid, $"{column} of event {sequence} was altered unnoticed.");
                Assert.Equal(sequence, result.FirstInvalidSequence);
                await WriteColumnAsync(column, sequence, original);
            }
        }
        Assert.True((await VerifyAsync()).Valid);
    }

    [Fact]
    public async Task Altering_the_timestamp_of_an_event_is_detected()
    {
        var sequence = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence)) - 1;
        var sql = portal.Database == TestDatabase.Sqlite
            ? $"UPDATE \"AuditEvents\" SET \"Timestamp\" = \"Timestamp\" + 10 WHERE \"Sequence\" = {sequence}"
            : $"UPDATE \"AuditEvents\" SET \"Timestamp\" = \"Timestamp\" + interval '1 microsecond' WHERE \"Sequence\" = {sequence}";
        await ExecuteAsync(sql);

        var result = await VerifyAsync();

        Assert.Equal((false, sequence, AuditFault.PayloadAltered), (result.Valid, result.FirstInvalidSequence, result.Fault));
        var back = sql.Replace("+ 10", "- 10").Replace("+ interval", "- interval");
        await ExecuteAsync(back);
        Assert.True((await VerifyAsync()).Valid);
    }

    [Fact]
    public async Task Deleting_events_after_the_last_checkpoint_is_detected_as_truncation()
    {
        await CheckpointAsync();
        await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        await PortalClient.SignedInAsync(portal, "auditor@demo.test");
        var head = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));

        var deleted = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == head));

        await ExecuteAsync($"DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = {head}");
        var result = await VerifyAsync();

        Assert.Equal((false, head, AuditFault.Truncation), (result.Valid, result.FirstInvalidSequence, result.Fault));
        await portal.WithDbAsync(async db =>
        {
            // Put back as it was.
            db.AuditEvents.Add(deleted);
            await db.SaveChangesAsync();
        });
        Assert.True((await VerifyAsync()).Valid);
    }

    [Fact]
    public async Task A_forged_checkpoint_signature_is_detected()
    {
        var run = await CheckpointAsync();
        var size = run.Created[^1].TreeSize;
        var signature = await portal.WithDbAsync(db => db.AuditCheckpoints.Where(c => c.TreeSize == size).Select(c => c.Signature).SingleAsync());
        var forged = (signature[0] == 'A' ? "B" : "A") + signature[1..];

        await portal.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE \"AuditCheckpoints\" SET \"Signature\" = {forged} WHERE \"TreeSize\" = {size}"));
        var result = await VerifyAsync();

        Assert.Equal((false, size, AuditFault.BadSignature), (result.Valid, result.FirstInvalidSequence, result.Fault));
        await portal.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE \"AuditCheckpoints\" SET \"Signature\" = {signature} WHERE \"TreeSize\" = {size}"));
    }

    [Fact]
    public async Task A_damaged_log_raises_one_alert_however_often_it_is_verified_and_is_never_checkpointed()
    {
        // After the latest checkpoint, where a cut reads (it reads only the events it adds; older damage is the full run's).
        await portal.WithDbAsync(db =>
        {
            db.Audit.Record("test.damaged-later", "Thing", "damaged");
            return db.SaveChangesAsync();
        });
        var sequence = await portal.WithDbAsync(db => db.AuditHeads.Select(h => h.Sequence).SingleAsync());
        var original = await ReadColumnAsync("Action", sequence);
        await WriteColumnAsync("Action", sequence, "forged");

        for (var i = 0; i < 3; i++)
        {
            await WithScopeAsync(s => s.GetRequiredService<AuditVerificationService>().VerifyAndRecordAsync());
        }
        var run = await CheckpointAsync();

        var alerts = await portal.WithDbAsync(db => db.AuditAlerts.Where(a => a.FirstInvalidSequence == sequence).ToListAsync());
        Assert.Single(alerts);
        Assert.Equal(nameof(AuditFault.PayloadAltered), alerts[0].Fault);
        Assert.NotNull(run.RefusedBecause);
        Assert.Equal(3, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "audit.verification-failed")));
        // Admins and Auditors are told once, for the one alert, in the inbox (and by e-mail when it is on).
        var told = await portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == Notifications.AuditAlertNotifications.Kind
            && n.Title.EndsWith($" at event #{sequence}")).Select(n => n.Recipient).ToListAsync());
        Assert.Equal(["admin@demo.test", "auditor@demo.test"], told.Order(StringComparer.Ordinal));
        await WriteColumnAsync("Action", sequence, original);
    }
}

public sealed class TamperSqlitePortal() : PortalFactory(TestDatabase.Sqlite);

public sealed class TamperPostgreSqlPortal() : PortalFactory(TestDatabase.PostgreSql);

public sealed class AuditTamperTestsOnSqlite(TamperSqlitePortal portal) : AuditTamperTests(portal), IClassFixture<TamperSqlitePortal>;

public sealed class AuditTamperTestsOnPostgreSql(TamperPostgreSqlPortal portal) : AuditTamperTests(portal), IClassFixture<TamperPostgreSqlPortal>;
