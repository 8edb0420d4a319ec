using GovernancePortal.Audit;
using GovernancePortal.Testing;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Jobs;

/// <summary>Always throws, to use up its retries.</summary>
public sealed class FailingProbeJob
{
    public void Run() => throw new InvalidOperationException("The probe failed on purpose.");
}

/// <summary>The real jobs, run by the portal's own Hangfire server on its storage.</summary>
public abstract class JobServerTests(JobsPortal portal)
{
    [Fact]
    public async Task Each_recurring_job_runs_on_the_server_and_leaves_its_effect()
    {
        var manager = portal.Services.GetRequiredService<IRecurringJobManagerV2>();

        foreach (var (id, _, _) in JobsServices.Schedule)
        {
            var jobId = manager.TriggerJob(id);
            Assert.Equal("Succeeded", await portal.SettledAsync(jobId!));
        }

        Assert.True(await portal.WithDbAsync(db => db.AuditCheckpoints.AnyAsync()));
        var verified = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "audit.verified").ToListAsync());
        Assert.Contains("\"valid\":true", Assert.Single(verified).Payload);

        // Already verified since the last 02:30 UTC: a second run is a sweep that finds nothing due.
        Assert.Equal("Succeeded", await portal.SettledAsync(manager.TriggerJob(AuditVerificationJob.Id)!));
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "audit.verified")));
    }

    [Fact]
    public async Task A_job_that_fails_after_its_retries_alerts_every_admin_once_and_is_audited()
    {
        var client = portal.Services.GetRequiredService<IBackgroundJobClient>();

        var first = client.Enqueue<FailingProbeJob>(j => j.Run());
        Assert.Equal("Failed", await portal.SettledAsync(first));

        var alerts = await portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == JobFailureAlerter.Kind).ToListAsync());
        var alert = Assert.Single(alerts);
        Assert.Equal("admin@demo.test", alert.Recipient);
        Assert.Equal("Background job FailingProbeJob.Run failed", alert.Title);
        Assert.Contains("The probe failed on purpose.", alert.Body);
        Assert.Equal($"/admin/jobs/jobs/details/{first}", alert.Link);
        var audited = await portal.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == JobFailureAlerter.Kind));
        Assert.Equal("FailingProbeJob.Run", audited.EntityId);
        Assert.Contains("\"attempts\":2", audited.Payload); // the run and its one retry

        // While the alert is unread, the same job failing again tells the Admin nothing new.
        Assert.Equal("Failed", await portal.SettledAsync(client.Enqueue<FailingProbeJob>(j => j.Run())));
        Assert.Equal(1, await portal.WithDbAsync(db => db.Notifications.CountAsync(n => n.Kind == JobFailureAlerter.Kind)));
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == JobFailureAlerter.Kind)));

        // Once read, the next failure is a new alert.
        await portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == JobFailureAlerter.Kind)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, DateTimeOffset.UtcNow)));
        Assert.Equal("Failed", await portal.SettledAsync(client.Enqueue<FailingProbeJob>(j => j.Run())));
        Assert.Equal(2, await portal.WithDbAsync(db => db.Notifications.CountAsync(n => n.Kind == JobFailureAlerter.Kind)));
        Assert.Equal(2, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == JobFailureAlerter.Kind)));
        await using var scope = portal.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync()).Valid);
    }
}

public sealed class UnreachableDatabaseTests
{
    [Fact]
    public async Task The_portal_starts_with_its_job_server_while_postgresql_is_down_and_says_it_is_not_ready()
    {
        await using var portal = new UnreachableDatabasePortal();
        var client = portal.CreateClient();

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }
}

public sealed class JobServerTestsOnSqlite(SqliteJobsPortal portal) : JobServerTests(portal), IClassFixture<SqliteJobsPortal>;

public sealed class JobServerTestsOnPostgreSql(PostgreSqlJobsPortal portal) : JobServerTests(portal), IClassFixture<PostgreSqlJobsPortal>;
