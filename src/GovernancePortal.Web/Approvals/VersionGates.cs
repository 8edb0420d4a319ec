using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>The gates a request to <see cref="Target"/> would face now; <see cref="Check"/> is null when no policy is stored for it.</summary>
public sealed record StageGates(Stage Target, PromotionCheck? Check);

/// <summary>One stage request of a version, for its page.</summary>
public sealed record VersionRequest(Guid Id, Stage From, Stage Target, PromotionRequestState State, string Requester, DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt);

/// <summary>What the version page shows under "Gates and approvals": the next stages' gates as they stand and the requests made so far.</summary>
public sealed record VersionGates(IReadOnlyList<StageGates> Stages, IReadOnlyList<VersionRequest> Requests)
{
    public VersionRequest? Pending => Requests.FirstOrDefault(r => r.State == PromotionRequestState.Pending);
}

/// <summary>Reads the gates and requests of one version, judged on the evidence its page has already loaded.</summary>
public sealed class VersionGateReads(GovernanceDbContext db, PromotionService promotions, PromotionPolicyStore policies)
{
    /// <summary>The stages a version may be requested into next, as the request page offers them (retiring is planned on its own page).</summary>
    public static IReadOnlyList<Stage> NextStages(Stage current) => current switch
    {
        Stage.Development => [Stage.Staging, Stage.Production],
        Stage.Staging => [Stage.Production],
        _ => [],
    };

    /// <summary><paramref name="version"/> must be loaded with its model and metrics.</summary>
    public async Task<VersionGates> ForAsync(ModelVersion version, VersionEvidence evidence, CancellationToken cancellationToken = default)
    {
        var stages = new List<StageGates>();
        foreach (var target in NextStages(version.Stage))
        {
            var policy = await policies.CurrentAsync(target, version.Model.RiskTier, cancellationToken);
            stages.Add(new StageGates(target, policy is null ? null : await promotions.CheckAsync(version, target, policy, evidence, cancellationToken)));
        }
        var requests = await db.Promotions.AsNoTracking().Where(p => p.VersionId == version.Id).OrderByDescending(p => p.CreatedAt)
            .Select(p => new VersionRequest(p.Id, p.FromStage, p.TargetStage, p.State, p.Requester, p.CreatedAt, p.DecidedAt)).ToListAsync(cancellationToken);
        return new VersionGates(stages, requests);
    }
}
