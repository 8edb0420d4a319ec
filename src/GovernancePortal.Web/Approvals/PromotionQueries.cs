using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>How the inbox orders requests; the oldest come first, as they are the ones to act on.</summary>
public enum InboxOrder
{
    Oldest,
    DueSoonest,
    Newest,
}

/// <summary>The inbox's filters, as its address names them.</summary>
public sealed record InboxFilter(PromotionRequestState Status, Stage? Stage, RiskTier? Risk, int? OlderThanDays, InboxOrder Order)
{
    public static readonly InboxFilter Default = new(PromotionRequestState.Pending, null, null, null, InboxOrder.Oldest);
}

public sealed record InboxRow(
    Guid Id, DateTimeOffset CreatedAt, int AgeDays, string ModelKey, string ModelName, string Version, Stage Target, RiskTier Risk, string Requester,
    string StillNeeded, DateTimeOffset ExpiresAt, bool Overdue);

public sealed record InboxPage(IReadOnlyList<InboxRow> Items, int Total);

/// <summary>
/// A request with what it was made under: the one read of a request that its page and <c>GET /api/v1/promotions/{id}</c>
/// share. <see cref="Version"/> carries its model and metrics.
/// </summary>
public sealed record PromotionView(Promotion Promotion, ModelVersion Version, PromotionPolicy Policy, IReadOnlyList<RequiredApproval> Remaining)
{
    public PromotionRequest Domain => PromotionService.Domain(Promotion, Version, Policy);

    public bool Pending => Promotion.State == PromotionRequestState.Pending;

    public string StillNeeded => Pending ? ApprovalSlots.Describe(Remaining) : "";

    public PromotionResponse ToResponse() => new(Promotion.Id, Version.Model.Key, Version.Number.ToString(), Promotion.FromStage, Promotion.TargetStage,
        Promotion.State, Promotion.Requester, Promotion.Justification, Promotion.PolicyVersion, Promotion.CreatedAt, Promotion.ExpiresAt, Promotion.DecidedAt,
        StillNeeded, PromotionService.Gates(Promotion),
        Promotion.Decisions.OrderBy(d => d.At).Select(d => new DecisionResponse(d.Approver, d.Role, d.Verdict, d.Comment, d.At)).ToList());
}

/// <summary>Everything a request's page shows besides the request: the gates as they stand and the evidence they are judged on.</summary>
public sealed record PromotionEvidence(IReadOnlyList<GateResult> Gates, VersionEvidence Evidence, int? CurrentPolicyVersion)
{
    /// <summary>
    /// Every approval is given and only the gates hold the request: judging them again settles it. Offered also once they
    /// pass again (a card restored), since nothing else moves the request then.
    /// </summary>
    public bool WaitsForGates(PromotionView details) => details.Pending && details.Remaining.Count == 0;
}

/// <summary>Reads of promotion requests shared by the approvals pages and the API.</summary>
public sealed class PromotionQueries(GovernanceDbContext db, PromotionService promotions, PromotionPolicyStore policies, ModelCardService cards,
    ChecklistReads checklists, TimeProvider clock)
{
    public const int MaxPageSize = 100;

    /// <summary>Within this many days of its expiry a pending request is shown as overdue.</summary>
    public static readonly TimeSpan DueSoon = TimeSpan.FromDays(2);

    /// <summary>A version, with its model and metrics, by the model's key and the version's number as an address names them.</summary>
    public Task<ModelVersion?> VersionAsync(string key, string version, CancellationToken cancellationToken = default) =>
        RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);

    public async Task<PromotionView?> DetailsAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var promotion = await db.Promotions.AsNoTracking().Include(p => p.Decisions)
            .Include(p => p.Version).ThenInclude(v => v.Model).Include(p => p.Version).ThenInclude(v => v.Metrics)
            .AsSplitQuery().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        return promotion is null ? null : Details(promotion);
    }

    /// <summary>Requests oldest first, each with its decisions, in one query (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<PromotionView>> ListAsync(PromotionRequestState? status, Stage? stage, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.Promotions.AsNoTracking();
        if (status is { } state)
        {
            query = query.Where(p => p.State == state);
        }
        if (stage is { } target)
        {
            query = query.Where(p => p.TargetStage == target);
        }
        var found = await query.Include(p => p.Decisions).Include(p => p.Version).ThenInclude(v => v.Model)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(limit).AsSplitQuery().ToListAsync(cancellationToken);
        return found.Select(Details).ToList();
    }

    /// <summary>One page of the inbox, counted and read in the database.</summary>
    public async Task<InboxPage> InboxAsync(InboxFilter filter, int skip, int take, CancellationToken cancellationToken = default)
    {
        skip = Math.Max(0, skip);
        take = Math.Clamp(take, 1, MaxPageSize);
        var now = clock.GetUtcNow();
        var query = db.Promotions.AsNoTracking().Where(p => p.State == filter.Status);
        if (filter.Stage is { } stage)
        {
            query = query.Where(p => p.TargetStage == stage);
        }
        if (filter.Risk is { } risk)
        {
            query = query.Where(p => p.Version.Model.RiskTier == risk);
        }
        if (filter.OlderThanDays is > 0 and <= 365 && now.AddDays(-filter.OlderThanDays.Value) is var cutoff)
        {
            query = query.Where(p => p.CreatedAt <= cutoff);
        }
        var total = await query.CountAsync(cancellationToken);
        var ordered = filter.Order switch
        {
            InboxOrder.DueSoonest => query.OrderBy(p => p.ExpiresAt).ThenBy(p => p.Id),
            InboxOrder.Newest => query.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id),
            _ => query.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id),
        };
        var page = await ordered.Skip(skip).Take(take).Include(p => p.Decisions).Include(p => p.Version).ThenInclude(v => v.Model)
            .AsSplitQuery().ToListAsync(cancellationToken);
        var rows = page.Select(p =>
        {
            var details = Details(p);
            var pending = details.Pending;
            return new InboxRow(p.Id, p.CreatedAt, (int)(now - p.CreatedAt).TotalDays, p.Version.Model.Key, p.Version.Model.Name, p.Version.Number.ToString(),
                p.TargetStage, p.Version.Model.RiskTier, p.Requester, pending ? details.StillNeeded : p.State.ToString(), p.ExpiresAt,
                pending && p.ExpiresAt <= now + DueSoon);
        }).ToList();
        return new InboxPage(rows, total);
    }

    /// <summary>
    /// The gates as they stand for a pending request (under the policy it was made under, never a later edit) or as they
    /// were when it was decided, and the evidence: the card and checklists are read once for both.
    /// </summary>
    public async Task<PromotionEvidence> EvidenceAsync(PromotionView details, CancellationToken cancellationToken = default)
    {
        var evidence = await VersionEvidence.LoadAsync(db, cards, checklists, details.Version, cancellationToken);
        var gates = details.Pending
            ? (await promotions.CheckAsync(details.Version, details.Promotion.TargetStage, details.Policy, evidence, cancellationToken)).Gates
            : PromotionService.Gates(details.Promotion);
        var current = (await policies.LatestRowAsync(details.Promotion.TargetStage, details.Policy.RiskTier, cancellationToken))?.Version;
        return new PromotionEvidence(gates, evidence, current);
    }

    private static PromotionView Details(Promotion promotion)
    {
        var policy = PromotionService.Policy(promotion);
        var domain = PromotionService.Domain(promotion, promotion.Version, policy);
        return new PromotionView(promotion, promotion.Version, policy, ApprovalSlots.Remaining(policy, domain.Decisions));
    }
}
