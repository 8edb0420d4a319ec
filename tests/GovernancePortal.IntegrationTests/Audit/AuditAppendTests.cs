using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

public abstract class AuditAppendTests(PortalFactory portal)
{
    [Fact]
    public async Task Sign_in_is_audited_with_the_persona_as_actor()
    {
        await PortalClient.SignedInAsync(portal, "compliance2@demo.test");

        var signIn = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "user.signed-in" && e.ActorUsername == "compliance2@demo.test")
            .OrderByDescending(e => e.Sequence).FirstAsync());

        Assert.Equal(DemoPersonas.Find("compliance2@demo.test")!.ObjectId.ToString(), signIn.ActorOid);
        Assert.Equal(Roles.ComplianceOfficer, signIn.ActorRoles);
        Assert.Equal(nameof(UserAccount), signIn.EntityType);
        Assert.NotNull(signIn.CorrelationId);
    }

    [Fact]
    public async Task A_refused_authorization_is_audited()
    {
        var client = await PortalClient.SignedInAsync(portal, "auditor@demo.test");

        await client.Http.GetAsync("/admin/api-keys");

        var refused = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "authorization.refused" && e.ActorUsername == "auditor@demo.test").ToListAsync());
        Assert.Contains(refused, e => e.EntityId == "/admin/api-keys");
    }

    [Fact]
    public async Task A_change_without_an_audit_event_is_refused_and_nothing_is_saved()
    {
        await portal.WithDbAsync(async db =>
        {
            var user = await db.Users.FirstAsync();
            user.DisplayName = "Changed without audit";

            await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        });

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.DisplayName == "Changed without audit")));
    }

    [Fact]
    public async Task When_the_audit_write_fails_the_change_is_rolled_back()
    {
        var before = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        await portal.WithDbAsync(async db =>
        {
            var user = await db.Users.FirstAsync(u => u.Username == "viewer@demo.test");
            user.Team = "Rolled back";
            // An action longer than its column cannot be stored on PostgreSQL; on SQLite a duplicate key fails instead.
            db.Audit.Record(new string('x', 300), user);
            if (db.Database.IsSqlite())
            {
                db.AuditEvents.Add(new AuditEvent
                {
                    Sequence = 1, ActorOid = "x", ActorUsername = "x", ActorRoles = "", Action = "x", EntityType = "x", EntityId = "x",
                    Payload = "{}", PreviousHash = AuditRecord.GenesisHash, Hash = AuditRecord.GenesisHash,
                });
            }

            await Assert.ThrowsAnyAsync<DbUpdateException>(() => db.SaveChangesAsync());
        });

        Assert.False(await portal.WithDbAsync(db => db.Users.AnyAsync(u => u.Team == "Rolled back")));
        Assert.Equal(before, await portal.WithDbAsync(db => db.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task An_append_this_process_did_not_make_is_caught_and_the_next_append_redone_under_the_lock()
    {
        // Appenders remember the head they last committed. An append inside a caller's transaction takes the row lock
        // and leaves that memory stale, as an append by another portal instance would.
        await portal.WithDbAsync(async db =>
        {
            db.Audit.Record("test.stale-head", "Writer", "first");
            await db.SaveChangesAsync();
        });
        await portal.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Audit.Record("test.stale-head", "Writer", "elsewhere");
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });
        await portal.WithDbAsync(async db =>
        {
            db.Audit.Record("test.stale-head", "Writer", "after");
            await db.SaveChangesAsync();
        });

        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(["first", "elsewhere", "after"], events.Where(e => e.Action == "test.stale-head").Select(e => e.EntityId));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var result = await portal.WithDbAsync(db =>
            new AuditVerificationService(db, portal.Services.GetRequiredService<CheckpointKey>(), TimeProvider.System).VerifyAsync());
        Assert.True(result.Valid, result.Reason);
        Assert.Equal(events[^1].Sequence, result.HeadSequence);
    }

    [Fact]
    public async Task Parallel_writers_leave_a_gapless_valid_chain()
    {
        const int writers = 8;
        const int eventsPerWriter = 500;
        var start = await portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => (long?)e.Sequence)) ?? 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < eventsPerWriter; i++)
            {
                await using var scope = portal.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
                db.Audit.Record("test.parallel", "Writer", writer.ToString(), new { i });
                await db.SaveChangesAsync();
            }
        })));

        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(writers * eventsPerWriter, events.Count(e => e.Sequence > start && e.Action == "test.parallel"));
        var previous = AuditRecord.GenesisHash;
        foreach (var e in events)
        {
            Assert.Equal(previous, e.PreviousHash);
            Assert.Equal(e.Hash, e.ToRecord().ComputeHash(e.PreviousHash));
            previous = e.Hash;
        }
        var head = await portal.WithDbAsync(db => db.AuditHeads.AsNoTracking().SingleAsync());
        Assert.Equal((events[^1].Sequence, events[^1].Hash), (head.Sequence, head.Hash));
    }
}

public sealed class AuditAppendTestsOnSqlite(SqlitePortal portal) : AuditAppendTests(portal), IClassFixture<SqlitePortal>;

public sealed class AuditAppendTestsOnPostgreSql(PostgreSqlPortal portal) : AuditAppendTests(portal), IClassFixture<PostgreSqlPortal>;
