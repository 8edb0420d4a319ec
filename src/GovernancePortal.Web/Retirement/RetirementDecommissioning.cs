using GovernancePortal.Approvals;
using GovernancePortal.Registry;

namespace GovernancePortal.Retirement;

/// <summary>
/// Decommissioning is a stage request to Retired (issue 15, item 3): this keeps the version's plan in step with it in the
/// request's transaction, and gives the successor gate the plan to judge.
/// </summary>
public sealed class RetirementDecommissioning(RetirementService retirements) : IPromotionObserver, IRetirementCandidates
{
    public async Task ChangedAsync(Promotion promotion, ModelVersion version, string actor, CancellationToken cancellationToken)
    {
        if (promotion.TargetStage != Stage.Retired)
        {
            return;
        }
        if (promotion.State is PromotionRequestState.Pending or PromotionRequestState.Approved)
        {
            // A policy asking for no approval approves as it opens: the plan passes through Retiring on its way.
            await retirements.FollowDecommissionAsync(version.Id, RetirementEvent.DecommissionRequested, actor, cancellationToken);
        }
        if (promotion.State == PromotionRequestState.Approved)
        {
            await retirements.FollowDecommissionAsync(version.Id, RetirementEvent.DecommissionApproved, actor, cancellationToken);
        }
        else if (promotion.State != PromotionRequestState.Pending)
        {
            await retirements.FollowDecommissionAsync(version.Id, RetirementEvent.DecommissionEnded, actor, cancellationToken);
        }
    }

    public Task<RetirementCandidate?> ForAsync(Guid versionId, CancellationToken cancellationToken) => retirements.CandidateAsync(versionId, cancellationToken);
}
