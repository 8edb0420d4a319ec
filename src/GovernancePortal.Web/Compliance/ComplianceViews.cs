using GovernancePortal.Components.Shared;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>Per template: Production versions it applies to, and how many of those are fully signed off.</summary>
public sealed record TemplateCoverage(string TemplateId, string Title, int LatestVersion, int Applicable, int SignedOff);

/// <summary>An item answered No in <see cref="Count"/> current assessments.</summary>
public sealed record FrequentNo(string TemplateId, string TemplateTitle, string ItemId, string Text, string Citation, int Count);

public sealed record OverdueAssessment(string ModelKey, string ModelName, string Version, Stage Stage, string TemplateId, string TemplateTitle, string Why);

public sealed record PortfolioCompliance(IReadOnlyList<TemplateCoverage> Templates, IReadOnlyList<FrequentNo> MostOftenNo, IReadOnlyList<OverdueAssessment> Overdue);

/// <summary>A model's versions (newest first) against every template; a cell is the version's <see cref="TemplateRow"/>.</summary>
public sealed record ComplianceMatrix(Model Model, IReadOnlyList<ModelVersion> Versions, IReadOnlyList<ChecklistTemplateVersion> Templates,
    IReadOnlyDictionary<(Guid VersionId, string TemplateId), TemplateRow> Cells);

/// <summary>The compliance overview and the per-model matrix: every version judged as the promotion gate judges it.</summary>
public sealed class ComplianceViews(GovernanceDbContext db, ChecklistReads checklists, TimeProvider clock)
{
    public const int FrequentNoCount = 10;

    /// <summary>
    /// Each template for one version: applicable ones with their newest assessment (judged against that assessment's own
    /// template version), then the others with why not. The gate, the version page and these views share it.
    /// </summary>
    public static IReadOnlyList<TemplateRow> Rows(IEnumerable<ChecklistTemplateVersion> latest, IReadOnlyCollection<Assessment> assessments, ModelAttributes attributes)
    {
        var rows = new List<TemplateRow>();
        foreach (var template in latest)
        {
            var assessment = assessments.Where(a => a.TemplateId == template.TemplateId).MaxBy(a => a.TemplateVersion.Version);
            var judged = assessment?.TemplateVersion ?? template;
            var applicability = Applicability.For(judged.ToTemplate(), attributes);
            var status = applicability.Applies ? ComplianceStatus.Of(applicability, assessment?.Status, ChecklistReads.Answers(assessment)) : null;
            rows.Add(new TemplateRow(judged, applicability, assessment, status));
        }
        return rows.OrderByDescending(r => r.Applicability.Applies).ThenBy(r => r.TemplateVersion.Title, StringComparer.Ordinal).ToList();
    }

    public async Task<PortfolioCompliance> OverviewAsync(CancellationToken cancellationToken = default)
    {
        var latest = await checklists.LatestTemplatesAsync(cancellationToken);
        var versions = await db.ModelVersions.AsNoTracking().Include(v => v.Model)
            .Where(v => v.Stage == Stage.Staging || v.Stage == Stage.Production).ToListAsync(cancellationToken);
        var assessments = (await AssessmentsAsync(db.Assessments.Where(a => a.Version.Stage == Stage.Staging || a.Version.Stage == Stage.Production), cancellationToken))
            .ToLookup(a => a.VersionId);
        var planned = await RegistryQueries.PlannedAsync(db, versions.Select(v => v.Id).ToList(), cancellationToken);
        versions.ForEach(v => v.RetirementPlanned = planned.Contains(v.Id));
        var now = clock.GetUtcNow();
        var coverage = latest.ToDictionary(t => t.TemplateId, _ => (Applicable: 0, SignedOff: 0), StringComparer.Ordinal);
        var overdue = new List<OverdueAssessment>();
        foreach (var version in versions.OrderBy(v => v.Model.Key, StringComparer.Ordinal).ThenByDescending(v => v.Number))
        {
            foreach (var row in Rows(latest, assessments[version.Id].ToList(), version.ComplianceAttributes()).Where(r => r.Status is not null))
            {
                var status = row.Status!;
                if (version.Stage == Stage.Production)
                {
                    var (applicable, signedOff) = coverage[status.TemplateId];
                    coverage[status.TemplateId] = (applicable + 1, signedOff + (status.SignedOff ? 1 : 0));
                }
                if (ComplianceOverdue.Why(version.Stage, status, row.Assessment?.SignedOffAt, now) is { } why)
                {
                    overdue.Add(new OverdueAssessment(version.Model.Key, version.Model.Name, version.Number.ToString(), version.Stage, status.TemplateId, status.Title, why));
                }
            }
        }
        var templates = latest.Select(t => new TemplateCoverage(t.TemplateId, t.Title, t.Version, coverage[t.TemplateId].Applicable, coverage[t.TemplateId].SignedOff)).ToList();
        return new PortfolioCompliance(templates, await MostOftenNoAsync(latest, cancellationToken), overdue);
    }

    public async Task<ComplianceMatrix?> MatrixAsync(string key, CancellationToken cancellationToken = default)
    {
        var model = await db.Models.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Key == key, cancellationToken);
        if (model is null)
        {
            return null;
        }
        var latest = await checklists.LatestTemplatesAsync(cancellationToken);
        var assessments = (await AssessmentsAsync(db.Assessments.Where(a => a.Version.ModelId == model.Id), cancellationToken)).ToLookup(a => a.VersionId);
        var planned = await RegistryQueries.PlannedAsync(db, model.Versions.Select(v => v.Id).ToList(), cancellationToken);
        var cells = new Dictionary<(Guid, string), TemplateRow>();
        foreach (var version in model.Versions)
        {
            foreach (var row in Rows(latest, assessments[version.Id].ToList(), model.ComplianceAttributes() with { RetirementPlanned = planned.Contains(version.Id) }))
            {
                cells[(version.Id, row.TemplateVersion.TemplateId)] = row;
            }
        }
        return new ComplianceMatrix(model, model.Versions.OrderByDescending(v => v.Number).ToList(), latest, cells);
    }

    /// <summary>How a template's status reads everywhere it is shown (assessment page, version section, matrix, overview).</summary>
    public static string Label(TemplateStatus status) => status.Status switch
    {
        null => "Not started",
        AssessmentStatus.InProgress => "In progress",
        AssessmentStatus.InReview => "In review",
        _ => status.SignedOff ? "Signed off" : "Signed off, items open",
    };

    public static BadgeTone Tone(TemplateStatus status) => status.SignedOff
        ? BadgeTone.Success
        : status.Status switch
        {
            null => BadgeTone.Danger,
            AssessmentStatus.InReview => BadgeTone.Info,
            _ => BadgeTone.Warning,
        };

    private static async Task<List<Assessment>> AssessmentsAsync(IQueryable<Assessment> query, CancellationToken cancellationToken) =>
        await query.AsNoTracking().Complete().ToListAsync(cancellationToken);

    /// <summary>No answers in each version's current assessment (an upgraded assessment's predecessor does not count twice).</summary>
    private async Task<IReadOnlyList<FrequentNo>> MostOftenNoAsync(IReadOnlyList<ChecklistTemplateVersion> latest, CancellationToken cancellationToken)
    {
        var counts = await (
                from answer in db.AssessmentAnswers
                join assessment in db.Assessments on answer.AssessmentId equals assessment.Id
                where answer.Answer == AnswerValue.No
                      && !db.Assessments.Any(newer => newer.VersionId == assessment.VersionId && newer.TemplateId == assessment.TemplateId
                                                      && newer.TemplateVersion.Version > assessment.TemplateVersion.Version)
                group answer by new { assessment.TemplateId, answer.ItemId } into g
                select new { g.Key.TemplateId, g.Key.ItemId, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var top = counts.OrderByDescending(c => c.Count).ThenBy(c => c.ItemId, StringComparer.Ordinal).Take(FrequentNoCount).ToList();
        var items = latest.SelectMany(t => t.Items.Select(i => (Template: t, Item: i))).ToDictionary(x => x.Item.ItemId, StringComparer.Ordinal);
        var retiredIds = top.Select(c => c.ItemId).Where(id => !items.ContainsKey(id)).ToList();
        var retired = await db.ChecklistTemplateItems.AsNoTracking().Where(i => retiredIds.Contains(i.ItemId)).ToListAsync(cancellationToken);
        return top.Select(c =>
        {
            var title = latest.FirstOrDefault(t => t.TemplateId == c.TemplateId)?.Title ?? c.TemplateId;
            var item = items.TryGetValue(c.ItemId, out var found) ? found.Item : retired.FirstOrDefault(i => i.ItemId == c.ItemId);
            return new FrequentNo(c.TemplateId, title, c.ItemId, item?.Text ?? c.ItemId, item?.Citation ?? "", c.Count);
        }).ToList();
    }
}
