using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Retirement;
using GovernancePortal.Reviews;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Catalogue;

/// <summary>One version in production today, with who approved it, how well it is documented and what comes next for it.</summary>
public sealed record ProductionRow(Guid Id, string Key, string Name, string UseCase, string Version, RiskTier Risk, string Owner, string Team,
    string BusinessOwner, DateTimeOffset Since, ProductionApproval? Approval, int? Completeness, int Checked, int Failing, PlanView? Retirement,
    ReviewStanding? Review);

public sealed record ProductionApproval(Guid Id, IReadOnlyList<string> Approvers, int PolicyVersion);

/// <summary>What "Production now" shows: the versions in production, and those retired lately with what took over.</summary>
public sealed record ProductionNowView(IReadOnlyList<ProductionRow> Rows, IReadOnlyList<PlanView> RecentlyRetired, int RetiredDays);

/// <summary>The reads behind the "Production now" page.</summary>
public sealed class ProductionNow(GovernanceDbContext db, RetirementService retirements, ReviewService reviews)
{
    public const int RetiredDays = 90;

    public async Task<ProductionNowView> ListAsync(CancellationToken cancellationToken = default)
    {
        var versions = await db.ModelVersions.AsNoTracking().Include(v => v.Model).Include(v => v.Metrics)
            .Where(v => v.Stage == Stage.Production).ToListAsync(cancellationToken);
        var ids = versions.Select(v => v.Id).ToList();
        var plans = await retirements.ForVersionsAsync(ids, cancellationToken);
        var standings = (await reviews.StandingsAsync(cancellationToken)).ToDictionary(r => r.VersionId);
        // The latest revision's score was computed when it was saved.
        var completeness = (await db.ModelCardRevisions.AsNoTracking().Where(r => ids.Contains(r.VersionId))
                .Select(r => new { r.VersionId, r.Number, r.Completeness }).ToListAsync(cancellationToken))
            .GroupBy(r => r.VersionId).ToDictionary(g => g.Key, g => g.MaxBy(r => r.Number)!.Completeness);
        var approved = await db.Promotions.AsNoTracking().Include(p => p.Decisions)
            .Where(p => ids.Contains(p.VersionId) && p.State == PromotionRequestState.Approved && p.TargetStage == Stage.Production)
            .ToListAsync(cancellationToken);
        // A version promoted to Production more than once shows the approval committed last, whatever the deciders' clocks said.
        var committed = await ProductionHistory.CommittedAsync(db, nameof(Promotion), ProductionHistory.PromotionApproved, approved.Select(p => p.Id));
        var approvals = approved.GroupBy(p => p.VersionId).ToDictionary(g => g.Key, g => g.MaxBy(p => committed.GetValueOrDefault(p.Id))!);
        var rows = versions
            .OrderBy(v => v.Model.Name, StringComparer.CurrentCulture).ThenByDescending(v => v.Number)
            .Select(v => new ProductionRow(v.Id, v.Model.Key, v.Model.Name, v.Model.UseCase, v.Number.ToString(), v.Model.RiskTier, v.Model.Owner,
                v.Model.Team, v.Model.BusinessOwner, v.StageChangedAt,
                approvals.TryGetValue(v.Id, out var approval)
                    ? new ProductionApproval(approval.Id, approval.Decisions.Where(d => d.Verdict == Verdict.Approve).OrderBy(d => d.At).Select(d => d.Approver).ToList(),
                        approval.PolicyVersion)
                    : null,
                completeness.TryGetValue(v.Id, out var score) ? score : null, v.Metrics.Count(m => m.Threshold is not null),
                v.Metrics.Count(m => m.PassesThreshold == false),
                plans.GetValueOrDefault(v.Id) is { Status: not RetirementStatus.Cancelled } plan ? plan : null, standings.GetValueOrDefault(v.Id)))
            .ToList();
        return new ProductionNowView(rows, await retirements.RetiredSinceAsync(RetiredDays, cancellationToken), RetiredDays);
    }
}

public static class CatalogueServices
{
    /// <summary>The catalogue's page reads; the model list itself is <see cref="ModelCatalogue"/>, shared with <c>GET /api/v1/models</c>.</summary>
    public static IServiceCollection AddCatalogue(this IServiceCollection services) => services.AddScoped<ProductionNow>();
}

public static class CatalogueDisplay
{
    /// <summary>The chip colour of a risk tier: the tiers that need approvals by more people stand out.</summary>
    public static MudBlazor.Color RiskColor(RiskTier risk) => risk switch
    {
        RiskTier.Prohibited or RiskTier.High => MudBlazor.Color.Error,
        RiskTier.Limited => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Default,
    };
}
