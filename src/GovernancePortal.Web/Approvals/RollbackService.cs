using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Notifications;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public sealed record RollbackOutcome(Rollback? Rollback, Failure? Failure, string Message);

public sealed record ReviewOutcome(RetrospectiveReview? Review, Failure? Failure, string Message);

/// <summary>
/// Emergency rollbacks and their retrospectives. The rules are the domain's (<see cref="RollbackRules"/>); this class loads
/// the production history they judge, and saves each step with its audit events and notifications in one transaction
/// under optimistic concurrency.
/// </summary>
public sealed class RollbackService(GovernanceDbContext db, ApprovalNotifications notifications, TimeProvider clock)
{
    /// <summary>What a rollback of the model would do now, or why there is none.</summary>
    public async Task<(RollbackPlan? Plan, RollbackRefusal? Refusal)> PlanAsync(Guid modelId, CancellationToken cancellationToken = default)
    {
        var versions = (await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == modelId).ToListAsync(cancellationToken))
            .Select(v => new RollbackVersion(v.Id, v.Number.ToString(), v.Stage)).ToList();
        var history = await ProductionHistory.OfModelAsync(db, modelId, cancellationToken);
        return RollbackRules.Plan(versions, history.Select(c => new ProductionEntry(c.VersionId, c.Sequence)).ToList(),
            history.Where(c => c.RolledBack is not null).Select(c => new RolledBackVersion(c.RolledBack!.Value, c.Sequence)).ToList());
    }

    /// <summary>The rollback of the model still waiting for its second person, if any.</summary>
    public Task<Rollback?> PendingAsync(Guid modelId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        return db.Rollbacks.AsNoTracking().Where(r => r.ModelId == modelId && r.State == RollbackState.Pending && r.ExpiresAt > now)
            .OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<RollbackOutcome> StartAsync(Caller caller, string modelKey, string? reason, CancellationToken cancellationToken = default)
    {
        var model = await db.Models.AsNoTracking().SingleOrDefaultAsync(m => m.Key == modelKey, cancellationToken);
        if (model is null)
        {
            return Failed(FailureKind.NotFound, $"No model has the key '{modelKey}'.");
        }
        var (role, refusal) = RollbackRules.SideOf(caller, model.Owner, model.Team);
        if (refusal is not null)
        {
            return Failed(FailureKind.Forbidden, refusal.Message);
        }
        if (RollbackRules.WhyBadReason(reason) is { } badReason)
        {
            return new(null, new Failure(FailureKind.Invalid, badReason, new() { ["reason"] = [badReason] }), badReason);
        }
        // Read (and track) the champion before looking for a pending rollback: a start committed after that look must have
        // bumped this stamp after it was read, so saving ours conflicts (two starts at once cannot both stay pending).
        var champions = await db.ModelVersions.Where(v => v.ModelId == model.Id && v.Stage == Stage.Production).ToListAsync(cancellationToken);
        if (await PendingAsync(model.Id, cancellationToken) is { } pending)
        {
            return Failed(FailureKind.Conflict, $"A rollback of {model.Name} started by {pending.StartedBy} is already waiting for confirmation.");
        }
        var (plan, none) = await PlanAsync(model.Id, cancellationToken);
        if (plan is null)
        {
            return Failed(FailureKind.Rule, none!.Message);
        }
        var from = champions.SingleOrDefault(v => v.Id == plan.From.Id);
        var to = await db.ModelVersions.AsNoTracking().SingleAsync(v => v.Id == plan.To.Id, cancellationToken);
        if (from is null || to.Stage != Stage.Staging)
        {
            return Failed(FailureKind.Conflict, StartedAtOnce);
        }
        from.ConcurrencyStamp++;
        var now = clock.GetUtcNow();
        var rollback = new Rollback
        {
            ModelId = model.Id,
            FromVersionId = from.Id,
            ToVersionId = to.Id,
            Reason = reason!.Trim(),
            StartedBy = caller.Username,
            StartedRole = role!,
            StartedAt = now,
            ExpiresAt = now + RollbackRules.ConfirmationWindow,
            State = RollbackState.Pending,
        };
        db.Rollbacks.Add(rollback);
        db.Audit.Record("rollback.started", rollback, new { model = model.Key, from = plan.From.Number, to = plan.To.Number, role });
        await notifications.RollbackStartedAsync(rollback, model, from, to, cancellationToken);
        if (!await db.TrySaveChangesAsync(cancellationToken))
        {
            return Failed(FailureKind.Conflict, StartedAtOnce);
        }
        return new(rollback, null, $"Rollback started: {plan.From.Number} → {plan.To.Number}. It waits for {Other(role!)} to confirm.");
    }

    /// <summary>The second person confirms: in one transaction the champion returns to Staging, its predecessor to Production, and a retrospective opens.</summary>
    public async Task<RollbackOutcome> ConfirmAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var rollback = await LoadAsync(id, cancellationToken);
        if (rollback is null)
        {
            return Failed(FailureKind.NotFound, "There is no such rollback.");
        }
        var (plan, _) = await PlanAsync(rollback.ModelId, cancellationToken);
        var now = clock.GetUtcNow();
        if (RollbackRules.WhyCannotConfirm(ApprovalNotifications.Pending(rollback, rollback.Model), caller, plan, now) is { } refusal)
        {
            return Refused(rollback, refusal);
        }
        var model = rollback.Model;
        rollback.State = RollbackState.Confirmed;
        rollback.DecidedBy = caller.Username;
        rollback.DecidedAt = now;
        rollback.Revision++;
        db.Audit.Record("rollback.confirmed", rollback, new { model = model.Key, from = rollback.FromVersion.Number.ToString(), to = rollback.ToVersion.Number.ToString() });
        Move(rollback.FromVersion, Stage.Staging, now);
        db.Audit.Record(VersionStageHistory.StageChanged, rollback.FromVersion,
            new { model = model.Key, version = rollback.FromVersion.Number.ToString(), reason = VersionStageHistory.RolledBack, rollback = rollback.Id });
        Move(rollback.ToVersion, Stage.Production, now);
        db.Audit.Record(VersionStageHistory.StageChanged, rollback.ToVersion,
            new { model = model.Key, version = rollback.ToVersion.Number.ToString(), reason = VersionStageHistory.RestoredByRollback, rollback = rollback.Id });
        var review = new RetrospectiveReview { RollbackId = rollback.Id, OpenedAt = now, State = ReviewState.Open };
        db.RetrospectiveReviews.Add(review);
        db.Audit.Record("review.opened", review, new { model = model.Key, rollback = rollback.Id });
        await notifications.RollbackConfirmedAsync(rollback, model, rollback.FromVersion, rollback.ToVersion, cancellationToken);
        await notifications.ReviewOpenedAsync(review, rollback, model, cancellationToken);
        return await SaveAsync(rollback, $"Rolled back: {rollback.ToVersion.Number} is in Production again; a retrospective is open.", cancellationToken);
    }

    public async Task<RollbackOutcome> CancelAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var rollback = await LoadAsync(id, cancellationToken);
        if (rollback is null)
        {
            return Failed(FailureKind.NotFound, "There is no such rollback.");
        }
        if (RollbackRules.WhyCannotCancel(ApprovalNotifications.Pending(rollback, rollback.Model), caller, clock.GetUtcNow()) is { } refusal)
        {
            return Refused(rollback, refusal);
        }
        rollback.State = RollbackState.Cancelled;
        rollback.DecidedBy = caller.Username;
        rollback.DecidedAt = clock.GetUtcNow();
        rollback.Revision++;
        db.Audit.Record("rollback.cancelled", rollback, new { model = rollback.Model.Key });
        await notifications.RollbackCancelledAsync(rollback, rollback.Model, cancellationToken);
        return await SaveAsync(rollback, "Rollback cancelled; Production is unchanged.", cancellationToken);
    }

    /// <summary>
    /// Stores every pending rollback past its window as Expired, each with its own audit event (by the system) and a note to
    /// its starter. Idempotent, and safe with several instances: each expiry is guarded by the rollback's revision, so of two
    /// instances (or an expiry and a confirmation) racing for one rollback exactly one wins and the other skips it.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var due = await db.Rollbacks.AsNoTracking().Where(r => r.State == RollbackState.Pending && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt).Select(r => r.Id).ToListAsync(cancellationToken);
        var expired = 0;
        foreach (var id in due)
        {
            var rollback = await LoadAsync(id, cancellationToken);
            if (rollback is not null && RollbackRules.ExpiresNow(ApprovalNotifications.Pending(rollback, rollback.Model), now))
            {
                rollback.State = RollbackState.Expired;
                rollback.DecidedAt = now;
                rollback.Revision++;
                db.Audit.Record("rollback.expired", rollback, new
                {
                    model = rollback.Model.Key,
                    from = rollback.FromVersion.Number.ToString(),
                    to = rollback.ToVersion.Number.ToString(),
                    expiresAt = rollback.ExpiresAt,
                }, AuditActor.System);
                await notifications.RollbackExpiredAsync(rollback, rollback.Model, rollback.FromVersion, rollback.ToVersion, cancellationToken);
                expired += (await SaveAsync(rollback, "", cancellationToken)).Failure is null ? 1 : 0;
            }
            db.ChangeTracker.Clear();
        }
        return expired;
    }

    public async Task<ReviewOutcome> CloseReviewAsync(Caller caller, Guid id, string? findings, CancellationToken cancellationToken = default)
    {
        var review = await db.RetrospectiveReviews.Include(r => r.Rollback).ThenInclude(r => r.Model).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null)
        {
            return new(null, new Failure(FailureKind.NotFound, "There is no such retrospective."), "");
        }
        var model = review.Rollback.Model;
        if (RollbackRules.WhyCannotCloseReview(review.State, caller, model.Owner, model.Team, findings) is { } refusal)
        {
            var failure = refusal.Kind == RollbackRefusalKind.Invalid
                ? new Failure(FailureKind.Invalid, refusal.Message, new() { ["findings"] = [refusal.Message] })
                : new Failure(KindOf(refusal), refusal.Message);
            return new(review, failure, refusal.Message);
        }
        review.State = ReviewState.Closed;
        review.Findings = findings!.Trim();
        review.ClosedBy = caller.Username;
        review.ClosedAt = clock.GetUtcNow();
        review.Revision++;
        db.Audit.Record("review.closed", review, new { model = model.Key, rollback = review.RollbackId });
        await notifications.ReviewClosedAsync(review, review.Rollback, model, cancellationToken);
        if (!await db.TrySaveChangesAsync(cancellationToken))
        {
            return new(review, new Failure(FailureKind.Conflict, "Someone closed this retrospective at the same moment; reload it."), "");
        }
        return new(review, null, "Retrospective closed with your findings.");
    }

    private static void Move(ModelVersion version, Stage stage, DateTimeOffset at)
    {
        version.Stage = stage;
        version.StageChangedAt = at;
        version.ConcurrencyStamp++;
    }

    private async Task<RollbackOutcome> SaveAsync(Rollback rollback, string message, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new(rollback, new Failure(FailureKind.Conflict,
                "Someone confirmed or cancelled this rollback, it expired, or Production changed at the same moment; reload it to see its state."), "");
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new(rollback, new Failure(FailureKind.Conflict, "This rollback was confirmed at the same moment."), "");
        }
        return new(rollback, null, message);
    }

    private Task<Rollback?> LoadAsync(Guid id, CancellationToken cancellationToken) =>
        db.Rollbacks.Include(r => r.Model).Include(r => r.FromVersion).Include(r => r.ToVersion).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);

    private static FailureKind KindOf(RollbackRefusal refusal) => refusal.Kind switch
    {
        RollbackRefusalKind.NotAllowed or RollbackRefusalKind.SeparationOfDuties => FailureKind.Forbidden,
        RollbackRefusalKind.Invalid => FailureKind.Invalid,
        RollbackRefusalKind.NothingToRestore => FailureKind.Rule,
        _ => FailureKind.Conflict,
    };

    private static RollbackOutcome Refused(Rollback rollback, RollbackRefusal refusal) => new(rollback, new Failure(KindOf(refusal), refusal.Message), refusal.Message);

    private static RollbackOutcome Failed(FailureKind kind, string message) => new(null, new Failure(kind, message), message);

    private const string StartedAtOnce = "Someone started a rollback of this model, or changed its Production, at the same moment; reload it to see its state.";

    private static string Other(string role) => role == Identity.Roles.ModelOwner ? "a ComplianceOfficer outside the owning team" : "a ModelOwner of the owning team";
}
