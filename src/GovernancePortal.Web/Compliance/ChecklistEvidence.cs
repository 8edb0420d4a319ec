using System.Security.Cryptography;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static GovernancePortal.Compliance.AssessmentChanges;

namespace GovernancePortal.Compliance;

/// <summary>
/// Evidence on checklist items: links and files added (a file checked by size and content, stored with its SHA-256),
/// removed, and downloaded by those allowed to see it. Adding or removing evidence is a change to the item
/// (<see cref="AssessmentChanges.EvidenceChanged"/>).
/// </summary>
public sealed class ChecklistEvidence(GovernanceDbContext db, AssessmentChanges changes, IOptions<ChecklistOptions> options)
{
    public const int MaxEvidencePerItem = 20;

    public long MaxEvidenceBytes => options.Value.MaxEvidenceBytes;

    /// <inheritdoc cref="AssessmentChanges.ActingAs"/>
    public ChecklistEvidence ActingAs(Audit.AuditActor actor)
    {
        changes.ActingAs(actor);
        return this;
    }

    public async Task<Result<Assessment>> AddLinkAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        string? url, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > AssessmentRules.MaxUrlLength || !RegistryRules.IsHttpUrl(url.Trim()))
        {
            return Invalid("url", $"Give the evidence's http(s) address (at most {AssessmentRules.MaxUrlLength} characters).");
        }
        var target = await changes.ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        if (target.Assessment?.Evidence.Count(e => e.ItemId == itemId) >= MaxEvidencePerItem)
        {
            return TooMuch();
        }
        var assessment = changes.Started(caller, target);
        var evidence = new AssessmentEvidence
        {
            AssessmentId = assessment.Id, ItemId = itemId, Type = EvidenceType.Link, Url = url.Trim(), AddedBy = caller.Username, AddedAt = changes.Now,
        };
        return await AddedAsync(caller, target, assessment, evidence, cancellationToken);
    }

    /// <summary>Stores an uploaded file after checking its size, its type by content, and computing its SHA-256.</summary>
    public async Task<Result<Assessment>> AddFileAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        string? fileName, Stream content, long length, CancellationToken cancellationToken = default)
    {
        if (length <= 0)
        {
            return Invalid("file", "Choose a file to upload.");
        }
        if (length > MaxEvidenceBytes)
        {
            return Invalid("file", $"The file is larger than the {FormatSize(MaxEvidenceBytes)} allowed for evidence files.");
        }
        var target = await changes.ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        if (target.Assessment?.Evidence.Count(e => e.ItemId == itemId) >= MaxEvidencePerItem)
        {
            return TooMuch();
        }
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxEvidenceBytes)
        {
            return Invalid("file", $"Evidence files are at most {FormatSize(MaxEvidenceBytes)}.");
        }
        var bytes = buffer.ToArray();
        var name = Path.GetFileName(fileName?.Trim() ?? "");
        var check = EvidenceFiles.Check(name, bytes);
        if (!check.Accepted)
        {
            return Invalid("file", check.Problem!);
        }
        var assessment = changes.Started(caller, target);
        var stored = new EvidenceContent { Bytes = bytes };
        db.EvidenceContents.Add(stored);
        var evidence = new AssessmentEvidence
        {
            AssessmentId = assessment.Id, ItemId = itemId, Type = EvidenceType.File, FileName = name, ContentType = check.ContentType,
            SizeBytes = bytes.LongLength, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), ContentId = stored.Id,
            AddedBy = caller.Username, AddedAt = changes.Now,
        };
        return await AddedAsync(caller, target, assessment, evidence, cancellationToken);
    }

    /// <summary>
    /// Takes a piece of evidence off its item. Like any change to the item it restarts the item's review and voids a
    /// sign-off. The audit keeps what was removed (name, SHA-256, size or link), never the content.
    /// </summary>
    public async Task<Result<Assessment>> RemoveEvidenceAsync(Caller caller, string key, string versionText, Guid evidenceId,
        CancellationToken cancellationToken = default)
    {
        var (version, failure) = await changes.VersionToAnswerAsync(caller, key, versionText, cancellationToken);
        if (version is null)
        {
            return failure!;
        }
        var found = await (from e in db.AssessmentEvidence
                           join a in db.Assessments on e.AssessmentId equals a.Id
                           where e.Id == evidenceId && a.VersionId == version.Id
                           select new { a.TemplateId, e.ItemId }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return new Failure(FailureKind.NotFound, $"{key} {versionText} has no evidence '{evidenceId}'.");
        }
        var target = await changes.ItemTargetAsync(caller, version, found.TemplateId, found.ItemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (assessment, item) = (target.Assessment!, target.Item!);
        var evidence = assessment.Evidence.SingleOrDefault(e => e.Id == evidenceId);
        if (evidence is null)
        {
            return new Failure(FailureKind.Rule,
                "This evidence belongs to an assessment that was since upgraded to a newer template version; it stays as part of that assessment's record.");
        }
        db.AssessmentEvidence.Remove(evidence);
        assessment.Evidence.Remove(evidence);
        // Removing is how a wrong file leaves the portal (often because it should never have been uploaded), so its bytes
        // go too; the audit event keeps its name, SHA-256 and size. Bytes another assessment still refers to (copied by a
        // carry-over or an upgrade) stay with that assessment's record. See ADR-012.
        var deleteBytes = evidence.ContentId is { } contentId
            && !await db.AssessmentEvidence.AnyAsync(e => e.ContentId == contentId && e.Id != evidence.Id, cancellationToken);
        if (deleteBytes)
        {
            db.EvidenceContents.Remove(new EvidenceContent { Id = evidence.ContentId!.Value, Bytes = [] });
        }
        changes.EvidenceChanged(caller, version, assessment, target.Applicability!.Template.Title, item, $"evidence was removed from {item.Id}");
        changes.Record("assessment.evidence-removed", evidence, Details(version, assessment, item.Id, new { bytesDeleted = deleteBytes }));
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    /// <summary>An evidence file with its bytes, for a download by someone allowed to see it; null when there is none.</summary>
    public async Task<(AssessmentEvidence Evidence, byte[] Bytes)?> EvidenceFileAsync(Caller caller, string key, string versionText, Guid evidenceId,
        CancellationToken cancellationToken = default)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return null;
        }
        var evidence = await db.AssessmentEvidence.AsNoTracking()
            .Where(e => e.Id == evidenceId && e.Type == EvidenceType.File && db.Assessments.Any(a => a.Id == e.AssessmentId && a.VersionId == version.Id))
            .SingleOrDefaultAsync(cancellationToken);
        if (evidence?.ContentId is not { } contentId)
        {
            return null;
        }
        if (!MayDownload(caller, version.Model))
        {
            throw new UnauthorizedAccessException("Only the model's team, compliance officers and auditors download evidence.");
        }
        var bytes = await db.EvidenceContents.AsNoTracking().Where(c => c.Id == contentId).Select(c => c.Bytes).SingleAsync(cancellationToken);
        return (evidence, bytes);
    }

    /// <summary>Evidence may be sensitive: the model's own team, compliance officers and auditors see it, not every reader.</summary>
    public static bool MayDownload(Caller caller, Model model) =>
        caller.Has(Roles.ComplianceOfficer) || caller.Has(Roles.Auditor) || AssessmentRules.WhyCannotAnswer(caller, model.Owner, model.Team) is null;

    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024.0):0.#} MB",
        >= 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} bytes",
    };

    private async Task<Result<Assessment>> AddedAsync(Caller caller, Target target, Assessment assessment, AssessmentEvidence evidence,
        CancellationToken cancellationToken)
    {
        assessment.Evidence.Add(evidence);
        db.AssessmentEvidence.Add(evidence);
        changes.EvidenceChanged(caller, target.Version!, assessment, target.Applicability!.Template.Title, target.Item!, $"evidence was added to {evidence.ItemId}");
        changes.Record("assessment.evidence-added", evidence, Details(target.Version!, assessment, evidence.ItemId, null));
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    private static Failure TooMuch() => new(FailureKind.Rule, $"An item holds at most {MaxEvidencePerItem} pieces of evidence.");
}
