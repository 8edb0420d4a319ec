using GovernancePortal.Scheduling;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace GovernancePortal.Audit;

// The schedule does not depend on the provider; the jobs' effects are tested on both in the audit test classes.
public sealed class AuditJobTests(SqlitePortal portal) : IClassFixture<SqlitePortal>
{
    [Fact]
    public async Task The_scheduler_holds_the_checkpoint_and_daily_verification_jobs()
    {
        var scheduler = await portal.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();

        Assert.True(await scheduler.Exists(AuditCheckpointJob.Key));
        Assert.True(await scheduler.Exists(AuditVerificationJob.Key));
        var daily = Assert.IsAssignableFrom<ICronTrigger>(await scheduler.GetTrigger(AuditVerificationJob.Trigger));
        Assert.Equal("0 30 2 * * ?", daily.CronExpressionString);
        Assert.Equal(AuditVerificationJob.Key, daily.JobKey);
        var minutely = Assert.IsAssignableFrom<ISimpleTrigger>(await scheduler.GetTrigger(AuditCheckpointJob.Trigger));
        Assert.Equal(TimeSpan.FromMinutes(1), minutely.RepeatInterval);
    }

    [Fact]
    public async Task The_jobs_sign_a_checkpoint_and_record_a_verification()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;

        await new AuditCheckpointJob(services.GetRequiredService<AuditCheckpointService>()).Execute(null!, CancellationToken.None);
        await new AuditVerificationJob(services.GetRequiredService<AuditVerificationService>()).Execute(null!, CancellationToken.None);

        Assert.True(await portal.WithDbAsync(db => db.AuditCheckpoints.AnyAsync()));
        var verified = await portal.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "audit.verified"));
        Assert.Contains("\"valid\":true", verified.Payload);
    }
}
