using GovernancePortal.Approvals;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Notifications;

/// <summary>Who hears about which approval, rollback and retrospective event, and what they are told.</summary>
public sealed class ApprovalNotifications(Notifier notifier)
{
    /// <summary>A new request: the people who could fill one of its slots hear of it; an at-once approval goes to the requester.</summary>
    public async Task PromotionOpenedAsync(Promotion promotion, ModelVersion version, PromotionPolicy policy, WorkflowOutcome opened, CancellationToken cancellationToken)
    {
        var subject = Subject(version, promotion.TargetStage);
        if (opened is WorkflowTransition { State: PromotionRequestState.Approved })
        {
            Requester(promotion, "promotion.approved", $"Approved: {subject}", "No approval was needed and every gate passed.");
            return;
        }
        var request = PromotionService.Domain(promotion, version, policy);
        var approvers = new List<string>();
        foreach (var role in ApprovalSlots.Remaining(policy, request.Decisions).Select(r => r.Role).Distinct())
        {
            approvers.AddRange((await notifier.PeopleWithRoleAsync(role, cancellationToken))
                .Where(p => PromotionWorkflow.WhyCannotDecide(request, p) is null).Select(p => p.Username));
        }
        notifier.Send(approvers, new("promotion.needs-approval", $"Approval needed: {subject}",
            $"{promotion.Requester} asks: {promotion.Justification} The request {ApprovalSlots.Describe(ApprovalSlots.Remaining(policy, request.Decisions))}.",
            PromotionLink(promotion)));
    }

    /// <summary>
    /// The requester hears of every decision and every end of their request; of a withdrawal or an expiry the model's owner
    /// hears too (issue 17, item 3). Nobody is told of the withdrawal they made themselves.
    /// </summary>
    public async Task PromotionChangedAsync(Promotion promotion, ModelVersion version, PromotionAction action, WorkflowTransition transition,
        CancellationToken cancellationToken)
    {
        if (transition.State != PromotionRequestState.Pending)
        {
            await notifier.SettleAsync(PromotionLink(promotion), cancellationToken);
        }
        else if (((action as ApproveAction)?.By ?? (action as RejectAction)?.By) is { } approver)
        {
            // The approver's own call to decide is done, though the request still waits for others.
            await notifier.SettleAsync(PromotionLink(promotion), cancellationToken, approver.Username);
        }
        var subject = Subject(version, promotion.TargetStage);
        switch (transition.State)
        {
            case PromotionRequestState.Approved:
                Requester(promotion, "promotion.approved", $"Approved: {subject}", transition.Message);
                break;
            case PromotionRequestState.Rejected:
                Requester(promotion, "promotion.rejected", $"Rejected: {subject}", transition.Message);
                break;
            case PromotionRequestState.Expired:
                notifier.Send([promotion.Requester, version.Model.Owner], new("promotion.expired", $"Expired: {subject}", transition.Message, PromotionLink(promotion)));
                break;
            case PromotionRequestState.Withdrawn:
                notifier.Send([promotion.Requester, version.Model.Owner], new("promotion.withdrawn", $"Withdrawn: {subject}", transition.Message, PromotionLink(promotion)),
                    (action as WithdrawAction)?.By.Username);
                break;
            case PromotionRequestState.Pending when transition.Decision is { Verdict: Verdict.Approve }:
                Requester(promotion, "promotion.approved-by", $"Approval given: {subject}", transition.Message);
                break;
        }
    }

    /// <summary>The other side of the two-person action is asked to confirm.</summary>
    public async Task RollbackStartedAsync(Rollback rollback, Model model, ModelVersion from, ModelVersion to, CancellationToken cancellationToken)
    {
        var pending = Pending(rollback, model);
        var other = rollback.StartedRole == Roles.ModelOwner ? Roles.ComplianceOfficer : Roles.ModelOwner;
        var confirmers = (await notifier.PeopleWithRoleAsync(other, cancellationToken))
            .Where(p => RollbackRules.WhyCannotConfirm(pending, p, new RollbackPlan(Plan(from), Plan(to)), rollback.StartedAt) is null)
            .Select(p => p.Username);
        notifier.Send(confirmers, new("rollback.started", $"Confirm rollback: {model.Name} {from.Number} → {to.Number}",
            $"{rollback.StartedBy} ({rollback.StartedRole}) started an emergency rollback: {rollback.Reason}", RollbackLink(rollback)));
    }

    public async Task RollbackConfirmedAsync(Rollback rollback, Model model, ModelVersion from, ModelVersion to, CancellationToken cancellationToken)
    {
        await notifier.SettleAsync(RollbackLink(rollback), cancellationToken);
        notifier.Send([rollback.StartedBy, model.Owner], new("rollback.confirmed", $"Rolled back: {model.Name} {from.Number} → {to.Number}",
            $"{rollback.DecidedBy} confirmed the rollback {rollback.StartedBy} started; {to.Number} is in Production again.", RollbackLink(rollback)), rollback.DecidedBy);
    }

    public async Task RollbackCancelledAsync(Rollback rollback, Model model, CancellationToken cancellationToken)
    {
        await notifier.SettleAsync(RollbackLink(rollback), cancellationToken);
        notifier.Send([rollback.StartedBy, model.Owner], new("rollback.cancelled", $"Rollback cancelled: {model.Name}",
            $"{rollback.DecidedBy} cancelled the rollback; Production is unchanged.", RollbackLink(rollback)), rollback.DecidedBy);
    }

    /// <summary>Nobody confirmed in time: the starter learns that Production is unchanged and a new rollback is needed if the emergency goes on.</summary>
    public async Task RollbackExpiredAsync(Rollback rollback, Model model, ModelVersion from, ModelVersion to, CancellationToken cancellationToken)
    {
        await notifier.SettleAsync(RollbackLink(rollback), cancellationToken);
        notifier.Send([rollback.StartedBy], new("rollback.expired", $"Rollback expired: {model.Name} {from.Number} → {to.Number}",
            $"Nobody confirmed the rollback you started within {RollbackRules.ConfirmationWindow.TotalHours:0} hours; Production is unchanged. Start a new one if it is still needed.",
            RollbackLink(rollback)));
    }

    /// <summary>Every officer who could close it, and the model's owner, learn that a retrospective is open.</summary>
    public async Task ReviewOpenedAsync(RetrospectiveReview review, Rollback rollback, Model model, CancellationToken cancellationToken)
    {
        var closers = (await notifier.PeopleWithRoleAsync(Roles.ComplianceOfficer, cancellationToken))
            .Where(p => RollbackRules.WhyCannotCloseReview(ReviewState.Open, p, model.Owner, model.Team, "findings") is null)
            .Select(p => p.Username);
        notifier.Send([.. closers, model.Owner], new("review.opened", $"Retrospective open: {model.Name}",
            $"A rollback ({rollback.Reason}) opened a retrospective; it stays in the approvals inbox until a ComplianceOfficer closes it with findings.",
            ReviewLink(review)), rollback.DecidedBy);
    }

    public async Task ReviewClosedAsync(RetrospectiveReview review, Rollback rollback, Model model, CancellationToken cancellationToken)
    {
        await notifier.SettleAsync(ReviewLink(review), cancellationToken);
        notifier.Send([rollback.StartedBy, rollback.DecidedBy ?? "", model.Owner], new("review.closed", $"Retrospective closed: {model.Name}",
            $"{review.ClosedBy} closed it: {review.Findings}", ReviewLink(review)), review.ClosedBy);
    }

    public static PendingRollback Pending(Rollback rollback, Model model) => new(rollback.StartedBy, rollback.StartedRole, rollback.StartedAt, rollback.State,
        rollback.FromVersionId, rollback.ToVersionId, model.Owner, model.Team);

    private static RollbackVersion Plan(ModelVersion version) => new(version.Id, version.Number.ToString(), version.Stage);

    private void Requester(Promotion promotion, string kind, string title, string body) =>
        notifier.Send([promotion.Requester], new(kind, title, body, PromotionLink(promotion)));

    private static string PromotionLink(Promotion promotion) => $"/approvals/{promotion.Id}";

    private static string RollbackLink(Rollback rollback) => $"/rollbacks/{rollback.Id}";

    private static string ReviewLink(RetrospectiveReview review) => $"/retrospectives/{review.Id}";

    private static string Subject(ModelVersion version, Stage target) => $"{version.Model.Name} {version.Number} → {target}";
}
