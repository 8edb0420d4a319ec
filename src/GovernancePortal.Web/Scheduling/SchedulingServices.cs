using GovernancePortal.Audit;
using Quartz;

namespace GovernancePortal.Scheduling;

public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Run background jobs in this instance. Tests turn it off and call the jobs directly.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Background work on Quartz (ADR-007). Every job is idempotent and guarded in the database, so several portal
/// instances may run the same schedule; the in-memory store keeps each instance's schedule to itself.
/// </summary>
public static class SchedulingServices
{
    public static void AddPortalScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section);
        var enabled = builder.Configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>()?.Enabled ?? true;
        builder.Services.AddQuartz(q =>
        {
            q.AddJob<AuditCheckpointJob>(j => j.WithIdentity(AuditCheckpointJob.Key));
            q.AddTrigger(t => t.ForJob(AuditCheckpointJob.Key).WithIdentity(AuditCheckpointJob.Trigger)
                .StartAt(DateTimeOffset.UtcNow.AddMinutes(1))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(1)).RepeatForever()));
            q.AddJob<PromotionExpiryJob>(j => j.WithIdentity(PromotionExpiryJob.Key));
            q.AddTrigger(t => t.ForJob(PromotionExpiryJob.Key).WithIdentity(PromotionExpiryJob.Trigger)
                .StartAt(DateTimeOffset.UtcNow.AddMinutes(1))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()));
            q.AddJob<RollbackExpiryJob>(j => j.WithIdentity(RollbackExpiryJob.Key));
            q.AddTrigger(t => t.ForJob(RollbackExpiryJob.Key).WithIdentity(RollbackExpiryJob.Trigger)
                .StartAt(DateTimeOffset.UtcNow.AddMinutes(1))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromMinutes(15)).RepeatForever()));
            q.AddJob<AuditVerificationJob>(j => j.WithIdentity(AuditVerificationJob.Key));
            q.AddTrigger(t => t.ForJob(AuditVerificationJob.Key).WithIdentity(AuditVerificationJob.Trigger)
                .WithCronSchedule("0 30 2 * * ?", c => c.InTimeZone(TimeZoneInfo.Utc)));
        });
        if (enabled)
        {
            builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }
    }
}

[DisallowConcurrentExecution]
public sealed class AuditCheckpointJob(AuditCheckpointService checkpoints) : IJob
{
    public static readonly JobKey Key = new("audit-checkpoint");
    public static readonly TriggerKey Trigger = new("audit-checkpoint-every-minute");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await checkpoints.CreateDueAsync(force: false, cancellationToken);
}

[DisallowConcurrentExecution]
public sealed class AuditVerificationJob(AuditVerificationService verification) : IJob
{
    public static readonly JobKey Key = new("audit-verification");
    public static readonly TriggerKey Trigger = new("audit-verification-daily");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await verification.VerifyAndRecordAsync(cancellationToken);
}

/// <summary>Expires pending promotion requests past their deadline; each expiry is a guarded transition, so instances cannot double it.</summary>
[DisallowConcurrentExecution]
public sealed class PromotionExpiryJob(Approvals.PromotionService promotions) : IJob
{
    public static readonly JobKey Key = new("promotion-expiry");
    public static readonly TriggerKey Trigger = new("promotion-expiry-every-15-minutes");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await promotions.ExpireDueAsync(cancellationToken);
}

/// <summary>
/// Stores emergency rollbacks left unconfirmed past their window as Expired and tells their starters. Confirmation is
/// refused from the window's end whether or not this has run; each expiry is a guarded transition, so instances cannot double it.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RollbackExpiryJob(Approvals.RollbackService rollbacks) : IJob
{
    public static readonly JobKey Key = new("rollback-expiry");
    public static readonly TriggerKey Trigger = new("rollback-expiry-every-15-minutes");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await rollbacks.ExpireDueAsync(cancellationToken);
}
