using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

/// <summary>
/// Events written while no checkpoint job ran (a command, a stopped portal), then an event after Audit:Checkpoint:MaxAge:
/// without the catch-up the log reads as if its checkpoints had been removed, and the job refuses to sign it ever again.
/// </summary>
public abstract class CheckpointCatchUpTests(TestDatabase database)
{
    private sealed class GapPortal(TestDatabase database) : ClockedPortal(database)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Audit:Checkpoint:MaxEvents", "100");
            builder.UseSetting("Audit:Checkpoint:MaxAge", "00:05:00");
        }
    }

    // 150 events a second apart with no checkpoint cut, as `migrate` and `seed-demo` leave them; then ten minutes pass.
    private static async Task<GapPortal> StartAfterAGapAsync(TestDatabase database)
    {
        var portal = new GapPortal(database);
        await portal.InitializeAsync();
        var already = await portal.WithDbAsync(db => db.AuditEvents.CountAsync());
        for (var i = already; i < 150; i++)
        {
            portal.Clock.Advance(TimeSpan.FromSeconds(1));
            await portal.WithDbAsync(db =>
            {
                db.Audit.Record("test.happened", "Thing", $"thing-{i}", new { i });
                return db.SaveChangesAsync();
            });
        }
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        return portal;
    }

    private static Task RecordLaterAsync(PortalFactory portal) => portal.WithDbAsync(db =>
    {
        db.Audit.Record("test.later", "Thing", "later");
        return db.SaveChangesAsync();
    });

    private static async Task<AuditVerificationResult> VerifyAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync();
    }

    [Fact]
    public async Task Without_a_catch_up_an_event_after_the_gap_leaves_a_log_that_fails_and_cannot_be_signed()
    {
        await using var portal = await StartAfterAGapAsync(database);
        await RecordLaterAsync(portal);

        var result = await VerifyAsync(portal);
        await using var scope = portal.Services.CreateAsyncScope();
        var run = await scope.ServiceProvider.GetRequiredService<AuditCheckpointService>().CreateDueAsync();

        Assert.Equal((false, AuditFault.MissingCheckpoint), (result.Valid, result.Fault));
        Assert.NotNull(run.RefusedBecause);
    }

    [Fact]
    public async Task The_catch_up_covers_every_event_so_the_log_stays_valid_after_the_gap()
    {
        await using var portal = await StartAfterAGapAsync(database);

        await CheckpointCatchUp.RunAsync(portal.Services, CancellationToken.None);
        await RecordLaterAsync(portal);
        var result = await VerifyAsync(portal);
        var covered = await portal.WithDbAsync(db => db.AuditCheckpoints.MaxAsync(c => c.TreeSize));

        Assert.True(result.Valid, result.Reason);
        Assert.Equal(150, covered);
    }
}

public sealed class CheckpointCatchUpTestsOnSqlite() : CheckpointCatchUpTests(TestDatabase.Sqlite);

public sealed class CheckpointCatchUpTestsOnPostgreSql() : CheckpointCatchUpTests(TestDatabase.PostgreSql);
