using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>Assessments in a known state, written straight to the database (with an audit event, as every change needs).</summary>
internal static class ComplianceTestData
{
    /// <summary>
    /// An assessment of the newest template version over the items that apply to the model; <paramref name="answer"/>
    /// picks each item's answer (null: unanswered). Yes answers carry the evidence their item asks for; a signed-off
    /// assessment has every answer accepted.
    /// </summary>
    public static async Task<Assessment> SeedAsync(GovernanceDbContext db, string key, string version, string templateId, AssessmentStatus status,
        DateTimeOffset? signedOffAt = null, Func<ChecklistItem, AnswerValue?>? answer = null)
    {
        var modelVersion = (await RegistryQueries.FindVersionAsync(db, key, version))!;
        // The demo may have assessed this version already (through the workflow); the test's state replaces it.
        if (await db.Assessments.Include(a => a.Answers).Include(a => a.Evidence)
                .SingleOrDefaultAsync(a => a.VersionId == modelVersion.Id && a.TemplateId == templateId) is { } earlier)
        {
            db.Audit.Record("test.assessment-replaced", earlier, new { key, version, template = templateId });
            db.RemoveRange(earlier.Answers);
            db.RemoveRange(earlier.Evidence);
            db.Assessments.Remove(earlier);
            await db.SaveChangesAsync();
        }
        var template = await db.ChecklistTemplateVersions.AsNoTracking().Include(t => t.Items).Where(t => t.TemplateId == templateId)
            .OrderByDescending(t => t.Version).FirstAsync();
        var applicability = Applicability.For(template.ToTemplate(), modelVersion.Model.ComplianceAttributes());
        var now = DateTimeOffset.UtcNow;
        var assessment = new Assessment
        {
            VersionId = modelVersion.Id, TemplateVersionId = template.Id, TemplateId = templateId, Status = status, StartedAt = now.AddDays(-400),
            StartedBy = modelVersion.Model.Owner, SignedOffAt = signedOffAt, SignedOffBy = signedOffAt is null ? null : "compliance@demo.test",
        };
        foreach (var item in applicability.ApplicableItems)
        {
            if ((answer ?? (_ => AnswerValue.Yes))(item) is not { } value)
            {
                continue;
            }
            assessment.Answers.Add(new AssessmentAnswer
            {
                AssessmentId = assessment.Id, ItemId = item.Id, Answer = value, Justification = value == AnswerValue.Yes ? null : "Known gap, planned.",
                AnsweredBy = modelVersion.Model.Owner, AnsweredAt = now, Review = status == AssessmentStatus.SignedOff ? ReviewState.Accepted : ReviewState.None,
                ReviewedBy = status == AssessmentStatus.SignedOff ? "compliance@demo.test" : null,
            });
            if (value == AnswerValue.Yes && item.Evidence != EvidenceKind.None)
            {
                EvidenceContent? content = item.Evidence == EvidenceKind.File ? new EvidenceContent { Bytes = "%PDF-1.4 test"u8.ToArray() } : null;
                if (content is not null)
                {
                    db.EvidenceContents.Add(content);
                }
                assessment.Evidence.Add(new AssessmentEvidence
                {
                    AssessmentId = assessment.Id, ItemId = item.Id, Type = content is null ? EvidenceType.Link : EvidenceType.File,
                    Url = content is null ? "https://wiki.example.test/evidence" : null, FileName = content is null ? null : "evidence.pdf",
                    ContentType = content is null ? null : "application/pdf", SizeBytes = content?.Bytes.Length, ContentId = content?.Id,
                    Sha256 = content is null ? null : new string('a', 64), AddedBy = modelVersion.Model.Owner, AddedAt = now,
                });
            }
        }
        db.Assessments.Add(assessment);
        db.Audit.Record("test.assessment-seeded", assessment, new { key, version, templateId });
        await db.SaveChangesAsync();
        return assessment;
    }
}
