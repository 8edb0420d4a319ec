using GovernancePortal.Data;
using GovernancePortal.Notifications;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>The inbox's emergency section: rollbacks waiting for their second person, and open retrospectives.</summary>
public sealed record EmergencyInbox(IReadOnlyList<Rollback> Rollbacks, IReadOnlyList<RetrospectiveReview> Reviews)
{
    public bool IsEmpty => Rollbacks.Count == 0 && Reviews.Count == 0;
}

/// <summary>What starting a rollback of a model would do for this person, or why they cannot.</summary>
public sealed record RollbackStart(Model Model, Rollback? Pending, RollbackPlan? Plan, string? Refusal, string? Side, string? SideRefusal);

/// <summary>A rollback, what this person may do with it, and its retrospective if one opened.</summary>
public sealed record RollbackView(Rollback Rollback, RollbackState Status, bool CanConfirm, bool CanCancel, string? WhyNot, RetrospectiveReview? Review);

/// <summary>Reads of rollbacks and retrospectives for the approvals pages; the rules are <see cref="RollbackRules"/>, as the service applies them.</summary>
public sealed class RollbackQueries(GovernanceDbContext db, RollbackService rollbacks, TimeProvider clock)
{
    private const int Shown = 100;

    public async Task<EmergencyInbox> EmergencyAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var pending = await db.Rollbacks.AsNoTracking().Include(r => r.Model).Include(r => r.FromVersion).Include(r => r.ToVersion)
            .Where(r => r.State == RollbackState.Pending && r.ExpiresAt > now).OrderBy(r => r.StartedAt).Take(Shown).ToListAsync(cancellationToken);
        var reviews = await Reviews().Where(v => v.State == ReviewState.Open).OrderBy(v => v.OpenedAt).Take(Shown).ToListAsync(cancellationToken);
        return new EmergencyInbox(pending, reviews);
    }

    public async Task<RollbackStart?> StartAsync(string modelKey, Caller caller, CancellationToken cancellationToken = default)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Key == modelKey, cancellationToken);
        if (model is null)
        {
            return null;
        }
        var (side, sideRefusal) = RollbackRules.SideOf(caller, model.Owner, model.Team);
        var pending = await rollbacks.PendingAsync(model.Id, cancellationToken);
        var (plan, refusal) = await rollbacks.PlanAsync(model.Id, cancellationToken);
        return new RollbackStart(model, pending, plan, refusal?.Message, side, sideRefusal?.Message);
    }

    public async Task<RollbackView?> DetailsAsync(Guid id, Caller caller, CancellationToken cancellationToken = default)
    {
        var rollback = await db.Rollbacks.AsNoTracking().Include(r => r.Model).Include(r => r.FromVersion).Include(r => r.ToVersion)
            .SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rollback is null)
        {
            return null;
        }
        var review = await db.RetrospectiveReviews.AsNoTracking().SingleOrDefaultAsync(r => r.RollbackId == id, cancellationToken);
        var (plan, _) = await rollbacks.PlanAsync(rollback.ModelId, cancellationToken);
        var now = clock.GetUtcNow();
        var pending = ApprovalNotifications.Pending(rollback, rollback.Model);
        var refusal = RollbackRules.WhyCannotConfirm(pending, caller, plan, now);
        // Only the refusals that tell this person something: who must confirm, or that the rollback can no longer be confirmed.
        var whyNot = rollback.State is RollbackState.Pending or RollbackState.Expired ? refusal?.Message : null;
        return new RollbackView(rollback, RollbackRules.StateAt(rollback.State, rollback.ExpiresAt, now), refusal is null,
            RollbackRules.WhyCannotCancel(pending, caller, now) is null, whyNot, review);
    }

    public Task<RetrospectiveReview?> RetrospectiveAsync(Guid id, CancellationToken cancellationToken = default) =>
        Reviews().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);

    private IQueryable<RetrospectiveReview> Reviews() => db.RetrospectiveReviews.AsNoTracking().Include(v => v.Rollback).ThenInclude(r => r.Model)
        .Include(v => v.Rollback).ThenInclude(r => r.FromVersion).Include(v => v.Rollback).ThenInclude(r => r.ToVersion);
}
