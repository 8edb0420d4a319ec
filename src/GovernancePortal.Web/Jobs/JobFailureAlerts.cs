using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Jobs;

/// <summary>
/// Tells every Admin, in their notification inbox, that a background job failed after its retries, and audits it. While
/// an Admin has the alert for the same job unread, a further failure tells them nothing new and is not audited again
/// (the dashboard's Failed list keeps every one).
/// </summary>
public sealed class JobFailureAlerter(GovernanceDbContext db, Notifier notifier)
{
    public const string Kind = "job.failed";

    /// <returns>Whether an alert was raised (false when every Admin already has it unread).</returns>
    public async Task<bool> RaiseAsync(string job, string jobId, int attempts, Exception exception, CancellationToken cancellationToken = default)
    {
        var title = $"Background job {job} failed";
        var admins = (await notifier.PeopleWithRoleAsync(Roles.Admin, cancellationToken)).Select(a => a.Username).ToList();
        var alreadyTold = await db.Notifications.AsNoTracking().Where(n => n.Kind == Kind && n.Title == title && n.ReadAt == null)
            .Select(n => n.Recipient).ToListAsync(cancellationToken);
        var toTell = admins.Except(alreadyTold, StringComparer.OrdinalIgnoreCase).ToList();
        if (admins.Count > 0 && toTell.Count == 0)
        {
            return false;
        }
        db.Audit.Record(Kind, "BackgroundJob", job, new { jobId, attempts, exception = exception.GetType().FullName, exception.Message });
        notifier.Send(toTell, new NotificationMessage(Kind, title,
            $"It failed {attempts} time(s) and will not be retried until its next run. Last error: {exception.Message}",
            $"{JobsServices.DashboardPath}/jobs/details/{jobId}"));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }
}

/// <summary>Raises the alert when a job's final state is Failed, i.e. once <c>AutomaticRetry</c> has given up.</summary>
internal sealed class JobFailureAlertFilter(IServiceScopeFactory scopes, ILogger<JobFailureAlertFilter> logger) : IApplyStateFilter
{
    public void OnStateApplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
        if (context.NewState is not FailedState failed)
        {
            return;
        }
        var job = context.GetJobParameter<string>("RecurringJobId", allowStale: true)
            ?? $"{context.BackgroundJob.Job.Type.Name}.{context.BackgroundJob.Job.Method.Name}";
        var attempts = context.GetJobParameter<int>("RetryCount", allowStale: true) + 1;
        try
        {
            // Hangfire's state filters are synchronous; this runs on the worker thread that ran the job.
            using var scope = scopes.CreateScope();
            scope.ServiceProvider.GetRequiredService<JobFailureAlerter>()
                .RaiseAsync(job, context.BackgroundJob.Id, attempts, failed.Exception).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // The job stays Failed on the dashboard either way; a broken alert must not undo that state change.
            logger.LogError(e, "Could not raise the alert for failed background job {Job} ({JobId})", job, context.BackgroundJob.Id);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, IWriteOnlyTransaction transaction)
    {
    }
}
