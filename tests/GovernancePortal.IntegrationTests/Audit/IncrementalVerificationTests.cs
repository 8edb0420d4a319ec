using GovernancePortal.Approvals;
using GovernancePortal.Jobs;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

/// <summary>
/// Incremental verification (issue 18, item 7; ADR-025): a run reads the events after the checkpoint the latest valid
/// run reached, checkpoint cuts read only the events they add, and only full runs read older history again. Each test has
/// a portal and a database of its own (some damage the log) and a clock it moves by hand.
/// </summary>
public abstract class IncrementalVerificationTests(TestDatabase database)
{
    private sealed class IncrementalPortal(TestDatabase database) : ClockedPortal(database)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Audit:Checkpoint:MaxEvents", "100");
            builder.UseSetting("Audit:Checkpoint:MaxAge", "00:05:00");
        }
    }

    // Events up to 250, a second apart, checkpoints cut as the job cuts them, and a full verification recorded over them.
    private static async Task<IncrementalPortal> StartAsync(TestDatabase database)
    {
        var portal = new IncrementalPortal(database);
        await portal.InitializeAsync();
        await RecordUntilAsync(portal, 250);
        var full = await VerifyAndRecordAsync(portal, full: true);
        Assert.True(full.Valid, full.Reason);
        Assert.Equal(250, full.LatestCheckpoint?.TreeSize);
        return portal;
    }

    private static async Task RecordUntilAsync(IncrementalPortal portal, long head, bool cut = true)
    {
        for (var sequence = await HeadAsync(portal); sequence < head; sequence++)
        {
            portal.Clock.Advance(TimeSpan.FromSeconds(1));
            await portal.WithDbAsync(db =>
            {
                db.Audit.Record("test.happened", "Thing", $"thing-{sequence}", new { sequence });
                return db.SaveChangesAsync();
            });
        }
        if (cut)
        {
            Assert.Null((await CheckpointAsync(portal)).RefusedBecause);
        }
    }

    private static Task<long> HeadAsync(PortalFactory portal) => portal.WithDbAsync(db => db.AuditHeads.Select(h => h.Sequence).SingleAsync());

    private static async Task<CheckpointRun> CheckpointAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true);
    }

    private static async Task<AuditVerificationResult> VerifyAndRecordAsync(PortalFactory portal, bool full)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAndRecordAsync(full, "test");
    }

    private static Task<List<AuditVerification>> RunsAsync(PortalFactory portal) =>
        portal.WithDbAsync(db => db.AuditVerifications.AsNoTracking().OrderBy(v => v.Id).ToListAsync());

    // What someone with write access to the database does first; ALTER … DISABLE TRIGGER needs the tables' owner.
    private static async Task DropTriggersAsync(PortalFactory portal)
    {
        if (portal.Database == TestDatabase.Sqlite)
        {
            var triggers = await portal.WithDbAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'trigger'").ToListAsync());
            foreach (var trigger in triggers)
            {
                var drop = "DROP TRIGGER \"" + trigger + "\"";
                await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(drop));
            }
        }
        else
        {
            await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""ALTER TABLE "AuditEvents" DISABLE TRIGGER USER"""));
        }
    }

    private static Task AlterAsync(PortalFactory portal, long sequence) => portal.WithDbAsync(db =>
        db.Database.ExecuteSqlAsync($"""UPDATE "AuditEvents" SET "ActorUsername" = 'someone-else@demo.test' WHERE "Sequence" = {sequence}"""));

    [Fact]
    public async Task An_incremental_run_reads_only_the_events_after_the_last_verified_checkpoint_and_the_page_says_so()
    {
        await using var portal = await StartAsync(database);
        await RecordUntilAsync(portal, 420);
        var head = await HeadAsync(portal);

        var first = await VerifyAndRecordAsync(portal, full: false);
        await RecordUntilAsync(portal, 480);
        var second = await VerifyAndRecordAsync(portal, full: false);

        Assert.True(first.Valid, first.Reason);
        // From the checkpoint the full run reached (250) to the head: the full run's own event (251) included.
        Assert.Equal((251L, head, head - 250), (first.FromSequence, first.HeadSequence, first.EventCount));
        Assert.Equal(head, first.LatestCheckpoint?.TreeSize);
        Assert.True(second.Valid, second.Reason);
        Assert.Equal(head + 1, second.FromSequence);
        var runs = await RunsAsync(portal);
        Assert.Equal([(true, 1L, (long?)null, (long?)250), (false, 251L, 250L, head), (false, head + 1, head, second.HeadSequence)],
            runs.Select(r => (r.Full, r.FromSequence, r.StartCheckpoint, r.LatestCheckpoint)).ToList());
        Assert.All(runs, r => Assert.True(r.Valid));

        var page = await (await PortalClient.SignedInAsync(portal, "auditor@demo.test")).GetDocumentAsync("/audit/verify");
        var rows = page.QuerySelectorAll("[data-testid=verifications] tbody tr").Select(r => r.Children.Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["Incremental", $"events {head + 1}–{second.HeadSequence}, from checkpoint {head}", second.HeadSequence.ToString(), "Valid", "test"], rows[0].Skip(1));
        Assert.Equal(["Full", "events 1–250", "250"], rows[2].Skip(1).Take(3));
    }

    [Fact]
    public async Task A_change_after_the_last_verified_checkpoint_is_caught_by_the_incremental_run_and_refused_a_checkpoint()
    {
        await using var portal = await StartAsync(database);
        await RecordUntilAsync(portal, 330);
        await DropTriggersAsync(portal);
        await RecordUntilAsync(portal, 340, cut: false);

        await AlterAsync(portal, 335);
        var result = await VerifyAndRecordAsync(portal, full: false);
        await portal.WithDbAsync(db =>
        {
            db.Audit.Record("test.later", "Thing", "later");
            return db.SaveChangesAsync();
        });
        var cut = await CheckpointAsync(portal);

        Assert.Equal((false, AuditFault.PayloadAltered, 335L, 251L), (result.Valid, result.Fault, result.FirstInvalidSequence, result.FromSequence));
        Assert.Equal((false, false, 335L), (await RunsAsync(portal)).Select(r => (r.Full, r.Valid, r.FirstInvalidSequence)).Last());
        Assert.Equal(AuditFault.PayloadAltered, cut.RefusedBecause?.Fault);
    }

    [Fact]
    public async Task A_change_before_the_last_verified_checkpoint_is_left_to_the_full_run_which_names_it()
    {
        await using var portal = await StartAsync(database);
        await RecordUntilAsync(portal, 330);
        await DropTriggersAsync(portal);

        await AlterAsync(portal, 120);
        var incremental = await VerifyAndRecordAsync(portal, full: false);
        // A cut reads only the events it adds: it extends the signed tree, which the changed event no longer matches.
        await RecordUntilAsync(portal, 360);
        var full = await VerifyAndRecordAsync(portal, full: true);

        Assert.True(incremental.Valid, incremental.Reason);
        Assert.Equal(251, incremental.FromSequence);
        Assert.Equal((false, AuditFault.PayloadAltered, 120L, 1L), (full.Valid, full.Fault, full.FirstInvalidSequence, full.FromSequence));
    }

    [Fact]
    public async Task The_daily_job_verifies_new_events_and_everything_once_FullEvery_has_passed()
    {
        await using var portal = await StartAsync(database);
        Assert.Null((await CheckpointAsync(portal)).RefusedBecause);
        portal.Clock.Advance(TimeSpan.FromDays(1));

        for (var day = 0; day < 8; day++)
        {
            await RecordUntilAsync(portal, await HeadAsync(portal) + 20);
            await using (var scope = portal.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<AuditVerificationJob>().RunAsync(CancellationToken.None);
                // A second run the same day finds nothing due.
                await scope.ServiceProvider.GetRequiredService<AuditVerificationJob>().RunAsync(CancellationToken.None);
            }
            // The checkpoint job, a minute later, covers the job's own event before the day goes by.
            Assert.Null((await CheckpointAsync(portal)).RefusedBecause);
            portal.Clock.Advance(TimeSpan.FromDays(1));
        }

        var runs = (await RunsAsync(portal)).Skip(1).ToList();
        Assert.Equal(8, runs.Count);
        Assert.All(runs, r => Assert.Equal((true, AuditVerificationJob.Trigger), (r.Valid, r.Trigger)));
        // The full run of StartAsync counts: seven days after it, the job reads everything again.
        Assert.Equal([false, false, false, false, false, false, true, false], runs.Select(r => r.Full));
        Assert.All(runs.Where(r => !r.Full), r => Assert.True(r.FromSequence > 250));
    }
}

public sealed class IncrementalVerificationTestsOnSqlite() : IncrementalVerificationTests(TestDatabase.Sqlite);

public sealed class IncrementalVerificationTestsOnPostgreSql() : IncrementalVerificationTests(TestDatabase.PostgreSql);
