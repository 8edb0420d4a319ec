using System.Text.Json;
using System.Text.Json.Serialization;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public sealed record PromotionCheck(PromotionPolicy Policy, IReadOnlyList<GateResult> Gates)
{
    public bool Blocked => GateEvaluation.Blocks(Gates);
}

/// <summary>
/// Told of every change of a stage request before it is saved, in its unit of work, so what follows from it (a retirement
/// plan becoming Retiring or Retired) commits with it or not at all.
/// </summary>
public interface IPromotionObserver
{
    Task ChangedAsync(Promotion promotion, ModelVersion version, string actor, CancellationToken cancellationToken);
}

/// <summary>What a decommissioning is judged on besides the checklists: the version's retirement plan, read by its feature.</summary>
public interface IRetirementCandidates
{
    Task<RetirementCandidate?> ForAsync(Guid versionId, CancellationToken cancellationToken);
}

/// <summary>What the periodic review gate judges: the model's review when its review policy blocks promotions while overdue (ADR-026).</summary>
public interface IReviewCandidates
{
    Task<PeriodicReviewCandidate?> ForAsync(Guid modelId, CancellationToken cancellationToken);
}

public sealed record PromotionOutcome(Promotion? Promotion, Failure? Failure, IReadOnlyList<GateResult> Gates, string Message);

/// <summary>
/// Requests, decisions and withdrawals of stage promotions. The rules are the domain's (<see cref="PromotionWorkflow"/>);
/// this class loads their inputs, re-evaluates the gates at the moment of each decision, and saves the outcome, the
/// stage change and the audit events in one transaction under optimistic concurrency.
/// </summary>
public sealed class PromotionService(GovernanceDbContext db, ModelCardService cards, PromotionPolicyStore policies, Compliance.ChecklistReads checklists,
    TimeProvider clock, Notifications.ApprovalNotifications notifications, IEnumerable<IPromotionObserver> observers, IRetirementCandidates retirements,
    IReviewCandidates reviews)
{
    // Stored policy versions and request snapshots outlive the code that wrote them: a member an earlier version wrote and
    // this one dropped (the generic requiredSignOffs list) is skipped, so every stored row still loads.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>The gates a new request would face now, under the current policy; null when no policy is stored for the stage and tier.</summary>
    public async Task<PromotionCheck?> CheckAsync(ModelVersion version, Stage target, CancellationToken cancellationToken = default)
    {
        var policy = await policies.CurrentAsync(target, version.Model.RiskTier, cancellationToken);
        return policy is null ? null : await CheckAsync(version, target, policy, cancellationToken);
    }

    /// <summary>The gates under a given policy, such as the version a pending request was made under.</summary>
    public async Task<PromotionCheck> CheckAsync(ModelVersion version, Stage target, PromotionPolicy policy, CancellationToken cancellationToken = default) =>
        new(policy, GateEvaluation.Evaluate(policy, await CandidateAsync(version, target, policy, null, cancellationToken)));

    /// <summary>The same, judged on evidence a page has already loaded for the version (its current card and checklist rows).</summary>
    public async Task<PromotionCheck> CheckAsync(ModelVersion version, Stage target, PromotionPolicy policy, VersionEvidence evidence,
        CancellationToken cancellationToken = default) =>
        new(policy, GateEvaluation.Evaluate(policy, await CandidateAsync(version, target, policy, evidence, cancellationToken)));

    public async Task<PromotionOutcome> RequestAsync(Caller caller, ModelVersion version, Stage target, string justification, CancellationToken cancellationToken = default)
    {
        if (RegistryRules.WhyCannotEdit(caller, version.Model.Owner, version.Model.Team) is { } refusal)
        {
            return Failed(FailureKind.Forbidden, refusal);
        }
        if (string.IsNullOrWhiteSpace(justification) || justification.Length > 4000)
        {
            return new(null, new Failure(FailureKind.Invalid, "Say why this version should be promoted (up to 4,000 characters).",
                new() { ["justification"] = ["Say why this version should be promoted (up to 4,000 characters)."] }), [], "");
        }
        if (target is not (Stage.Staging or Stage.Production or Stage.Retired))
        {
            const string stages = "Promote to Staging or Production, or retire (Retired).";
            return new(null, new Failure(FailureKind.Invalid, stages, new() { ["targetStage"] = [stages] }), [], "");
        }
        if (await db.Promotions.AnyAsync(p => p.VersionId == version.Id && p.State == PromotionRequestState.Pending, cancellationToken))
        {
            return Failed(FailureKind.Conflict, $"Version {version.Number} already has a pending promotion request.");
        }
        var check = await CheckAsync(version, target, cancellationToken);
        if (check is null)
        {
            var missing = $"No {target}/{version.Model.RiskTier} promotion policy is stored; the portal's migrate command seeds the defaults.";
            return new(null, new Failure(FailureKind.Rule, missing), [], missing);
        }
        if (check.Blocked)
        {
            return new(null, new Failure(FailureKind.Rule, "A gate blocks this promotion."), check.Gates, "A gate blocks this promotion.");
        }
        var now = clock.GetUtcNow();
        var promotion = new Promotion
        {
            VersionId = version.Id,
            FromStage = version.Stage,
            TargetStage = target,
            Requester = caller.Username,
            Justification = justification.Trim(),
            State = PromotionRequestState.Pending,
            PolicyVersion = check.Policy.Version,
            PolicyJson = SerializePolicy(check.Policy),
            GatesJson = JsonSerializer.Serialize(check.Gates, Json),
            CreatedAt = now,
            ExpiresAt = now + check.Policy.RequestExpiry,
        };
        db.Promotions.Add(promotion);
        db.Audit.Record("promotion.requested", promotion, new { model = version.Model.Key, version = version.Number.ToString(), policyVersion = check.Policy.Version, gates = check.Gates });
        var opened = PromotionWorkflow.Open(Domain(promotion, version, check.Policy), check.Gates);
        var message = opened.Message;
        if (opened is WorkflowTransition { State: PromotionRequestState.Approved } approved)
        {
            // No approval is needed: the request is decided as it opens. Left Pending, it could still be withdrawn or
            // expire after its version had moved.
            promotion.State = PromotionRequestState.Approved;
            promotion.DecidedAt = now;
            db.Audit.Record("promotion.approved", promotion,
                new { model = version.Model.Key, version = version.Number.ToString(), policyVersion = check.Policy.Version, gates = check.Gates, message });
            await ApplyApprovalAsync(promotion, version, check.Policy, approved, cancellationToken);
        }
        await notifications.PromotionOpenedAsync(promotion, version, check.Policy, opened, cancellationToken);
        await ObserveAsync(promotion, version, caller.Username, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(ex))
        {
            // Another request for this version, or its stage change, was saved first.
            db.ChangeTracker.Clear();
            return Failed(FailureKind.Conflict, $"Version {version.Number} was requested or moved at the same moment; reload it to see its requests.");
        }
        return new(promotion, null, check.Gates, message);
    }

    public async Task<PromotionOutcome> DecideAsync(Caller caller, Guid id, Verdict verdict, string? comment, CancellationToken cancellationToken = default)
    {
        var promotion = await LoadAsync(id, cancellationToken);
        if (promotion is null)
        {
            return Failed(FailureKind.NotFound, "There is no such promotion request.");
        }
        var policy = Policy(promotion);
        var version = promotion.Version;
        var gates = GateEvaluation.Evaluate(policy, await CandidateAsync(version, promotion.TargetStage, policy, null, cancellationToken));
        PromotionAction action = verdict == Verdict.Approve ? new ApproveAction(caller, gates, comment) : new RejectAction(caller, comment ?? "");
        return await TransitionAsync(promotion, version, policy, action, gates, cancellationToken);
    }

    /// <summary>
    /// Judges the gates of a request whose approvals are all given again, and approves it when they now pass: the last
    /// approval may have landed while a gate failed (a card edited, a sign-off voided), and fixing that changes no request.
    /// </summary>
    public async Task<PromotionOutcome> RecheckAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var promotion = await LoadAsync(id, cancellationToken);
        if (promotion is null)
        {
            return Failed(FailureKind.NotFound, "There is no such promotion request.");
        }
        var policy = Policy(promotion);
        var version = promotion.Version;
        if (!caller.Roles.Any(r => PromotionPolicy.ApproverRoles.Contains(r, StringComparer.Ordinal)))
        {
            return Failed(FailureKind.Forbidden, "Only model owners and compliance officers ask for a request's gates to be judged again.");
        }
        var gates = GateEvaluation.Evaluate(policy, await CandidateAsync(version, promotion.TargetStage, policy, null, cancellationToken));
        return await TransitionAsync(promotion, version, policy, new RecheckAction(gates), gates, cancellationToken);
    }

    public async Task<PromotionOutcome> WithdrawAsync(Caller caller, Guid id, CancellationToken cancellationToken = default)
    {
        var promotion = await LoadAsync(id, cancellationToken);
        if (promotion is null)
        {
            return Failed(FailureKind.NotFound, "There is no such promotion request.");
        }
        return await TransitionAsync(promotion, promotion.Version, Policy(promotion), new WithdrawAction(caller), [], cancellationToken);
    }

    /// <summary>Marks every pending request past its expiry as Expired. Idempotent; safe with several instances.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var due = await db.Promotions.Where(p => p.State == PromotionRequestState.Pending && p.ExpiresAt <= now).Select(p => p.Id).ToListAsync(cancellationToken);
        var expired = 0;
        foreach (var id in due)
        {
            var promotion = await LoadAsync(id, cancellationToken);
            if (promotion is not null && (await TransitionAsync(promotion, promotion.Version, Policy(promotion), new ExpireAction(), [], cancellationToken)).Failure is null)
            {
                expired++;
            }
            db.ChangeTracker.Clear();
        }
        return expired;
    }

    public static string SerializePolicy(PromotionPolicy policy) => JsonSerializer.Serialize(policy, Json);

    public static PromotionPolicy DeserializePolicy(string json) => JsonSerializer.Deserialize<PromotionPolicy>(json, Json)!;

    public static PromotionPolicy Policy(Promotion promotion) => DeserializePolicy(promotion.PolicyJson);

    public static IReadOnlyList<GateResult> Gates(Promotion promotion) => JsonSerializer.Deserialize<List<GateResult>>(promotion.GatesJson, Json) ?? [];

    public static PromotionRequest Domain(Promotion promotion, ModelVersion version, PromotionPolicy policy) => new(
        promotion.Requester, version.Model.Owner, version.Model.Team, policy, promotion.State,
        promotion.Decisions.OrderBy(d => d.At).Select(d => new PromotionDecision(d.Approver, d.Role, d.Verdict, d.Comment, d.At)).ToList(),
        promotion.CreatedAt);

    private async Task<PromotionOutcome> TransitionAsync(Promotion promotion, ModelVersion version, PromotionPolicy policy, PromotionAction action,
        IReadOnlyList<GateResult> gates, CancellationToken cancellationToken)
    {
        var outcome = PromotionWorkflow.Apply(Domain(promotion, version, policy), action, clock.GetUtcNow());
        if (outcome is WorkflowRefusal refusal)
        {
            var kind = refusal.Kind switch
            {
                RefusalKind.SeparationOfDuties or RefusalKind.NotAllowed => FailureKind.Forbidden,
                _ => FailureKind.Conflict,
            };
            return new(promotion, new Failure(kind, refusal.Message), gates, refusal.Message);
        }
        var transition = (WorkflowTransition)outcome;
        var now = clock.GetUtcNow();
        if (transition.Decision is { } decision)
        {
            var record = new PromotionDecisionRecord
            {
                PromotionId = promotion.Id,
                Approver = decision.Approver,
                Role = decision.Role,
                Verdict = decision.Verdict,
                Comment = decision.Comment,
                At = decision.At,
            };
            db.PromotionDecisions.Add(record);
            db.Audit.Record(decision.Verdict == Verdict.Approve ? "promotion.approved-by" : "promotion.rejected-by", record,
                new { promotion = promotion.Id, model = version.Model.Key, version = version.Number.ToString(), policyVersion = policy.Version, gates });
        }
        var before = promotion.State;
        promotion.State = transition.State;
        promotion.Revision++;
        if (gates.Count > 0)
        {
            promotion.GatesJson = JsonSerializer.Serialize(gates, Json);
        }
        if (promotion.State != PromotionRequestState.Pending)
        {
            promotion.DecidedAt = now;
        }
        // A withdrawal or an expiry judges no gates: the trail gets them as last judged.
        db.Audit.Record(before == promotion.State ? "promotion.updated" : $"promotion.{promotion.State.ToString().ToLowerInvariant()}", promotion,
            new { model = version.Model.Key, version = version.Number.ToString(), policyVersion = policy.Version,
                gates = gates.Count > 0 ? gates : Gates(promotion), gatesJudgedNow = gates.Count > 0, message = transition.Message });
        if (transition.State == PromotionRequestState.Approved)
        {
            await ApplyApprovalAsync(promotion, version, policy, transition, cancellationToken);
        }
        await notifications.PromotionChangedAsync(promotion, version, action, transition, cancellationToken);
        await ObserveAsync(promotion, version, action switch
        {
            ApproveAction a => a.By.Username,
            RejectAction r => r.By.Username,
            WithdrawAction w => w.By.Username,
            _ => "system",
        }, cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new(promotion, new Failure(FailureKind.Conflict,
                "Someone decided on this request, or moved a version of this model, at the same moment; reload it to see its state."), gates, "");
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new(promotion, new Failure(FailureKind.Conflict, "You have already decided on this request."), gates, "");
        }
        return new(promotion, null, gates, transition.Message);
    }

    /// <summary>The stage change an approval causes, in the same transaction: the version moves, a replaced champion returns to Staging.</summary>
    private async Task ApplyApprovalAsync(Promotion promotion, ModelVersion version, PromotionPolicy policy, WorkflowTransition transition, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tracked = await db.ModelVersions.SingleAsync(v => v.Id == version.Id, cancellationToken);
        // The gates were judged on the version as the caller read it; if it has moved since, the save must conflict.
        db.Entry(tracked).Property(v => v.ConcurrencyStamp).OriginalValue = version.ConcurrencyStamp;
        if (promotion.TargetStage == Stage.Production && !policy.AllowsSeveralProduction)
        {
            // Every other version, not only the champion read now: one that another approval is moving to Production at
            // this moment still reads as Staging here, and only a conflict on its stamp keeps both from staying there.
            var others = await db.ModelVersions.Where(v => v.ModelId == version.ModelId && v.Id != version.Id).ToListAsync(cancellationToken);
            foreach (var other in others)
            {
                other.ConcurrencyStamp++;
            }
            foreach (var champion in others.Where(v => v.Stage == Stage.Production))
            {
                champion.Stage = Stage.Staging;
                champion.StageChangedAt = now;
                db.Audit.Record(VersionStageHistory.StageChanged, champion,
                    new { model = version.Model.Key, version = champion.Number.ToString(), reason = VersionStageHistory.ReplacedInProduction, promotion = promotion.Id, policyVersion = policy.Version });
            }
        }
        tracked.Stage = promotion.TargetStage;
        tracked.StageChangedAt = now;
        tracked.ConcurrencyStamp++;
        db.Audit.Record(VersionStageHistory.StageChanged, tracked,
            new { model = version.Model.Key, version = version.Number.ToString(), promotion = promotion.Id, policyVersion = policy.Version, message = transition.Message });
    }

    private async Task ObserveAsync(Promotion promotion, ModelVersion version, string actor, CancellationToken cancellationToken)
    {
        foreach (var observer in observers)
        {
            await observer.ChangedAsync(promotion, version, actor, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<MeasuredMetric>> MetricsAsync(ModelVersion version, CancellationToken cancellationToken) =>
        (version.Metrics.Count > 0 ? version.Metrics : await db.VersionMetrics.AsNoTracking().Where(m => m.VersionId == version.Id).ToListAsync(cancellationToken))
            .Select(m => m.ToMeasured()).ToList();

    private async Task<PromotionCandidate> CandidateAsync(ModelVersion version, Stage target, PromotionPolicy policy, VersionEvidence? evidence,
        CancellationToken cancellationToken)
    {
        var card = evidence?.Card ?? await cards.CurrentAsync(version, cancellationToken);
        var anotherInProduction = await db.ModelVersions.AnyAsync(v => v.ModelId == version.ModelId && v.Stage == Stage.Production && v.Id != version.Id, cancellationToken);
        var checklistRows = policy.RequireApplicableChecklistsSignedOff || policy.RequiredChecklistTemplates.Count > 0
            ? evidence?.Compliance ?? await checklists.ForVersionAsync(version, cancellationToken)
            : [];
        return new PromotionCandidate(version.Stage, target, version.Model.RiskTier, card.Completeness.Score, card.Completeness.Missing,
            await MetricsAsync(version, cancellationToken), anotherInProduction)
        {
            // Only read when judged: the status reads every template and assessment.
            Checklists = checklistRows.Select(r => r.Status).OfType<GovernancePortal.Compliance.TemplateStatus>()
                .Select(t => new ChecklistSignOff(t.TemplateId, t.Title, t.SignedOff, t.Missing.Select(m => m.Message).ToList())).ToList(),
            InapplicableChecklists = checklistRows.Where(r => !r.Applicability.Applies)
                .Select(r => new ChecklistNotApplicable(r.TemplateVersion.TemplateId, r.TemplateVersion.Title, r.Applicability.Reason)).ToList(),
            Retirement = target == Stage.Retired ? await retirements.ForAsync(version.Id, cancellationToken) : null,
            // Switching a model off stays possible however late its review is.
            PeriodicReview = target == Stage.Retired ? null : await reviews.ForAsync(version.ModelId, cancellationToken),
        };
    }

    // One query, so the state and the decisions are read at one moment: a split query could see a decision committed
    // after the state it read, and refuse with a wrong reason. Metrics never change; they are read when needed.
    private Task<Promotion?> LoadAsync(Guid id, CancellationToken cancellationToken) =>
        db.Promotions.Include(p => p.Decisions).Include(p => p.Version).ThenInclude(v => v.Model)
            .SingleOrDefaultAsync(p => p.Id == id, cancellationToken);

    private static PromotionOutcome Failed(FailureKind kind, string message) => new(null, new Failure(kind, message), [], message);
}
