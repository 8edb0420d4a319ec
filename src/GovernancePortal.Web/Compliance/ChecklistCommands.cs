using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.AssessmentChanges;

namespace GovernancePortal.Compliance;

/// <summary>One answer an officer accepts, at the revision they read.</summary>
public sealed record AnswerToAccept(string ItemId, int? AnswerRevision);

/// <summary>
/// Checklist assessments changed by pages and API alike: started (carrying earlier answers over), answered, confirmed,
/// submitted, reviewed and signed off. The rules are <see cref="AssessmentRules"/>'; this class loads their inputs and
/// saves each change with its audit event in one transaction (<see cref="AssessmentChanges"/>).
/// </summary>
public sealed class ChecklistCommands(GovernanceDbContext db, AssessmentChanges changes, ChecklistReads reads, ChecklistNotifications notifications)
{
    /// <inheritdoc cref="AssessmentChanges.ActingAs"/>
    public ChecklistCommands ActingAs(Audit.AuditActor actor)
    {
        changes.ActingAs(actor);
        return this;
    }

    public async Task<Result<Assessment>> StartAsync(Caller caller, string key, string versionText, string templateId, bool carryOver,
        CancellationToken cancellationToken = default)
    {
        var (version, failure) = await changes.VersionToAnswerAsync(caller, key, versionText, cancellationToken);
        if (version is null)
        {
            return failure!;
        }
        var template = await ChecklistQueries.LatestTemplateAsync(db, templateId, cancellationToken);
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
            previous = await reads.PreviousAsync(version, templateId, cancellationToken);
            if (previous is null)
            {
                return new Failure(FailureKind.Rule, $"No earlier version of {key} has a {template.Title} assessment to start from.");
            }
        }
        var assessment = changes.NewAssessment(caller, version, template, previous);
        var carried = previous is null ? [] : CarryOver(previous, assessment, applicability);
        changes.Record("assessment.started", assessment, new
        {
            model = key, version = versionText, template = template.TemplateId, templateVersion = template.Version,
            carriedOverFrom = previous is null ? null : new { version = previous.Version.Number.ToString(), templateVersion = previous.TemplateVersion.Version },
            carriedItems = carried,
        });
        return await changes.SaveAsync(assessment, cancellationToken);
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
        var target = await changes.ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
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
        var before = existing is null ? null : ChecklistReads.ToItemAnswer(existing, target.Assessment!);
        if (!AssessmentRules.Changes(before, answer.Value, justification))
        {
            if (existing is not { CarriedOver: true })
            {
                return target.Assessment!;
            }
            // Saving a carried-over answer unchanged is confirming it.
            return await ConfirmAsync(caller, version, target.Assessment!, existing, cancellationToken);
        }
        var assessment = changes.Started(caller, target);
        if (existing is null)
        {
            existing = new AssessmentAnswer { AssessmentId = assessment.Id, ItemId = itemId, AnsweredBy = caller.Username };
            assessment.Answers.Add(existing);
            db.AssessmentAnswers.Add(existing);
        }
        existing.Answer = answer.Value;
        existing.Justification = AssessmentRules.Normalize(justification);
        existing.AnsweredBy = caller.Username;
        existing.AnsweredAt = changes.Now;
        existing.CarriedOver = false;
        changes.ItemChanged(caller, version, assessment, existing, target.Applicability!.Template.Title, item, $"the answer to {item.Id} changed");
        changes.Record("assessment.answered", existing, Details(version, assessment, itemId, new { answer = answer.Value.ToString() }));
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> ConfirmAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        CancellationToken cancellationToken = default)
    {
        var target = await changes.ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: true, cancellationToken);
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

    public async Task<Result<Assessment>> SubmitAsync(Caller caller, string key, string versionText, string templateId,
        CancellationToken cancellationToken = default)
    {
        var target = await changes.AssessmentTargetAsync(key, versionText, templateId, cancellationToken);
        if (target.Failure is not null)
        {
            return target.Failure;
        }
        var (version, assessment, applicability) = (target.Version!, target.Assessment!, target.Applicability!);
        if (AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var blockers = AssessmentRules.WhatBlocksSubmit(applicability.Template.Title, applicability.ApplicableItems, ChecklistReads.Answers(assessment));
        if (AssessmentRules.WhyCannotSubmit(assessment.Status, blockers) is { } cannot)
        {
            return new Failure(assessment.Status == AssessmentStatus.InProgress ? FailureKind.Rule : FailureKind.Conflict, cannot, BlockerErrors(blockers));
        }
        assessment.Status = AssessmentStatus.InReview;
        assessment.SubmittedAt = changes.Now;
        assessment.SubmittedBy = caller.Username;
        assessment.Revision++;
        changes.Record("assessment.submitted", assessment, Details(version, assessment, null, null));
        await notifications.SubmittedAsync(version, assessment, applicability.Template.Title, cancellationToken);
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    public async Task<Result<Assessment>> ReviewAsync(Caller caller, string key, string versionText, string templateId, string itemId,
        ReviewState? decision, string? comment, int? answerRevision, CancellationToken cancellationToken = default)
    {
        if (decision is not (ReviewState.Accepted or ReviewState.ChangesRequested))
        {
            return Invalid("decision", "Accept the answer or request changes.");
        }
        var target = await changes.ItemTargetAsync(caller, key, versionText, templateId, itemId, forAnswering: false, cancellationToken);
        if (WhyCannotReview(caller, target, itemId, decision.Value, comment, answerRevision) is { } failure)
        {
            return failure;
        }
        ApplyReview(caller, target, itemId, decision.Value, comment);
        return await changes.SaveAsync(target.Assessment!, cancellationToken);
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
            var target = await changes.ItemTargetAsync(caller, version, templateId, answer.ItemId, forAnswering: false, cancellationToken);
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
        return await changes.SaveAsync(targets[0].Target.Assessment!, cancellationToken);
    }

    public async Task<Result<Assessment>> SignOffAsync(Caller caller, string key, string versionText, string templateId, int? revision,
        CancellationToken cancellationToken = default)
    {
        var target = await changes.AssessmentTargetAsync(key, versionText, templateId, cancellationToken);
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
        var blockers = AssessmentRules.WhatBlocksSignOff(applicability.Template.Title, assessment.Status, applicability.ApplicableItems, ChecklistReads.Answers(assessment));
        if (blockers.Count > 0)
        {
            return new Failure(FailureKind.Rule,
                $"{blockers.Count} item(s) stand in the way of a sign-off: {string.Join("; ", blockers.Take(3).Select(b => b.Message))}.", BlockerErrors(blockers));
        }
        assessment.Status = AssessmentStatus.SignedOff;
        assessment.SignedOffAt = changes.Now;
        assessment.SignedOffBy = caller.Username;
        assessment.Revision++;
        changes.Record("assessment.signed-off", assessment, Details(version, assessment, null, null));
        await notifications.SignedOffAsync(version, assessment, applicability.Template.Title, cancellationToken);
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    private async Task<Result<Assessment>> ConfirmAsync(Caller caller, ModelVersion version, Assessment assessment, AssessmentAnswer answer,
        CancellationToken cancellationToken)
    {
        answer.CarriedOver = false;
        answer.AnsweredBy = caller.Username;
        answer.AnsweredAt = changes.Now;
        answer.Revision++;
        assessment.Revision++;
        changes.Record("assessment.answer-confirmed", answer, Details(version, assessment, answer.ItemId, null));
        return await changes.SaveAsync(assessment, cancellationToken);
    }

    /// <summary>Why this answer cannot take this review decision now; null when it can.</summary>
    private static Failure? WhyCannotReview(Caller caller, Target target, string itemId, ReviewState decision, string? comment, int? answerRevision)
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
        if (AssessmentRules.WhyCannotReviewItem(assessment.Status, ChecklistReads.ToItemAnswer(existing, assessment), decision, comment) is { } cannot)
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
        existing.ReviewedAt = changes.Now;
        existing.Revision++;
        assessment.Revision++;
        changes.Record(decision == ReviewState.Accepted ? "assessment.item-accepted" : "assessment.changes-requested", existing,
            Details(version, assessment, itemId, null));
        if (decision == ReviewState.ChangesRequested)
        {
            notifications.ChangesRequested(version, assessment, target.Applicability?.Template.Title ?? assessment.TemplateId, itemId, existing.ReviewComment, caller.Username);
        }
    }

    /// <summary>Copies the matching answers and their evidence, each marked "carried over — confirm".</summary>
    private IReadOnlyList<string> CarryOver(Assessment previous, Assessment assessment, TemplateApplicability applicability)
    {
        var matches = AssessmentRules.CarryOverMatches(previous.TemplateVersion.ToTemplate().Items, applicability.ApplicableItems,
            previous.Answers.Select(a => a.ItemId));
        var now = changes.Now;
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

    private static Dictionary<string, string[]>? BlockerErrors(IReadOnlyList<Blocker> blockers) => blockers.Count == 0
        ? null
        : blockers.GroupBy(b => b.ItemId is null ? "assessment" : $"items.{b.ItemId}").ToDictionary(g => g.Key, g => g.Select(b => b.Message).ToArray());
}
