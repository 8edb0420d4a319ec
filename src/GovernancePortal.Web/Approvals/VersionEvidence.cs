using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>
/// What a reader needs to judge a version, shown on its own page and on a promotion request for it: metrics against the
/// version in Production now, checklist status, the current card, lineage and stage history. It brings the registry,
/// compliance and stage history together, so it lives here, on the side that depends on all three: the registry
/// depends on none of them.
/// </summary>
public sealed record VersionEvidence(
    ModelVersion? Production,
    IReadOnlyList<MetricComparisonRow> Comparison,
    IReadOnlyList<string> Derived,
    CurrentCard Card,
    IReadOnlyList<TemplateRow> Compliance,
    IReadOnlyList<VersionStageChange> StageHistory)
{
    /// <summary><paramref name="version"/> must be loaded with its model and metrics.</summary>
    public static async Task<VersionEvidence> LoadAsync(GovernanceDbContext db, ModelCardService cards, ChecklistReads checklists,
        ModelVersion version, CancellationToken cancellationToken = default)
    {
        var siblings = await db.ModelVersions.AsNoTracking().Include(v => v.Metrics).Where(v => v.ModelId == version.ModelId).ToListAsync(cancellationToken);
        var production = siblings.Where(v => v.Stage == Stage.Production).OrderByDescending(v => v.Number).FirstOrDefault();
        var derived = siblings.Where(v => v.ParentVersion == version.Number.ToString()).OrderBy(v => v.Number).Select(v => v.Number.ToString()).ToList();
        var baseline = production is not null && production.Id != version.Id ? production.Metrics.Select(m => m.ToMeasured()) : [];
        var comparison = MetricComparison.Compare(version.Metrics.Select(m => m.ToMeasured()), baseline);
        var card = await cards.CurrentAsync(version, cancellationToken);
        var compliance = await checklists.ForVersionAsync(version, cancellationToken);
        var stageHistory = await VersionStageHistory.OfVersionAsync(db, version.Id, cancellationToken);
        return new VersionEvidence(production, comparison, derived, card, compliance, stageHistory);
    }
}

/// <summary>A version's <see cref="VersionEvidence"/> for its page, which holds no DbContext.</summary>
public sealed class VersionEvidenceReads(GovernanceDbContext db, ModelCardService cards, ChecklistReads checklists)
{
    /// <inheritdoc cref="VersionEvidence.LoadAsync"/>
    public Task<VersionEvidence> ForAsync(ModelVersion version, CancellationToken cancellationToken = default) =>
        VersionEvidence.LoadAsync(db, cards, checklists, version, cancellationToken);
}
