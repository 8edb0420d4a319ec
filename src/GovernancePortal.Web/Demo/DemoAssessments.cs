using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

/// <summary>
/// Checklist assessments for the demo portfolio: the production sepsis model's HIPAA assessment signed off, the
/// radiology triage model's HIPAA assessment in progress, the retired credit scorecard's decommission
/// checklist signed off. Added only for versions that have none.
/// </summary>
internal sealed class DemoAssessments(GovernanceDbContext db, DateTimeOffset now)
{
    private const string Officer = "compliance@demo.test";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        await AddAsync("sepsis-early-warning", "1.1.0", "hipaa", signedOff: true, answered: int.MaxValue, cancellationToken);
        await AddAsync("radiology-triage", "0.3.0", "hipaa", signedOff: false, answered: 12, cancellationToken);
        // The retired first scorecard was decommissioned properly (DemoRetirements).
        await AddAsync("credit-default-pd", "1.0.0", "decommission", signedOff: true, answered: int.MaxValue, cancellationToken);
    }

    private async Task AddAsync(string key, string versionText, string templateId, bool signedOff, int answered, CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        var stored = await db.ChecklistTemplateVersions.AsNoTracking().Include(t => t.Items).Where(t => t.TemplateId == templateId)
            .OrderByDescending(t => t.Version).FirstOrDefaultAsync(cancellationToken);
        if (version is null || stored is null || await db.Assessments.AnyAsync(a => a.VersionId == version.Id && a.TemplateId == templateId, cancellationToken))
        {
            return;
        }
        var template = stored.ToTemplate();
        var items = Applicability.For(template, version.ComplianceAttributes()).ApplicableItems.Take(answered).ToList();
        var owner = version.Model.Owner;
        var started = now.AddDays(-20);
        var assessment = new Assessment
        {
            VersionId = version.Id, TemplateVersionId = stored.Id, TemplateId = templateId, StartedAt = started, StartedBy = owner,
            Status = signedOff ? AssessmentStatus.SignedOff : AssessmentStatus.InProgress,
            SubmittedAt = signedOff ? started.AddDays(5) : null, SubmittedBy = signedOff ? owner : null,
            SignedOffAt = signedOff ? started.AddDays(7) : null, SignedOffBy = signedOff ? Officer : null,
        };
        db.Assessments.Add(assessment);
        foreach (var (item, index) in items.Select((item, index) => (item, index)))
        {
            // The data was de-identified by expert determination, so the Safe Harbor identifiers are not the method used.
            var safeHarbor = item.Id.StartsWith("hipaa-safe-harbor-", StringComparison.Ordinal) || item.Id == "hipaa-164-514-b-2-ii-no-actual-knowledge";
            var answer = new AssessmentAnswer
            {
                AssessmentId = assessment.Id, ItemId = item.Id, AnsweredBy = owner, AnsweredAt = started.AddHours(index),
                Answer = safeHarbor ? AnswerValue.NotApplicable : AnswerValue.Yes,
                Justification = safeHarbor ? "De-identified by expert determination (see the expert's report); Safe Harbor was not the method used." : null,
                Review = signedOff ? ReviewState.Accepted : ReviewState.None,
                ReviewedBy = signedOff ? Officer : null,
                ReviewedAt = signedOff ? started.AddDays(6) : null,
            };
            db.AssessmentAnswers.Add(answer);
            if (!safeHarbor && item.Evidence != EvidenceKind.None)
            {
                AddEvidence(assessment, item, owner, answer.AnsweredAt);
            }
        }
        db.Audit.Record("assessment.started", assessment, new { model = key, version = versionText, template = templateId, answered = items.Count, source = "seed-demo" });
        if (signedOff)
        {
            db.Audit.Record("assessment.signed-off", nameof(Assessment), assessment.Id.ToString(),
                new { model = key, version = versionText, template = templateId, signedOffBy = Officer, source = "seed-demo" });
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private void AddEvidence(Assessment assessment, ChecklistItem item, string owner, DateTimeOffset at)
    {
        if (item.Evidence == EvidenceKind.Link)
        {
            db.AssessmentEvidence.Add(new AssessmentEvidence
            {
                AssessmentId = assessment.Id, ItemId = item.Id, Type = EvidenceType.Link, Url = $"https://wiki.example.com/compliance/{item.Id}",
                AddedBy = owner, AddedAt = at,
            });
            return;
        }
        var bytes = Encoding.UTF8.GetBytes($"Evidence for {item.Id} ({item.Citation}).\nPrepared by {owner}; reviewed with the privacy office.\n");
        var content = new EvidenceContent { Bytes = bytes };
        db.EvidenceContents.Add(content);
        db.AssessmentEvidence.Add(new AssessmentEvidence
        {
            AssessmentId = assessment.Id, ItemId = item.Id, Type = EvidenceType.File, FileName = $"{item.Id}.txt", ContentType = EvidenceFiles.PlainText,
            SizeBytes = bytes.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), ContentId = content.Id, AddedBy = owner, AddedAt = at,
        });
    }
}
