using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>
/// What every change to an assessment shares, for <see cref="ChecklistCommands"/> and <see cref="ChecklistEvidence"/>:
/// finding what is changed (and whether the caller may), starting the assessment on its first change, restarting an
/// item's review, and saving each change with its audit event in one transaction under optimistic concurrency.
/// Scoped: one actor per scope.
/// </summary>
public sealed class AssessmentChanges(GovernanceDbContext db, TimeProvider clock)
{
    private Audit.AuditActor? _actor;

    /// <summary>
    /// Attributes this scope's changes to <paramref name="actor"/>: an interactive page has no request to read the
    /// signed-in person from, so it names them (as ReviewService's and RetirementService's callers do).
    /// </summary>
    public void ActingAs(Audit.AuditActor actor) => _actor = actor;

    internal DateTimeOffset Now => clock.GetUtcNow();

    internal void Record(string action, object entity, object? details) => db.Audit.Record(action, entity, details, _actor);

    internal sealed record Target(ModelVersion? Version, Assessment? Assessment, TemplateApplicability? Applicability, ChecklistItem? Item, Failure? Failure)
    {
        public ChecklistTemplateVersion? TemplateVersion { get; init; }
    }

    /// <summary>The version's newest assessment of the template, tracked, with what applies to the model now.</summary>
    internal async Task<Target> AssessmentTargetAsync(string key, string versionText, string templateId, CancellationToken cancellationToken)
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
    internal async Task<Target> ItemTargetAsync(Caller caller, string key, string versionText, string templateId, string itemId, bool forAnswering,
        CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        return version is null
            ? new(null, null, null, null, NoVersion(key, versionText))
            : await ItemTargetAsync(caller, version, templateId, itemId, forAnswering, cancellationToken);
    }

    internal async Task<Target> ItemTargetAsync(Caller caller, ModelVersion version, string templateId, string itemId, bool forAnswering,
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
        var templateVersion = assessment?.TemplateVersion ?? await ChecklistQueries.LatestTemplateAsync(db, templateId, cancellationToken);
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

    /// <summary>The version, when the caller may answer its checklists; otherwise why not.</summary>
    internal async Task<(ModelVersion? Version, Failure? Failure)> VersionToAnswerAsync(Caller caller, string key, string versionText,
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

    internal Assessment NewAssessment(Caller caller, ModelVersion version, ChecklistTemplateVersion template, Assessment? previous)
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

    /// <summary>The target's assessment, started on the spot (and audited) when this is the first change to it.</summary>
    internal Assessment Started(Caller caller, Target target)
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

    /// <summary>An item's answer changed: its review starts over, and a sign-off is void (audited, and kept for the page to show).</summary>
    internal void ItemChanged(Caller caller, ModelVersion version, Assessment assessment, AssessmentAnswer answer, string templateTitle, ChecklistItem item,
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

    internal void EvidenceChanged(Caller caller, ModelVersion version, Assessment assessment, string templateTitle, ChecklistItem item, string why)
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

    internal async Task<Result<Assessment>> SaveAsync(Assessment assessment, CancellationToken cancellationToken)
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

    // A retired version's checklists are the record of its decommissioning (issue 15, item 3).
    internal static Failure? Frozen(ModelVersion version) =>
        Retirement.RetirementRules.WhyFrozen(version.Stage, version.Model.Key, version.Number) is { } why ? new Failure(FailureKind.Conflict, why) : null;

    private Task<Assessment?> TrackedAssessmentAsync(Guid versionId, string templateId, CancellationToken cancellationToken) =>
        ChecklistQueries.CurrentAssessmentAsync(db.Assessments, versionId, templateId, cancellationToken);

    internal static object Details(ModelVersion version, Assessment assessment, string? itemId, object? extra) => new
    {
        model = version.Model.Key,
        version = version.Number.ToString(),
        template = assessment.TemplateId,
        assessment = assessment.Id,
        item = itemId,
        status = assessment.Status.ToString(),
        extra,
    };

    internal static Failure Invalid(string field, string message) => new(FailureKind.Invalid, message, new() { [field] = [message] });

    internal static Failure Stale() =>
        new(FailureKind.Conflict, "The assessment changed since you loaded it (someone answered or reviewed at the same moment); reload it and try again.");

    internal static Failure NoVersion(string key, string version) => new(FailureKind.NotFound, $"Model '{key}' has no version '{version}'.");

    internal static Failure NoTemplate(string templateId) => new(FailureKind.NotFound, $"There is no checklist template '{templateId}'.");
}
