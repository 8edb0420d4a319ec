using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>The checklist lookups the assessment, template-editing and compliance-view services share.</summary>
public static class ChecklistQueries
{
    /// <summary>Assessments with what judging them needs: their template version's items, answers and evidence.</summary>
    public static IQueryable<Assessment> Complete(this IQueryable<Assessment> assessments) =>
        assessments.AsSplitQuery().Include(a => a.TemplateVersion).ThenInclude(t => t.Items).Include(a => a.Answers).Include(a => a.Evidence);

    public static async Task<ChecklistTemplateVersion?> LatestTemplateAsync(GovernanceDbContext db, string templateId, CancellationToken cancellationToken) =>
        await db.ChecklistTemplateVersions.AsNoTracking().Include(t => t.Items).Where(t => t.TemplateId == templateId)
            .OrderByDescending(t => t.Version).FirstOrDefaultAsync(cancellationToken);

    /// <summary>A version's current assessment of a template: after an upgrade, the one on the newest template version.</summary>
    public static async Task<Assessment?> CurrentAssessmentAsync(IQueryable<Assessment> assessments, Guid versionId, string templateId,
        CancellationToken cancellationToken) =>
        await assessments.Complete().Where(a => a.VersionId == versionId && a.TemplateId == templateId)
            .OrderByDescending(a => a.TemplateVersion.Version).FirstOrDefaultAsync(cancellationToken);
}
