using GovernancePortal.Approvals;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.ReviewQueue;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Home;

public sealed record PortfolioCounts(int Models, int ProductionVersions, int StagingVersions, int HighRiskModels);

public sealed record TierStageCount(RiskTier Tier, Stage Stage, int Versions);

public sealed record ProductionCard(string ModelKey, string ModelName, string Version, RiskTier Tier, int Completeness);

/// <summary>What a business stakeholder reads first: what runs where by risk, how complete its cards are, checklist coverage.</summary>
public sealed record StakeholderOverview(IReadOnlyList<TierStageCount> VersionsByTierAndStage, IReadOnlyList<ProductionCard> ProductionCards,
    IReadOnlyList<TemplateCoverage> Checklists);

public sealed record WaitingApproval(Guid Id, string ModelKey, string ModelName, string Version, Stage Target, string Requester,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// A compliance officer's work: promotion requests waiting for a decision, and the oldest checklists of the review queue
/// with how many wait in all.
/// </summary>
public sealed record ComplianceWork(IReadOnlyList<WaitingApproval> Approvals, ReviewQueueSlice Reviews);

public sealed record OpenAlert(DateTimeOffset RaisedAt, string Fault, long? FirstInvalidSequence, string Reason);

public sealed record LatestCheckpoint(long TreeSize, DateTimeOffset Timestamp, string RootHash);

public sealed record DayCount(DateOnly Day, int Events);

/// <summary>An auditor's view of the trail: open verification alerts, the latest signed checkpoint, activity per day.</summary>
public sealed record AuditOverview(long Events, IReadOnlyList<OpenAlert> OpenAlerts, LatestCheckpoint? Checkpoint, IReadOnlyList<DayCount> EventsPerDay);

public sealed record OwnedModel(string Key, string Name, RiskTier Tier, string? InProduction, string? Latest, Stage? LatestStage, IReadOnlyList<string> Blockers);

/// <summary>
/// Reads for the home pages, one query per list (no query per row). Pages get these records, never the DbContext.
/// </summary>
public sealed class HomeQueries(GovernanceDbContext db, TimeProvider clock, ComplianceViews complianceViews, ChecklistReviewQueue reviewQueue)
{
    public const int DaysOfActivity = 14;

    /// <summary>The oldest checklists of the review queue the home page lists; the queue page has the rest.</summary>
    public const int ReviewsOnHome = 5;

    public async Task<PortfolioCounts> PortfolioAsync(CancellationToken cancellationToken = default)
    {
        var stages = await db.ModelVersions.AsNoTracking().Where(v => v.Stage == Stage.Production || v.Stage == Stage.Staging)
            .GroupBy(v => v.Stage).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var models = await db.Models.CountAsync(cancellationToken);
        var highRisk = await db.Models.CountAsync(m => m.RiskTier == RiskTier.High, cancellationToken);
        return new PortfolioCounts(models, stages.Where(s => s.Key == Stage.Production).Sum(s => s.Count), stages.Where(s => s.Key == Stage.Staging).Sum(s => s.Count), highRisk);
    }

    public async Task<StakeholderOverview> StakeholderAsync(CancellationToken cancellationToken = default)
    {
        var counts = await db.ModelVersions.AsNoTracking()
            .Where(v => v.Stage == Stage.Development || v.Stage == Stage.Staging || v.Stage == Stage.Production)
            .GroupBy(v => new { v.Model.RiskTier, v.Stage })
            .Select(g => new { g.Key.RiskTier, g.Key.Stage, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var cards = await WithCompleteness(db.ModelVersions.AsNoTracking().Where(v => v.Stage == Stage.Production))
            .Select(c => new { c.Version.Model.Key, c.Version.Model.Name, c.Version.Model.RiskTier, c.Version.Major, c.Version.Minor, c.Version.Pipeline, c.Completeness })
            .ToListAsync(cancellationToken);
        var checklists = (await complianceViews.OverviewAsync(cancellationToken)).Templates;
        return new StakeholderOverview(
            counts.Select(c => new TierStageCount(c.RiskTier, c.Stage, c.Count)).OrderBy(c => c.Tier).ThenBy(c => c.Stage).ToList(),
            cards.Select(c => new ProductionCard(c.Key, c.Name, Number(c.Major, c.Minor, c.Pipeline), c.RiskTier, c.Completeness ?? 0))
                .OrderBy(c => c.Completeness).ThenBy(c => c.ModelKey, StringComparer.Ordinal).ToList(),
            checklists);
    }

    public async Task<ComplianceWork> ComplianceAsync(CancellationToken cancellationToken = default)
    {
        var approvals = await db.Promotions.AsNoTracking()
            .Where(p => p.State == PromotionRequestState.Pending)
            .Select(p => new { p.Id, p.Version.Model.Key, p.Version.Model.Name, p.Version.Major, p.Version.Minor, p.Version.Pipeline, p.TargetStage, p.Requester, p.CreatedAt, p.ExpiresAt })
            .ToListAsync(cancellationToken);
        var reviews = await reviewQueue.PageAsync(0, ReviewsOnHome, cancellationToken);
        return new ComplianceWork(
            approvals.Select(p => new WaitingApproval(p.Id, p.Key, p.Name, Number(p.Major, p.Minor, p.Pipeline), p.TargetStage, p.Requester, p.CreatedAt, p.ExpiresAt))
                .OrderBy(p => p.CreatedAt).ToList(),
            reviews);
    }

    public async Task<AuditOverview> AuditAsync(CancellationToken cancellationToken = default)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // Sequences run 1, 2, 3… without gaps, so the head's sequence is the count without reading the table.
        var events = await db.AuditHeads.AsNoTracking().Select(h => h.Sequence).FirstOrDefaultAsync(cancellationToken);
        var alerts = await db.AuditAlerts.AsNoTracking().Where(a => a.ResolvedAt == null)
            .Select(a => new OpenAlert(a.RaisedAt, a.Fault, a.FirstInvalidSequence, a.Reason)).ToListAsync(cancellationToken);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.TreeSize)
            .Select(c => new LatestCheckpoint(c.TreeSize, c.Timestamp, c.RootHash)).FirstOrDefaultAsync(cancellationToken);
        // One indexed count per UTC day rather than every timestamp of the window: a busy trail has many thousands a day.
        var perDay = new List<DayCount>(DaysOfActivity);
        foreach (var (day, from, to) in ActivityDays(today))
        {
            perDay.Add(new DayCount(day, await db.AuditEvents.CountAsync(e => e.Timestamp >= from && e.Timestamp < to, cancellationToken)));
        }
        return new AuditOverview(events, alerts.OrderByDescending(a => a.RaisedAt).ToList(), checkpoint, perDay);
    }

    /// <summary>The last <see cref="DaysOfActivity"/> UTC calendar days up to <paramref name="today"/>, each as [from, to).</summary>
    public static IReadOnlyList<(DateOnly Day, DateTimeOffset From, DateTimeOffset To)> ActivityDays(DateOnly today) =>
        Enumerable.Range(0, DaysOfActivity).Select(i => today.AddDays(i - DaysOfActivity + 1))
            .Select(day => (day, Midnight(day), Midnight(day.AddDays(1)))).ToList();

    private static DateTimeOffset Midnight(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The models of the person's team or owned by them, each with what stands between its newest version and Production.</summary>
    public async Task<IReadOnlyList<OwnedModel>> OwnerAsync(string username, CancellationToken cancellationToken = default)
    {
        var team = await db.Users.Where(u => u.Username == username).Select(u => u.Team).FirstOrDefaultAsync(cancellationToken) ?? "";
        var models = await db.Models.AsNoTracking()
            .Where(m => m.Owner == username || (team != "" && m.Team == team))
            .Select(m => new { m.Id, m.Key, m.Name, m.RiskTier })
            .ToListAsync(cancellationToken);
        var ids = models.Select(m => m.Id).ToList();
        var versions = await WithCompleteness(db.ModelVersions.AsNoTracking().Where(v => ids.Contains(v.ModelId) && v.Stage != Stage.Archived && v.Stage != Stage.Retired))
            .Select(c => new { c.Version.Id, c.Version.ModelId, c.Version.Major, c.Version.Minor, c.Version.Pipeline, c.Version.Stage, c.Completeness })
            .ToListAsync(cancellationToken);
        var versionIds = versions.Select(v => v.Id).ToList();
        var pending = await db.Promotions.AsNoTracking()
            .Where(p => versionIds.Contains(p.VersionId) && p.State == PromotionRequestState.Pending)
            .Select(p => new { p.VersionId, p.TargetStage }).ToListAsync(cancellationToken);
        var assessments = await db.Assessments.AsNoTracking()
            .Where(a => versionIds.Contains(a.VersionId) && a.Status != AssessmentStatus.SignedOff)
            .Select(a => new { a.VersionId, a.TemplateVersion.Title, a.Status, ChangesRequested = a.Answers.Count(x => x.Review == Compliance.ReviewState.ChangesRequested) })
            .ToListAsync(cancellationToken);

        var result = new List<OwnedModel>();
        foreach (var model in models.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var own = versions.Where(v => v.ModelId == model.Id).OrderByDescending(v => new VersionNumber(v.Major, v.Minor, v.Pipeline)).ToList();
            var production = own.FirstOrDefault(v => v.Stage == Stage.Production);
            var latest = own.FirstOrDefault();
            var blockers = new List<string>();
            if (latest is null)
            {
                blockers.Add("No version registered yet");
            }
            else if (latest.Stage != Stage.Production)
            {
                if ((latest.Completeness ?? 0) < 100)
                {
                    blockers.Add($"Model card {latest.Completeness ?? 0}% complete");
                }
                blockers.AddRange(pending.Where(p => p.VersionId == latest.Id).Select(p => $"Waiting for approval to {p.TargetStage}"));
                foreach (var assessment in assessments.Where(a => a.VersionId == latest.Id).OrderBy(a => a.Title, StringComparer.Ordinal))
                {
                    blockers.Add(assessment switch
                    {
                        { ChangesRequested: > 0 } => $"{assessment.Title}: changes requested on {assessment.ChangesRequested} item(s)",
                        { Status: AssessmentStatus.InReview } => $"{assessment.Title}: waiting for compliance review",
                        _ => $"{assessment.Title}: checklist in progress",
                    });
                }
            }
            result.Add(new OwnedModel(model.Key, model.Name, model.RiskTier, production is null ? null : Number(production.Major, production.Minor, production.Pipeline),
                latest is null ? null : Number(latest.Major, latest.Minor, latest.Pipeline), latest?.Stage, blockers));
        }
        return result;
    }

    private static string Number(int major, int minor, int pipeline) => new VersionNumber(major, minor, pipeline).ToString();

    /// <summary>Each version with its latest card revision's completeness (null before a card exists), in the same query.</summary>
    private IQueryable<VersionCompleteness> WithCompleteness(IQueryable<ModelVersion> versions) =>
        versions.Select(v => new VersionCompleteness
        {
            Version = v,
            Completeness = db.ModelCardRevisions.Where(r => r.VersionId == v.Id).OrderByDescending(r => r.Number).Select(r => (int?)r.Completeness).FirstOrDefault(),
        });

    private sealed class VersionCompleteness
    {
        public required ModelVersion Version { get; init; }
        public int? Completeness { get; init; }
    }
}
