using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Jobs;

/// <summary>
/// A recurring job: a sweep over the database that catches up on whatever is due, so a run missed while no portal was
/// up (or lost with Hangfire's in-memory store on SQLite) is made good by the next one, and a second run changes nothing.
/// </summary>
public interface IPortalJob
{
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>Signs the checkpoints that are due; a checkpoint's tree size is its key, so instances cannot double one.</summary>
public sealed class AuditCheckpointJob(AuditCheckpointService checkpoints) : IPortalJob
{
    public const string Id = "audit-checkpoint";

    public async Task RunAsync(CancellationToken cancellationToken) => await checkpoints.CreateDueAsync(force: false, cancellationToken);
}

/// <summary>
/// Verifies the trail once a day: when no verification has been recorded since the latest 02:30 UTC, whenever it
/// runs. The recorded outcome (an audit event) is what says it has been done, not the scheduler's memory. It reads the
/// events after the checkpoint the latest valid verification reached, and the whole log when no full verification
/// succeeded within <c>Audit:Verification:FullEvery</c> (ADR-025).
/// </summary>
public sealed class AuditVerificationJob(
    AuditVerificationService verification, GovernanceDbContext db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<AuditOptions> options) : IPortalJob
{
    public const string Trigger = "daily job";

    public const string Id = "audit-verification";
    public static readonly TimeOnly DailyAt = new(2, 30);
    private static readonly string[] Outcomes = ["audit.verified", "audit.verification-failed"];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var last = await db.AuditEvents.AsNoTracking().Where(e => Outcomes.Contains(e.Action))
            .OrderByDescending(e => e.Sequence).Select(e => (DateTimeOffset?)e.Timestamp).FirstOrDefaultAsync(cancellationToken);
        var now = clock.GetUtcNow();
        if (IsDue(last, now))
        {
            var lastFull = await db.AuditVerifications.AsNoTracking().Where(v => v.Valid && v.Full)
                .OrderByDescending(v => v.Id).Select(v => (DateTimeOffset?)v.StartedAt).FirstOrDefaultAsync(cancellationToken);
            var full = lastFull is null || now - lastFull >= options.Value.Verification.FullEvery;
            await verification.VerifyAndRecordAsync(full, Trigger, cancellationToken);
        }
    }

    /// <summary>Due when nothing was verified since the latest daily time at or before <paramref name="now"/>.</summary>
    public static bool IsDue(DateTimeOffset? lastVerified, DateTimeOffset now)
    {
        var today = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime), DailyAt, TimeSpan.Zero);
        var latestDue = today <= now ? today : today.AddDays(-1);
        return lastVerified is null || lastVerified < latestDue;
    }
}

/// <summary>Expires pending promotion requests past their deadline; each expiry is a guarded transition, so instances cannot double it.</summary>
public sealed class PromotionExpiryJob(PromotionService promotions) : IPortalJob
{
    public const string Id = "promotion-expiry";

    public async Task RunAsync(CancellationToken cancellationToken) => await promotions.ExpireDueAsync(cancellationToken);
}

/// <summary>
/// Stores emergency rollbacks left unconfirmed past their window as Expired and tells their starters. Confirmation is
/// refused from the window's end whether or not this has run; each expiry is a guarded transition, so instances cannot double it.
/// </summary>
public sealed class RollbackExpiryJob(RollbackService rollbacks) : IPortalJob
{
    public const string Id = "rollback-expiry";

    public async Task RunAsync(CancellationToken cancellationToken) => await rollbacks.ExpireDueAsync(cancellationToken);
}

/// <summary>
/// Writes one <c>authorization.refused</c> event, with its count, per identity, route and minute that is over (ADR-023). A
/// minute is marked recorded in the event's transaction, guarded by its count, so instances cannot double one.
/// </summary>
public sealed class AuthorizationRefusalJob(AuthorizationRefusals refusals, TimeProvider clock) : IPortalJob
{
    public const string Id = "authorization-refusals";

    public async Task RunAsync(CancellationToken cancellationToken) => await refusals.RecordDueAsync(clock.GetUtcNow(), cancellationToken);
}

/// <summary>Deletes the rows of sessions past their lifetime or idle timeout; the store refuses them anyway, so a late run only leaves rows longer.</summary>
public sealed class SessionSweepJob(Sessions.SessionAdministration sessions) : IPortalJob
{
    public const string Id = "session-sweep";

    public async Task RunAsync(CancellationToken cancellationToken) => await sessions.SweepAsync(cancellationToken);
}
