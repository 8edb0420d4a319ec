using System.Security.Cryptography;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Compliance;

public sealed class ChecklistOptions
{
    public const string Section = "Checklists";

    /// <summary>Largest evidence file accepted, in bytes.</summary>
    public long MaxEvidenceBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Folder of the template YAML files loaded by migrate; defaults to the copy beside the executable.</summary>
    public string? LibraryPath { get; set; }

    public string LibraryFolder => string.IsNullOrWhiteSpace(LibraryPath) ? Path.Combine(AppContext.BaseDirectory, "checklists") : LibraryPath;
}

/// <summary>One applicable (or not) template for a version, with its newest assessment and where it stands.</summary>
/// <summary>One answer an officer accepts, at the revision they read.</summary>
public sealed record AnswerToAccept(string ItemId, int? AnswerRevision);

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
/// Checklist assessments for pages and API alike. The rules are <see cref="AssessmentRules"/>'; this class loads their
/// inputs and saves each change with its audit event in one transaction, under optimistic concurrency on the assessment.
/// </summary>
public sealed class ChecklistService(GovernanceDbContext db, TimeProvider clock, IOptions<ChecklistOptions> options, ChecklistNotifications notifications)
{
    public const int MaxEvidencePerItem = 20;

    private Audit.AuditActor? _actor;

    /// <summary>
    /// Attributes this scope's changes to <paramref name="actor"/>: an interactive page has no request to read the
    /// signed-in person from, so it names them (as ReviewService's and RetirementService's callers do).
    /// </summary>
    public ChecklistService ActingAs(Audit.AuditActor actor)
    {
        _actor = actor;
        return this;
    }

    private void Record(string action, object entity, object? details) => db.Audit.Record(action, entity, details, _actor);

    public long MaxEvidenceBytes => options.Value.MaxEvidenceBytes;

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

    public async Task<Result<Assessment>> StartAsync(Caller caller, string key, string versionText, string templateId, bool carryOver,
        CancellationToken cancellationToken = default)
    {
        var (version, failure) = await VersionToAnswerAsync(caller, key, versionText, cancellationToken);
        if (version is null)
        {
            return failure!;
        }
        var template = await LatestTemplateAsync(templateId, cancellationToken);
        if (template is null)
        {
            return NoTemplate(templateId);
        }
        if (await db.Assessments.AnyAsync(a => a.VersionId == version.Id && a.TemplateVersionId == template.Id, cancellationToken))
        {
            return new Failure(FailureKind.Conflict, $"The {template.Title} assessment of {key} {versionText} has already been started.");
        }
        var applicability = Applicability.For(template.ToTemplate(), version.ComplianceAttributes());
        if (!applicability.Applies)
        {
            return new Failure(FailureKind.Rule, applicability.Reason);
        }
        Assessment? previous = null;
        if (carryOver)
        {
            previous = await PreviousAsync(version, templateId, cancellationToken);
            if (previous is null)
            {
                return new Failure(FailureKind.Rule, $"No earlier version of {key} has a {template.Title} assessment to start from.");
            }
        }
        var assessment = NewAssessment(caller, version, template, previous);
        var carried = previous is null ? [] : CarryOver(previous, assessment, applicability);
        Record("assessment.started", assessment, new
        {
            model = key, version = versionText, template = template.TemplateId, templateVersion = template.Version,
            carriedOverFrom = previous is null ? null : new { version = previous.Version.Number.ToString(), templateVersion = previous.TemplateVersion.Version },
            carriedItems = carried,
        });
        return await SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> AnswerAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        AnswerValue? answer, string? justification, int? expectedRevision, CancellationToken cancellationToken = default)
    {
        if (answer is null || !Enum.IsDefined(answer.Value))
        {
            return Invalid("answer", "Answer Yes, No or Not applicable.");
        }
        if (AssessmentRules.WhyInvalidAnswer(answer.Value, justification) is { } problem)
        {
            return Invalid("justification", problem);
        }
        var target = await ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (version, item) = (target.Version!, target.Item!);
        var existing = target.Assessment?.Answers.SingleOrDefault(a => a.ItemId == itemId);
        if (expectedRevision is { } expected && expected != (existing?.Revision ?? 0))
        {
            return Stale();
        }
        var before = existing is null ? null : ToItemAnswer(existing, target.Assessment!);
        var now = clock.GetUtcNow();
        if (!AssessmentRules.Changes(before, answer.Value, justification))
        {
            if (existing is not { CarriedOver: true })
            {
                return target.Assessment!;
            }
            // Saving a carried-over answer unchanged is confirming it.
            return await ConfirmAsync(caller, version, target.Assessment!, existing, cancellationToken);
        }
        var assessment = Started(caller, target);
        if (existing is null)
        {
            existing = new AssessmentAnswer { AssessmentId = assessment.Id, ItemId = itemId, AnsweredBy = caller.Username };
            assessment.Answers.Add(existing);
            db.AssessmentAnswers.Add(existing);
        }
        existing.Answer = answer.Value;
        existing.Justification = AssessmentRules.Normalize(justification);
        existing.AnsweredBy = caller.Username;
        existing.AnsweredAt = now;
        existing.CarriedOver = false;
        ItemChanged(caller, version, assessment, existing, target.Applicability!.Template.Title, item, $"the answer to {item.Id} changed");
        Record("assessment.answered", existing, Details(version, assessment, itemId, new { answer = answer.Value.ToString() }));
        return await SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> ConfirmAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        CancellationToken cancellationToken = default)
    {
        var target = await ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var existing = target.Assessment?.Answers.SingleOrDefault(a => a.ItemId == itemId);
        if (existing is not { CarriedOver: true })
        {
            return new Failure(FailureKind.Rule, $"Item {itemId} has no carried-over answer to confirm.");
        }
        return await ConfirmAsync(caller, target.Version!, target.Assessment!, existing, cancellationToken);
    }

    public async Task<Result<Assessment>> AddLinkAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        string? url, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > AssessmentRules.MaxUrlLength || !RegistryRules.IsHttpUrl(url.Trim()))
        {
            return Invalid("url", $"Give the evidence's http(s) address (at most {AssessmentRules.MaxUrlLength} characters).");
        }
        var target = await ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        if (target.Assessment?.Evidence.Count(e => e.ItemId == itemId) >= MaxEvidencePerItem)
        {
            return new Failure(FailureKind.Rule, $"An item holds at most {MaxEvidencePerItem} pieces of evidence.");
        }
        var assessment = Started(caller, target);
        var evidence = new AssessmentEvidence
        {
            AssessmentId = assessment.Id, ItemId = itemId, Type = EvidenceType.Link, Url = url.Trim(), AddedBy = caller.Username, AddedAt = clock.GetUtcNow(),
        };
        assessment.Evidence.Add(evidence);
        db.AssessmentEvidence.Add(evidence);
        EvidenceChanged(caller, target.Version!, assessment, target.Applicability!.Template.Title, target.Item!, $"evidence was added to {itemId}");
        Record("assessment.evidence-added", evidence, Details(target.Version!, assessment, itemId, null));
        return await SaveAsync(assessment, cancellationToken);
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
        var target = await ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        if (target.Assessment?.Evidence.Count(e => e.ItemId == itemId) >= MaxEvidencePerItem)
        {
            return new Failure(FailureKind.Rule, $"An item holds at most {MaxEvidencePerItem} pieces of evidence.");
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
        var assessment = Started(caller, target);
        var stored = new EvidenceContent { Bytes = bytes };
        db.EvidenceContents.Add(stored);
        var evidence = new AssessmentEvidence
        {
            AssessmentId = assessment.Id, ItemId = itemId, Type = EvidenceType.File, FileName = name, ContentType = check.ContentType,
            SizeBytes = bytes.LongLength, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), ContentId = stored.Id,
            AddedBy = caller.Username, AddedAt = clock.GetUtcNow(),
        };
        assessment.Evidence.Add(evidence);
        db.AssessmentEvidence.Add(evidence);
        EvidenceChanged(caller, target.Version!, assessment, target.Applicability!.Template.Title, target.Item!, $"evidence was added to {itemId}");
        Record("assessment.evidence-added", evidence, Details(target.Version!, assessment, itemId, null));
        return await SaveAsync(assessment, cancellationToken);
    }

    /// <summary>
    /// Takes a piece of evidence off its item. Like any change to the item it restarts the item's review and voids a
    /// sign-off. The audit keeps what was removed (name, SHA-256, size or link), never the content.
    /// </summary>
    public async Task<Result<Assessment>> RemoveEvidenceAsync(Caller caller, string key, string versionText, Guid evidenceId,
        CancellationToken cancellationToken = default)
    {
        var (version, failure) = await VersionToAnswerAsync(caller, key, versionText, cancellationToken);
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
        var target = await ItemTargetAsync(caller, version, found.TemplateId, found.ItemId, forAnswering: true, cancellationToken);
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
        EvidenceChanged(caller, version, assessment, target.Applicability!.Template.Title, item, $"evidence was removed from {item.Id}");
        Record("assessment.evidence-removed", evidence, Details(version, assessment, item.Id, new { bytesDeleted = deleteBytes }));
        return await SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> SubmitAsync(Caller caller, string key, string versionText, string templateId,
        CancellationToken cancellationToken = default)
    {
        var target = await AssessmentTargetAsync(key, versionText, templateId, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (version, assessment, applicability) = (target.Version!, target.Assessment!, target.Applicability!);
        if (AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var blockers = AssessmentRules.WhatBlocksSubmit(applicability.Template.Title, applicability.ApplicableItems, Answers(assessment));
        if (AssessmentRules.WhyCannotSubmit(assessment.Status, blockers) is { } cannot)
        {
            return new Failure(assessment.Status == AssessmentStatus.InProgress ? FailureKind.Rule : FailureKind.Conflict, cannot, BlockerErrors(blockers));
        }
        assessment.Status = AssessmentStatus.InReview;
        assessment.SubmittedAt = clock.GetUtcNow();
        assessment.SubmittedBy = caller.Username;
        assessment.Revision++;
        Record("assessment.submitted", assessment, Details(version, assessment, null, null));
        await notifications.SubmittedAsync(version, assessment, applicability.Template.Title, cancellationToken);
        return await SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> ReviewAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        ReviewState? decision, string? comment, int? answerRevision, CancellationToken cancellationToken = default)
    {
        if (decision is not (ReviewState.Accepted or ReviewState.ChangesRequested))
        {
            return Invalid("decision", "Accept the answer or request changes.");
        }
        var target = await ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: false, cancellationToken);
        if (WhyCannotReview(caller, target, itemId, decision.Value, comment, answerRevision) is { } failure)
        {
            return failure;
        }
        ApplyReview(caller, target, itemId, decision.Value, comment);
        return await SaveAsync(target.Assessment!, cancellationToken);
    }

    /// <summary>
    /// Accepts several answers at once, each audited as if accepted alone, in one transaction: when any of them cannot be
    /// accepted (changed meanwhile, carried over, answered by the officer), none is, and the failure names the item.
    /// </summary>
    public async Task<Result<Assessment>> AcceptSeveralAsync(Caller caller, string key, string versionText, string templateId,
        IReadOnlyList<AnswerToAccept> answers, CancellationToken cancellationToken = default)
    {
        if (answers.Count == 0)
        {
            return Invalid("items", "Choose at least one answer to accept.");
        }
        if (answers.DistinctBy(a => a.ItemId).Count() != answers.Count)
        {
            return Invalid("items", "Name each item once.");
        }
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return NoVersion(key, versionText);
        }
        var targets = new List<(Target Target, string ItemId)>(answers.Count);
        foreach (var answer in answers)
        {
            var target = await ItemTargetAsync(caller, version, templateId, answer.ItemId, forAnswering: false, cancellationToken);
            if (WhyCannotReview(caller, target, answer.ItemId, ReviewState.Accepted, null, answer.AnswerRevision) is { } failure)
            {
                return failure.Message.StartsWith($"Item {answer.ItemId}", StringComparison.Ordinal)
                    ? failure
                    : failure with { Message = $"Item {answer.ItemId}: {failure.Message}" };
            }
            targets.Add((target, answer.ItemId));
        }
        foreach (var (target, itemId) in targets)
        {
            ApplyReview(caller, target, itemId, ReviewState.Accepted, null);
        }
        return await SaveAsync(targets[0].Target.Assessment!, cancellationToken);
    }

    /// <summary>Why this answer cannot take this review decision now; null when it can.</summary>
    private Failure? WhyCannotReview(Caller caller, Target target, string itemId, ReviewState decision, string? comment, int? answerRevision)
    {
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (version, assessment) = (target.Version!, target.Assessment);
        var existing = assessment?.Answers.SingleOrDefault(a => a.ItemId == itemId);
        if (assessment is null || existing is null)
        {
            return new Failure(FailureKind.Rule, $"Item {itemId} has no answer to review.");
        }
        if (AssessmentRules.WhyCannotReview(caller, version.Model.Owner, existing.AnsweredBy) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        if (AssessmentRules.WhyCannotReviewItem(assessment.Status, ToItemAnswer(existing, assessment), decision, comment) is { } cannot)
        {
            return decision == ReviewState.ChangesRequested && string.IsNullOrWhiteSpace(comment) || comment?.Length > AssessmentRules.MaxCommentLength
                ? Invalid("comment", cannot)
                : new Failure(FailureKind.Rule, cannot);
        }
        if (answerRevision is null)
        {
            return Invalid("answerRevision", "Say which revision of the answer you reviewed.");
        }
        return answerRevision != existing.Revision ? Stale() : null;
    }

    private void ApplyReview(Caller caller, Target target, string itemId, ReviewState decision, string? comment)
    {
        var (version, assessment) = (target.Version!, target.Assessment!);
        var existing = assessment.Answers.Single(a => a.ItemId == itemId);
        existing.Review = decision;
        existing.ReviewComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        existing.ReviewedBy = caller.Username;
        existing.ReviewedAt = clock.GetUtcNow();
        existing.Revision++;
        assessment.Revision++;
        Record(decision == ReviewState.Accepted ? "assessment.item-accepted" : "assessment.changes-requested", existing,
            Details(version, assessment, itemId, null));
        if (decision == ReviewState.ChangesRequested)
        {
            notifications.ChangesRequested(version, assessment, target.Applicability?.Template.Title ?? assessment.TemplateId, itemId, existing.ReviewComment, caller.Username);
        }
    }

    public async Task<Result<Assessment>> SignOffAsync(Caller caller, string key, string versionText, string templateId, int? revision,
        CancellationToken cancellationToken = default)
    {
        var target = await AssessmentTargetAsync(key, versionText, templateId, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (version, assessment, applicability) = (target.Version!, target.Assessment!, target.Applicability!);
        if (AssessmentRules.WhyCannotSignOff(caller, version.Model.Owner, assessment.Answers.Select(a => a.AnsweredBy)) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        if (revision is null)
        {
            return Invalid("revision", "Say which revision of the assessment you signed off.");
        }
        if (revision != assessment.Revision)
        {
            return Stale();
        }
        if (assessment.Status == AssessmentStatus.SignedOff)
        {
            return new Failure(FailureKind.Conflict, "The assessment is already signed off.");
        }
        var blockers = AssessmentRules.WhatBlocksSignOff(applicability.Template.Title, assessment.Status, applicability.ApplicableItems, Answers(assessment));
        if (blockers.Count > 0)
        {
            return new Failure(FailureKind.Rule,
                $"{blockers.Count} item(s) stand in the way of a sign-off: {string.Join("; ", blockers.Take(3).Select(b => b.Message))}.", BlockerErrors(blockers));
        }
        assessment.Status = AssessmentStatus.SignedOff;
        assessment.SignedOffAt = clock.GetUtcNow();
        assessment.SignedOffBy = caller.Username;
        assessment.Revision++;
        Record("assessment.signed-off", assessment, Details(version, assessment, null, null));
        await notifications.SignedOffAsync(version, assessment, applicability.Template.Title, cancellationToken);
        return await SaveAsync(assessment, cancellationToken);
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

    public static IReadOnlyDictionary<string, ItemAnswer> Answers(Assessment? assessment) => assessment is null
        ? new Dictionary<string, ItemAnswer>()
        : assessment.Answers.ToDictionary(a => a.ItemId, a => ToItemAnswer(a, assessment), StringComparer.Ordinal);

    private static ItemAnswer ToItemAnswer(AssessmentAnswer answer, Assessment assessment) => new(
        answer.ItemId, answer.Answer, answer.Justification, answer.Review, answer.CarriedOver,
        assessment.Evidence.Count(e => e.ItemId == answer.ItemId && e.Type == EvidenceType.Link),
        assessment.Evidence.Count(e => e.ItemId == answer.ItemId && e.Type == EvidenceType.File),
        answer.AnsweredBy);

    private async Task<Result<Assessment>> ConfirmAsync(Caller caller, ModelVersion version, Assessment assessment, AssessmentAnswer answer,
        CancellationToken cancellationToken)
    {
        answer.CarriedOver = false;
        answer.AnsweredBy = caller.Username;
        answer.AnsweredAt = clock.GetUtcNow();
        answer.Revision++;
        assessment.Revision++;
        Record("assessment.answer-confirmed", answer, Details(version, assessment, answer.ItemId, null));
        return await SaveAsync(assessment, cancellationToken);
    }

    /// <summary>An item's answer changed: its review starts over, and a sign-off is void (audited, and kept for the page to show).</summary>
    private void ItemChanged(Caller caller, ModelVersion version, Assessment assessment, AssessmentAnswer answer, string templateTitle, ChecklistItem item,
        string why)
    {
        var change = AssessmentRules.OnItemChanged(assessment.Status);
        if (change.ResetsReview)
        {
            // The earlier comment stays visible, so the officer re-reviewing sees what was asked for.
            answer.Review = ReviewState.None;
        }
        answer.Revision++;
        if (change.VoidsSignOff)
        {
            var signedOffBy = assessment.SignedOffBy;
            var signedOffAt = assessment.SignedOffAt;
            assessment.VoidedAt = clock.GetUtcNow();
            assessment.VoidedBy = caller.Username;
            assessment.VoidReason = $"Sign-off by {signedOffBy} voided: {why} ({AssessmentRules.Name(templateTitle, item)}).";
            assessment.SignedOffAt = null;
            assessment.SignedOffBy = null;
            Record("assessment.sign-off-voided", assessment,
                Details(version, assessment, item.Id, new { signedOffBy, signedOffAt, reason = why }));
        }
        assessment.Status = change.Status;
        assessment.Revision++;
    }

    private void EvidenceChanged(Caller caller, ModelVersion version, Assessment assessment, string templateTitle, ChecklistItem item, string why)
    {
        if (assessment.Answers.SingleOrDefault(a => a.ItemId == item.Id) is { } answer)
        {
            ItemChanged(caller, version, assessment, answer, templateTitle, item, why);
        }
        else
        {
            assessment.Revision++;
        }
    }

    private Assessment NewAssessment(Caller caller, ModelVersion version, ChecklistTemplateVersion template, Assessment? previous)
    {
        var assessment = new Assessment
        {
            VersionId = version.Id,
            TemplateVersionId = template.Id,
            TemplateId = template.TemplateId,
            Status = AssessmentStatus.InProgress,
            StartedAt = clock.GetUtcNow(),
            StartedBy = caller.Username,
            CarriedOverFrom = previous?.Id,
        };
        db.Assessments.Add(assessment);
        return assessment;
    }

    /// <summary>Copies the matching answers and their evidence, each marked "carried over — confirm".</summary>
    private IReadOnlyList<string> CarryOver(Assessment previous, Assessment assessment, TemplateApplicability applicability)
    {
        var matches = AssessmentRules.CarryOverMatches(previous.TemplateVersion.ToTemplate().Items, applicability.ApplicableItems,
            previous.Answers.Select(a => a.ItemId));
        var now = clock.GetUtcNow();
        foreach (var itemId in matches)
        {
            var old = previous.Answers.Single(a => a.ItemId == itemId);
            var answer = new AssessmentAnswer
            {
                AssessmentId = assessment.Id, ItemId = itemId, Answer = old.Answer, Justification = old.Justification,
                AnsweredBy = assessment.StartedBy, AnsweredAt = now, CarriedOver = true,
            };
            assessment.Answers.Add(answer);
            db.AssessmentAnswers.Add(answer);
            foreach (var oldEvidence in previous.Evidence.Where(e => e.ItemId == itemId))
            {
                var evidence = new AssessmentEvidence
                {
                    AssessmentId = assessment.Id, ItemId = itemId, Type = oldEvidence.Type, Url = oldEvidence.Url, FileName = oldEvidence.FileName,
                    ContentType = oldEvidence.ContentType, SizeBytes = oldEvidence.SizeBytes, Sha256 = oldEvidence.Sha256, ContentId = oldEvidence.ContentId,
                    AddedBy = oldEvidence.AddedBy, AddedAt = oldEvidence.AddedAt,
                };
                assessment.Evidence.Add(evidence);
                db.AssessmentEvidence.Add(evidence);
            }
        }
        return matches;
    }

    /// <summary>The assessment of the highest earlier version of the model for the template, if any.</summary>
    private async Task<Assessment?> PreviousAsync(ModelVersion version, string templateId, CancellationToken cancellationToken)
    {
        var candidates = await db.Assessments.AsNoTracking().AsSplitQuery()
            .Include(a => a.Version).Include(a => a.TemplateVersion).ThenInclude(t => t.Items).Include(a => a.Answers).Include(a => a.Evidence)
            .Where(a => a.TemplateId == templateId && a.Version.ModelId == version.ModelId && a.VersionId != version.Id)
            .ToListAsync(cancellationToken);
        return candidates.Where(a => a.Version.Number < version.Number && a.Answers.Count > 0)
            .OrderByDescending(a => a.Version.Number).ThenByDescending(a => a.TemplateVersion.Version).FirstOrDefault();
    }

    private Task<ChecklistTemplateVersion?> LatestTemplateAsync(string templateId, CancellationToken cancellationToken) =>
        ChecklistQueries.LatestTemplateAsync(db, templateId, cancellationToken);

    private sealed record Target(ModelVersion? Version, Assessment? Assessment, TemplateApplicability? Applicability, ChecklistItem? Item, Failure? Failure)
    {
        public ChecklistTemplateVersion? TemplateVersion { get; init; }
    }

    /// <summary>The version's newest assessment of the template, tracked, with what applies to the model now.</summary>
    private async Task<Target> AssessmentTargetAsync(string key, string versionText, string templateId, CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return new(null, null, null, null, NoVersion(key, versionText));
        }
        if (Frozen(version) is { } frozen)
        {
            return new(version, null, null, null, frozen);
        }
        var assessment = await TrackedAssessmentAsync(version.Id, templateId, cancellationToken);
        if (assessment is null)
        {
            return new(version, null, null, null, new Failure(FailureKind.NotFound,
                await db.ChecklistTemplateVersions.AnyAsync(t => t.TemplateId == templateId, cancellationToken)
                    ? $"{key} {versionText} has no '{templateId}' assessment yet."
                    : NoTemplate(templateId).Message));
        }
        var applicability = Applicability.For(assessment.TemplateVersion.ToTemplate(), version.ComplianceAttributes());
        return new(version, assessment, applicability, null, null);
    }

    /// <summary>
    /// The item to answer or review, and the version's newest assessment of the template (null when not started; answers
    /// then go to the newest template version). For answering, the caller must be allowed.
    /// </summary>
    private async Task<Target> ItemTargetAsync(Caller caller, string key, string versionText, string templateId, string itemId, bool forAnswering,
        CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        return version is null
            ? new(null, null, null, null, NoVersion(key, versionText))
            : await ItemTargetAsync(caller, version, templateId, itemId, forAnswering, cancellationToken);
    }

    private async Task<Target> ItemTargetAsync(Caller caller, ModelVersion version, string templateId, string itemId, bool forAnswering,
        CancellationToken cancellationToken)
    {
        if (forAnswering && AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team) is { } refusal)
        {
            return new(version, null, null, null, new Failure(FailureKind.Forbidden, refusal));
        }
        if (Frozen(version) is { } frozen)
        {
            return new(version, null, null, null, frozen);
        }
        var assessment = await TrackedAssessmentAsync(version.Id, templateId, cancellationToken);
        var templateVersion = assessment?.TemplateVersion ?? await LatestTemplateAsync(templateId, cancellationToken);
        if (templateVersion is null)
        {
            return new(version, null, null, null, NoTemplate(templateId));
        }
        var applicability = Applicability.For(templateVersion.ToTemplate(), version.ComplianceAttributes());
        var item = applicability.Template.Items.SingleOrDefault(i => i.Id == itemId);
        if (item is null)
        {
            return new(version, null, null, null, new Failure(FailureKind.NotFound, $"{templateVersion.Title} version {templateVersion.Version} has no item '{itemId}'."));
        }
        if (!applicability.Applies)
        {
            return new(version, null, null, null, new Failure(FailureKind.Rule, applicability.Reason));
        }
        if (!applicability.ApplicableItems.Contains(item))
        {
            var reason = applicability.Items.Single(i => i.Item == item).Reason;
            return new(version, null, null, null, new Failure(FailureKind.Rule, $"Item {itemId} does not apply to this model. {reason}"));
        }
        return new(version, assessment, applicability, item, null) { TemplateVersion = templateVersion };
    }

    /// <summary>The target's assessment, started on the spot (and audited) when this is the first change to it.</summary>
    private Assessment Started(Caller caller, Target target)
    {
        if (target.Assessment is { } existing)
        {
            return existing;
        }
        var template = target.TemplateVersion!;
        var assessment = NewAssessment(caller, target.Version!, template, null);
        Record("assessment.started", assessment, new
        {
            model = target.Version!.Model.Key, version = target.Version.Number.ToString(), template = template.TemplateId, templateVersion = template.Version,
        });
        return assessment;
    }

    /// <summary>The version, when the caller may answer its checklists; otherwise why not.</summary>
    private async Task<(ModelVersion? Version, Failure? Failure)> VersionToAnswerAsync(Caller caller, string key, string versionText,
        CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return (null, NoVersion(key, versionText));
        }
        return AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team) is { } refusal
            ? (null, new Failure(FailureKind.Forbidden, refusal))
            : Frozen(version) is { } frozen ? (null, frozen) : (version, null);
    }

    // A retired version's checklists are the record of its decommissioning (issue 15, item 3).
    internal static Failure? Frozen(ModelVersion version) =>
        Retirement.RetirementRules.WhyFrozen(version.Stage, version.Model.Key, version.Number) is { } why ? new Failure(FailureKind.Conflict, why) : null;

    private Task<Assessment?> TrackedAssessmentAsync(Guid versionId, string templateId, CancellationToken cancellationToken) =>
        ChecklistQueries.CurrentAssessmentAsync(db.Assessments, versionId, templateId, cancellationToken);

    private async Task<Result<Assessment>> SaveAsync(Assessment assessment, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return assessment;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Stale();
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex) || DbErrors.IsForeignKeyViolation(ex))
        {
            // A foreign key fails when evidence bytes were removed while another request copied them (or the reverse).
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "Someone changed this assessment at the same moment; reload it and try again.");
        }
    }

    private static object Details(ModelVersion version, Assessment assessment, string? itemId, object? extra) => new
    {
        model = version.Model.Key,
        version = version.Number.ToString(),
        template = assessment.TemplateId,
        assessment = assessment.Id,
        item = itemId,
        status = assessment.Status.ToString(),
        extra,
    };

    private static Dictionary<string, string[]>? BlockerErrors(IReadOnlyList<Blocker> blockers) => blockers.Count == 0
        ? null
        : blockers.GroupBy(b => b.ItemId is null ? "assessment" : $"items.{b.ItemId}").ToDictionary(g => g.Key, g => g.Select(b => b.Message).ToArray());

    private static Failure Invalid(string field, string message) => new(FailureKind.Invalid, message, new() { [field] = [message] });

    private static Failure Stale() =>
        new(FailureKind.Conflict, "The assessment changed since you loaded it (someone answered or reviewed at the same moment); reload it and try again.");

    private static Failure NoVersion(string key, string version) => new(FailureKind.NotFound, $"Model '{key}' has no version '{version}'.");

    private static Failure NoTemplate(string templateId) => new(FailureKind.NotFound, $"There is no checklist template '{templateId}'.");

    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024.0):0.#} MB",
        >= 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} bytes",
    };
}
