using System.Globalization;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public enum RollbackState
{
    Pending = 0,
    Confirmed = 1,
    Cancelled = 2,
    /// <summary>Not confirmed within <see cref="RollbackRules.ConfirmationWindow"/>; stored by the expiry job, and judged so before it runs.</summary>
    Expired = 3,
}

public enum ReviewState
{
    Open = 0,
    Closed = 1,
}

public enum RollbackRefusalKind
{
    /// <summary>The person may not take this part (role, team).</summary>
    NotAllowed = 0,
    /// <summary>The same person cannot be both halves of the two-person action.</summary>
    SeparationOfDuties = 1,
    /// <summary>Already confirmed or cancelled.</summary>
    AlreadyDecided = 2,
    /// <summary>Not confirmed within <see cref="RollbackRules.ConfirmationWindow"/>, whether or not the expiry job has stored it.</summary>
    Expired = 3,
    /// <summary>Production changed since the rollback was started.</summary>
    Stale = 4,
    /// <summary>No single champion with a restorable predecessor.</summary>
    NothingToRestore = 5,
    Invalid = 6,
}

public sealed record RollbackRefusal(RollbackRefusalKind Kind, string Message);

/// <summary>A version of the model as rollback planning sees it.</summary>
public sealed record RollbackVersion(Guid Id, string Number, Stage Stage);

/// <summary>
/// One time a version entered Production: an approved promotion or a confirmed rollback. <paramref name="Order"/> is where
/// the change stands in the order changes were committed, assigned by the database (never a portal instance's clock, which
/// may disagree with another's).
/// </summary>
public sealed record ProductionEntry(Guid VersionId, long Order);

/// <summary>A version a confirmed rollback took out of Production, at the rollback's place in the commit order.</summary>
public sealed record RolledBackVersion(Guid VersionId, long Order);

/// <summary>What a rollback does: <see cref="From"/> leaves Production for Staging, <see cref="To"/> returns to Production.</summary>
public sealed record RollbackPlan(RollbackVersion From, RollbackVersion To);

/// <summary>A started rollback as the confirmation rules need it.</summary>
public sealed record PendingRollback(
    string StartedBy,
    string StartedRole,
    DateTimeOffset StartedAt,
    RollbackState State,
    Guid FromVersionId,
    Guid ToVersionId,
    string ModelOwner,
    string OwningTeam)
{
    public DateTimeOffset ExpiresAt => StartedAt + RollbackRules.ConfirmationWindow;
}

/// <summary>
/// Emergency rollback: two people, one from the owning side (the model's owner or a ModelOwner of its team) and one
/// independent ComplianceOfficer, restore the version that was in Production before the current one. One starts with a
/// reason, the other confirms. Pure: the caller loads the history and records the outcome.
/// </summary>
public static class RollbackRules
{
    /// <summary>An emergency is confirmed quickly or not at all; a day-old confirmation would act on a stale judgement.</summary>
    public static readonly TimeSpan ConfirmationWindow = TimeSpan.FromHours(24);

    public const int ReasonMaxLength = 4000;

    /// <summary>
    /// The rollback the model's history allows, or why none. Exactly one version must be in Production and its entry into
    /// Production recorded; the target is the version that entered Production before it (skipping versions a rollback
    /// already took out, so a rollback never restores a version once rolled back), and it must be waiting in Staging.
    /// </summary>
    public static (RollbackPlan? Plan, RollbackRefusal? Refusal) Plan(
        IReadOnlyList<RollbackVersion> versions, IReadOnlyList<ProductionEntry> entries, IReadOnlyList<RolledBackVersion> rolledBack)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(rolledBack);
        var production = versions.Where(v => v.Stage == Stage.Production).ToList();
        if (production.Count == 0)
        {
            return (null, new(RollbackRefusalKind.NothingToRestore, "No version of this model is in Production, so there is nothing to roll back."));
        }
        if (production.Count > 1)
        {
            return (null, new(RollbackRefusalKind.NothingToRestore,
                $"Versions {string.Join(", ", production.Select(v => v.Number))} are all in Production (shadow or canary); a rollback restores a single champion."));
        }
        var current = production[0];
        var ordered = entries.OrderBy(e => e.Order).ToList();
        var currentEntry = ordered.FindLastIndex(e => e.VersionId == current.Id);
        if (currentEntry < 0)
        {
            return (null, new(RollbackRefusalKind.NothingToRestore,
                $"There is no approved promotion or rollback that put {current.Number} in Production, so the version before it is unknown."));
        }
        var previous = ordered.Take(currentEntry).Reverse()
            .FirstOrDefault(e => e.VersionId != current.Id && !rolledBack.Any(r => r.VersionId == e.VersionId && r.Order > e.Order));
        var target = previous is null ? null : versions.FirstOrDefault(v => v.Id == previous.VersionId);
        if (target is null)
        {
            return (null, new(RollbackRefusalKind.NothingToRestore, $"No version was in Production before {current.Number}; there is nothing to restore."));
        }
        if (target.Stage != Stage.Staging)
        {
            return (null, new(RollbackRefusalKind.NothingToRestore,
                $"{target.Number}, the version in Production before {current.Number}, is now {target.Stage}; only a version waiting in Staging is restored."));
        }
        return (new RollbackPlan(current, target), null);
    }

    /// <summary>The half of the two-person action <paramref name="caller"/> can take on this model (ModelOwner or ComplianceOfficer), or why none.</summary>
    public static (string? Role, RollbackRefusal? Refusal) SideOf(Caller caller, string modelOwner, string owningTeam)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Has(Roles.Admin) || caller.Has(Roles.Auditor))
        {
            return (null, new(RollbackRefusalKind.NotAllowed, "Admins and Auditors take no part in a rollback."));
        }
        var owningSide = PromotionWorkflow.SamePerson(caller.Username, modelOwner)
            || (caller.Team is not null && string.Equals(caller.Team, owningTeam, StringComparison.Ordinal));
        if (owningSide && caller.Has(Roles.ModelOwner))
        {
            return (Roles.ModelOwner, null);
        }
        if (!owningSide && caller.Has(Roles.ComplianceOfficer))
        {
            return (Roles.ComplianceOfficer, null);
        }
        return (null, new(RollbackRefusalKind.NotAllowed, owningSide
            ? $"A rollback needs a ModelOwner of {owningTeam} and a ComplianceOfficer outside it; you are in {owningTeam} without the ModelOwner role."
            : $"A rollback needs a ModelOwner of {owningTeam} (the owning team) and a ComplianceOfficer outside it; you are neither."));
    }

    /// <summary>Null when <paramref name="reason"/> is a usable reason; otherwise what is wrong with it.</summary>
    public static string? WhyBadReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? "Say why Production must be rolled back; the retrospective starts from it."
        : reason.Trim().Length > ReasonMaxLength ? $"At most {ReasonMaxLength:N0} characters." : null;

    /// <summary>
    /// Null when <paramref name="caller"/> may confirm: the rollback is pending and within its window, the caller is another
    /// person, from the other side, and the plan the history allows now is still the one that was started.
    /// </summary>
    public static RollbackRefusal? WhyCannotConfirm(PendingRollback rollback, Caller caller, RollbackPlan? planNow, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        ArgumentNullException.ThrowIfNull(caller);
        if (Ended(rollback, now) is { } ended)
        {
            return ended;
        }
        var needed = rollback.StartedRole == Roles.ModelOwner ? "a ComplianceOfficer outside the owning team" : $"a ModelOwner of {rollback.OwningTeam}";
        if (PromotionWorkflow.SamePerson(caller.Username, rollback.StartedBy))
        {
            return new(RollbackRefusalKind.SeparationOfDuties, $"You started this rollback; a second person, {needed}, must confirm it.");
        }
        var (role, refusal) = SideOf(caller, rollback.ModelOwner, rollback.OwningTeam);
        if (refusal is not null)
        {
            return refusal;
        }
        if (role == rollback.StartedRole)
        {
            return new(RollbackRefusalKind.SeparationOfDuties, $"{rollback.StartedBy} started this rollback as {rollback.StartedRole}; it must be confirmed by {needed}.");
        }
        if (planNow is null || planNow.From.Id != rollback.FromVersionId || planNow.To.Id != rollback.ToVersionId)
        {
            return new(RollbackRefusalKind.Stale, "Production changed since this rollback was started; start a new one if it is still needed.");
        }
        return null;
    }

    /// <summary>The starter withdraws, or the other side declines, while the rollback is pending and within its window; nobody else cancels.</summary>
    public static RollbackRefusal? WhyCannotCancel(PendingRollback rollback, Caller caller, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        ArgumentNullException.ThrowIfNull(caller);
        if (Ended(rollback, now) is { } ended)
        {
            return ended;
        }
        if (PromotionWorkflow.SamePerson(caller.Username, rollback.StartedBy))
        {
            return null;
        }
        var (role, refusal) = SideOf(caller, rollback.ModelOwner, rollback.OwningTeam);
        return refusal ?? (role == rollback.StartedRole
            ? new(RollbackRefusalKind.NotAllowed, $"Only {rollback.StartedBy} or the person who would confirm may cancel this rollback.")
            : null);
    }

    /// <summary>A retrospective is closed, with findings, by an independent ComplianceOfficer (the same side that confirms rollbacks).</summary>
    public static RollbackRefusal? WhyCannotCloseReview(ReviewState state, Caller caller, string modelOwner, string owningTeam, string? findings)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (state != ReviewState.Open)
        {
            return new(RollbackRefusalKind.AlreadyDecided, "This retrospective is already closed.");
        }
        var (role, refusal) = SideOf(caller, modelOwner, owningTeam);
        if (refusal is not null || role != Roles.ComplianceOfficer)
        {
            return new(RollbackRefusalKind.NotAllowed, "A ComplianceOfficer outside the owning team closes a retrospective.");
        }
        if (string.IsNullOrWhiteSpace(findings))
        {
            return new(RollbackRefusalKind.Invalid, "Write the findings: what failed, why, and what changes.");
        }
        return findings.Trim().Length > ReasonMaxLength ? new(RollbackRefusalKind.Invalid, $"Findings take at most {ReasonMaxLength:N0} characters.") : null;
    }

    /// <summary>
    /// The state a person sees at <paramref name="now"/>: a pending rollback past its window is Expired even before the
    /// expiry job stores it, so nothing about it depends on when the job last ran.
    /// </summary>
    public static RollbackState StateAt(RollbackState stored, DateTimeOffset expiresAt, DateTimeOffset now) =>
        stored == RollbackState.Pending && now >= expiresAt ? RollbackState.Expired : stored;

    /// <summary>Whether the expiry job stores <paramref name="rollback"/> as Expired at <paramref name="now"/>.</summary>
    public static bool ExpiresNow(PendingRollback rollback, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        return rollback.State == RollbackState.Pending && now >= rollback.ExpiresAt;
    }

    private static RollbackRefusal? Ended(PendingRollback rollback, DateTimeOffset now) => StateAt(rollback.State, rollback.ExpiresAt, now) switch
    {
        RollbackState.Pending => null,
        RollbackState.Expired => new(RollbackRefusalKind.Expired,
            $"This rollback was not confirmed by {Time(rollback.ExpiresAt)} and has expired; Production is unchanged. Start a new one if it is still needed."),
        var state => new(RollbackRefusalKind.AlreadyDecided, $"This rollback is already {state}."),
    };

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
