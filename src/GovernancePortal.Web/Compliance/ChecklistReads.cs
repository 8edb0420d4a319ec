using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>One applicable (or not) template for a version, with its newest assessment and where it stands.</summary>
public sealed record TemplateRow(ChecklistTemplateVersion TemplateVersion, TemplateApplicability Applicability, Assessment? Assessment, TemplateStatus? Status);

/// <summary>Everything the assessment page shows.</summary>
public sealed record AssessmentView(
    ModelVersion Version, ChecklistTemplateVersion TemplateVersion, TemplateApplicability Applicability, Assessment? Assessment,
    IReadOnlyDictionary<string, ItemAnswer> Answers, TemplateStatus Status, string? PreviousVersion, int NewestTemplateVersion)
{
    /// <summary>The assessment was made on an older template version and can be upgraded to the newest.</summary>
    public bool CanUpgrade => Assessment is not null && TemplateVersion.Version < NewestTemplateVersion;
}

/// <summary>
/// Checklist reads for pages, API, promotion gates and reports: the templates, a version's assessments and where each
/// stands. Changes are <see cref="ChecklistCommands"/>' and <see cref="ChecklistEvidence"/>'.
/// </summary>
public sealed class ChecklistReads(GovernanceDbContext db)
{
    /// <summary>The newest version of every template, with items.</summary>
    public async Task<IReadOnlyList<ChecklistTemplateVersion>> LatestTemplatesAsync(CancellationToken cancellationToken = default)
    {
        var all = await db.ChecklistTemplateVersions.AsNoTracking().Include(t => t.Items).ToListAsync(cancellationToken);
        return all.GroupBy(t => t.TemplateId).Select(g => g.MaxBy(t => t.Version)!).OrderBy(t => t.Title, StringComparer.Ordinal).ToList();
    }

    /// <summary>Every template for a version: applicable ones with their newest assessment and status, then the others with why not.</summary>
    public async Task<IReadOnlyList<TemplateRow>> ForVersionAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        var latest = await LatestTemplatesAsync(cancellationToken);
        var assessments = await AssessmentsOfAsync(version.Id, cancellationToken);
        // The version may come from anywhere (a promotion's Include, a page): whether its retirement is planned is read now.
        await RegistryQueries.WithRetirementAsync(db, version, cancellationToken);
        return ComplianceViews.Rows(latest, assessments, version.ComplianceAttributes());
    }

    /// <summary>
    /// What a promotion gate asks: for the version, each applicable template signed off or not, each missing item named
    /// ("HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): unanswered").
    /// </summary>
    public async Task<ComplianceStatus?> StatusAsync(Guid versionId, CancellationToken cancellationToken = default)
    {
        var version = await db.ModelVersions.AsNoTracking().Include(v => v.Model).SingleOrDefaultAsync(v => v.Id == versionId, cancellationToken);
        if (version is not null)
        {
            await RegistryQueries.WithRetirementAsync(db, version, cancellationToken);
        }
        return version is null ? null : await StatusAsync(version, cancellationToken);
    }

    /// <summary>The same for a version already loaded with its model, as the promotion gate has it.</summary>
    public async Task<ComplianceStatus> StatusAsync(ModelVersion version, CancellationToken cancellationToken = default)
    {
        var rows = await ForVersionAsync(version, cancellationToken);
        return new ComplianceStatus(rows.Select(r => r.Status).OfType<TemplateStatus>().ToList());
    }

    /// <summary>
    /// The same for many versions (loaded with their models) at once: the templates, the assessments and the retirement
    /// plans in one query each rather than per version, for the portfolio report's thousand rows.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, ComplianceStatus>> StatusesAsync(IReadOnlyCollection<ModelVersion> versions, CancellationToken cancellationToken = default)
    {
        var latest = await LatestTemplatesAsync(cancellationToken);
        var ids = versions.Select(v => v.Id).ToList();
        var assessments = (await db.Assessments.AsNoTracking().Complete().Where(a => ids.Contains(a.VersionId)).ToListAsync(cancellationToken)).ToLookup(a => a.VersionId);
        var planned = await RegistryQueries.PlannedAsync(db, ids, cancellationToken);
        var statuses = new Dictionary<Guid, ComplianceStatus>(versions.Count);
        foreach (var version in versions)
        {
            version.RetirementPlanned = planned.Contains(version.Id);
            var rows = ComplianceViews.Rows(latest, assessments[version.Id].ToList(), version.ComplianceAttributes());
            statuses[version.Id] = new ComplianceStatus(rows.Select(r => r.Status).OfType<TemplateStatus>().ToList());
        }
        return statuses;
    }

    public async Task<IReadOnlyList<Assessment>> AssessmentsOfAsync(Guid versionId, CancellationToken cancellationToken = default) =>
        await db.Assessments.AsNoTracking().Complete().Where(a => a.VersionId == versionId).ToListAsync(cancellationToken);

    public async Task<AssessmentView?> ViewAsync(string key, string versionText, string templateId, CancellationToken cancellationToken = default)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return null;
        }
        var latest = await LatestTemplatesAsync(cancellationToken);
        var row = ComplianceViews.Rows(latest, await AssessmentsOfAsync(version.Id, cancellationToken), version.ComplianceAttributes())
            .SingleOrDefault(r => r.TemplateVersion.TemplateId == templateId);
        if (row is null)
        {
            return null;
        }
        var answers = Answers(row.Assessment);
        var status = row.Status ?? ComplianceStatus.Of(row.Applicability, row.Assessment?.Status, answers);
        var previous = row.Assessment is null ? await PreviousAsync(version, templateId, cancellationToken) : null;
        return new AssessmentView(version, row.TemplateVersion, row.Applicability, row.Assessment, answers, status, previous?.Version.Number.ToString(),
            latest.Single(t => t.TemplateId == templateId).Version);
    }

    /// <summary>The assessment of the highest earlier version of the model for the template, if any: what a new one can carry over.</summary>
    public async Task<Assessment?> PreviousAsync(ModelVersion version, string templateId, CancellationToken cancellationToken = default)
    {
        var candidates = await db.Assessments.AsNoTracking().AsSplitQuery()
            .Include(a => a.Version).Include(a => a.TemplateVersion).ThenInclude(t => t.Items).Include(a => a.Answers).Include(a => a.Evidence)
            .Where(a => a.TemplateId == templateId && a.Version.ModelId == version.ModelId && a.VersionId != version.Id)
            .ToListAsync(cancellationToken);
        return candidates.Where(a => a.Version.Number < version.Number && a.Answers.Count > 0)
            .OrderByDescending(a => a.Version.Number).ThenByDescending(a => a.TemplateVersion.Version).FirstOrDefault();
    }

    public static IReadOnlyDictionary<string, ItemAnswer> Answers(Assessment? assessment) => assessment is null
        ? new Dictionary<string, ItemAnswer>()
        : assessment.Answers.ToDictionary(a => a.ItemId, a => ToItemAnswer(a, assessment), StringComparer.Ordinal);

    internal static ItemAnswer ToItemAnswer(AssessmentAnswer answer, Assessment assessment) => new(
        answer.ItemId, answer.Answer, answer.Justification, answer.Review, answer.CarriedOver,
        assessment.Evidence.Count(e => e.ItemId == answer.ItemId && e.Type == EvidenceType.Link),
        assessment.Evidence.Count(e => e.ItemId == answer.ItemId && e.Type == EvidenceType.File),
        answer.AnsweredBy);
}
