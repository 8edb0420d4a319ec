using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Compliance;

/// <summary>One template as the template list shows it: its newest version and how many there are.</summary>
public sealed record TemplateSummary(ChecklistTemplateVersion Latest, int Versions, int Items);

/// <summary>What upgrading a version's assessment to the newest template version would do, and whether the caller may.</summary>
public sealed record UpgradePreview(
    ModelVersion Version, Assessment Assessment, ChecklistTemplateVersion Latest, TemplateApplicability Applicability, UpgradePlan Plan, string? Refusal);

/// <summary>
/// New template versions published in the portal, and assessments moved onto them. The rules are
/// <see cref="TemplateVersioning"/>'s; each change is saved with its audit event in one transaction.
/// </summary>
public sealed class TemplateEditing(GovernanceDbContext db, TimeProvider clock)
{
    public const string PortalSource = "portal";

    private Audit.AuditActor? _actor;

    /// <summary>
    /// Attributes this scope's changes to <paramref name="actor"/>: an interactive page has no request to read the
    /// signed-in person from, so it names them (as ReviewService's and RetirementService's callers do).
    /// </summary>
    public TemplateEditing ActingAs(Audit.AuditActor actor)
    {
        _actor = actor;
        return this;
    }

    private void Record(string action, object entity, object? details) => db.Audit.Record(action, entity, details, _actor);

    public async Task<IReadOnlyList<TemplateSummary>> TemplatesAsync(CancellationToken cancellationToken = default)
    {
        var versions = await db.ChecklistTemplateVersions.AsNoTracking().ToListAsync(cancellationToken);
        var itemCounts = await db.ChecklistTemplateItems.AsNoTracking().GroupBy(i => i.TemplateVersionId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return versions.GroupBy(v => v.TemplateId)
            .Select(g => g.MaxBy(v => v.Version)!)
            .Select(latest => new TemplateSummary(latest, versions.Count(v => v.TemplateId == latest.TemplateId), itemCounts.GetValueOrDefault(latest.Id)))
            .OrderBy(t => t.Latest.Title, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every version of a template, oldest first, with items; empty when there is no such template.</summary>
    public async Task<IReadOnlyList<ChecklistTemplateVersion>> VersionsAsync(string templateId, CancellationToken cancellationToken = default) =>
        await db.ChecklistTemplateVersions.AsNoTracking().AsSplitQuery().Include(t => t.Items)
            .Where(t => t.TemplateId == templateId).OrderBy(t => t.Version).ToListAsync(cancellationToken);

    /// <summary>
    /// Publishes version N+1 of a template from a draft made on version <paramref name="baseVersion"/>. Refused when
    /// someone published another version since: their change would otherwise be silently undone.
    /// </summary>
    public async Task<Result<ChecklistTemplateVersion>> PublishAsync(Caller caller, string templateId, int? baseVersion, TemplateVersionDraft draft,
        CancellationToken cancellationToken = default)
    {
        if (TemplateVersioning.WhyCannotEdit(caller) is { } refusal)
        {
            return new Failure(FailureKind.Forbidden, refusal);
        }
        var latest = await LatestAsync(templateId, cancellationToken);
        if (latest is null)
        {
            return new Failure(FailureKind.NotFound, $"There is no checklist template '{templateId}'.");
        }
        if (baseVersion is not { } basedOn)
        {
            const string message = "Say which version the change starts from (the newest version's number).";
            return new Failure(FailureKind.Rule, message, new() { ["baseVersion"] = [message] });
        }
        if (basedOn > latest.Version || basedOn < 1)
        {
            var message = $"{latest.Title} has no version {basedOn}; the newest is version {latest.Version}.";
            return new Failure(FailureKind.Rule, message, new() { ["baseVersion"] = [message] });
        }
        if (basedOn != latest.Version)
        {
            return Stale(latest, basedOn);
        }
        var basis = latest.ToTemplate();
        var published = TemplateVersioning.NewVersion(basis, draft, out var errors);
        if (published is null)
        {
            return new Failure(FailureKind.Rule, "The new version was not published: some fields need attention.", errors);
        }
        if (await ItemIdsOfOtherTemplatesAsync(templateId, published.Template.Items.Select(i => i.Id).ToList(), cancellationToken) is [_, ..] taken)
        {
            var index = published.Template.Items.ToList().FindIndex(i => i.Id == taken[0]);
            var message = $"The id '{taken[0]}' belongs to an item of another template; item ids are unique across the library.";
            return new Failure(FailureKind.Rule, message, new() { [$"items[{index}].id"] = [message] });
        }
        var version = ChecklistTemplateVersion.From(published.Template, PortalSource, clock.GetUtcNow(), caller.Username, published.ChangeNote);
        db.ChecklistTemplateVersions.Add(version);
        var diff = TemplateVersioning.Diff(basis, published.Template);
        Record("checklist-template.version-published", version, new
        {
            template = templateId,
            version = version.Version,
            basedOn,
            changeNote = published.ChangeNote,
            details = TemplateVersioning.ChangedDetails(basis, published.Template),
            added = diff.Where(d => d.Kind == ItemChangeKind.Added).Select(d => d.ItemId),
            changed = diff.Where(d => d.Kind == ItemChangeKind.Changed).Select(d => new { item = d.ItemId, d.Fields }),
            retired = diff.Where(d => d.Kind == ItemChangeKind.Retired).Select(d => d.ItemId),
            items = published.Template.Items.Count,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return version;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Someone published the same version number a moment earlier.
            db.ChangeTracker.Clear();
            return Stale(await LatestAsync(templateId, cancellationToken) ?? latest, basedOn);
        }
    }

    public async Task<UpgradePreview?> PreviewUpgradeAsync(Caller caller, string key, string versionText, string templateId,
        CancellationToken cancellationToken = default)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return null;
        }
        var assessment = await NewestAssessmentAsync(version.Id, templateId, tracked: false, cancellationToken);
        var latest = await LatestAsync(templateId, cancellationToken);
        return assessment is null || latest is null ? null : Preview(caller, version, assessment, latest);
    }

    /// <summary>
    /// Moves a version's assessment onto the newest template version: a new assessment of that version takes over the
    /// answers the plan carries, the old one stays as it was made. A sign-off does not carry over (the checklist is a
    /// different one now), so it is voided, audited, and the page says so.
    /// </summary>
    public async Task<Result<Assessment>> UpgradeAsync(Caller caller, string key, string versionText, string templateId, int? toVersion,
        CancellationToken cancellationToken = default)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return new Failure(FailureKind.NotFound, $"Model '{key}' has no version '{versionText}'.");
        }
        if (AssessmentChanges.Frozen(version) is { } frozen)
        {
            return frozen;
        }
        var old = await NewestAssessmentAsync(version.Id, templateId, tracked: true, cancellationToken);
        var latest = await LatestAsync(templateId, cancellationToken);
        if (old is null || latest is null)
        {
            return new Failure(FailureKind.NotFound, $"{key} {versionText} has no '{templateId}' assessment to upgrade.");
        }
        var preview = Preview(caller, version, old, latest);
        if (preview.Refusal is { } refusal)
        {
            // Not the caller's model: forbidden; already on the newest version: a state conflict; no longer applies: a rule.
            var kind = AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team) is not null ? FailureKind.Forbidden
                : old.TemplateVersion.Version >= latest.Version ? FailureKind.Conflict
                : FailureKind.Rule;
            return new Failure(kind, refusal);
        }
        if (toVersion is { } expected && expected != latest.Version)
        {
            return new Failure(FailureKind.Conflict,
                $"{latest.Title} version {latest.Version} was published after you looked at version {expected}; review what the upgrade does again.");
        }
        var now = clock.GetUtcNow();
        var upgraded = new Assessment
        {
            VersionId = version.Id,
            TemplateVersionId = latest.Id,
            TemplateId = templateId,
            Status = AssessmentStatus.InProgress,
            StartedAt = now,
            StartedBy = caller.Username,
            CarriedOverFrom = old.Id,
        };
        var plan = preview.Plan;
        if (old.Status == AssessmentStatus.SignedOff)
        {
            upgraded.VoidedAt = now;
            upgraded.VoidedBy = caller.Username;
            upgraded.VoidReason = $"Sign-off by {old.SignedOffBy} voided: the assessment moved from {latest.Title} version {plan.FromVersion} to version {plan.ToVersion}.";
            Record("assessment.sign-off-voided", old, new
            {
                model = key, version = versionText, template = templateId, assessment = old.Id, old.SignedOffBy, old.SignedOffAt,
                reason = $"upgraded to template version {plan.ToVersion}",
            });
        }
        db.Assessments.Add(upgraded);
        foreach (var step in plan.Items.Where(i => i.Action is UpgradeAction.Keep or UpgradeAction.Confirm))
        {
            CopyAnswer(old, upgraded, step, now);
        }
        // The old assessment is superseded: moving its revision on makes a concurrent answer to it fail instead of being lost.
        old.Revision++;
        Record("assessment.upgraded", upgraded, new
        {
            model = key, version = versionText, template = templateId, from = old.Id, fromTemplateVersion = plan.FromVersion, toTemplateVersion = plan.ToVersion,
            kept = plan.With(UpgradeAction.Keep), toConfirm = plan.With(UpgradeAction.Confirm), unanswered = plan.With(UpgradeAction.Unanswered),
            dropped = plan.With(UpgradeAction.Dropped), signOffVoided = old.Status == AssessmentStatus.SignedOff,
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return upgraded;
        }
        catch (Exception ex) when (ex is DbUpdateConcurrencyException || ex is DbUpdateException update && DbErrors.IsForeignKeyViolation(update))
        {
            // A foreign key fails when evidence whose bytes the upgrade copies was removed at the same moment.
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "The assessment changed while it was being upgraded; reload it and try again.");
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, $"The assessment was upgraded to {latest.Title} version {latest.Version} a moment ago.");
        }
    }

    private UpgradePreview Preview(Caller caller, ModelVersion version, Assessment assessment, ChecklistTemplateVersion latest)
    {
        var applicability = Applicability.For(latest.ToTemplate(), version.ComplianceAttributes());
        var plan = TemplateVersioning.PlanUpgrade(assessment.TemplateVersion.ToTemplate(), applicability.Template,
            applicability.ApplicableItems, assessment.Answers.Select(a => a.ItemId));
        var refusal = AssessmentRules.WhyCannotAnswer(caller, version.Model.Owner, version.Model.Team)
            ?? (assessment.TemplateVersion.Version >= latest.Version
                ? $"The assessment already uses {latest.Title} version {latest.Version}, the newest."
                : !applicability.Applies ? applicability.Reason : null);
        return new UpgradePreview(version, assessment, latest, applicability, plan, refusal);
    }

    private void CopyAnswer(Assessment from, Assessment to, ItemUpgrade step, DateTimeOffset now)
    {
        var old = from.Answers.Single(a => a.ItemId == step.ItemId);
        var keep = step.Action == UpgradeAction.Keep;
        var answer = new AssessmentAnswer
        {
            AssessmentId = to.Id,
            ItemId = old.ItemId,
            Answer = old.Answer,
            Justification = old.Justification,
            AnsweredBy = old.AnsweredBy,
            AnsweredAt = keep ? old.AnsweredAt : now,
            CarriedOver = !keep || old.CarriedOver,
            // The officer accepted this very answer to this very question; a changed question is reviewed again.
            Review = keep ? old.Review : ReviewState.None,
            ReviewComment = keep ? old.ReviewComment : null,
            ReviewedBy = keep ? old.ReviewedBy : null,
            ReviewedAt = keep ? old.ReviewedAt : null,
        };
        to.Answers.Add(answer);
        db.AssessmentAnswers.Add(answer);
        foreach (var e in from.Evidence.Where(e => e.ItemId == step.ItemId))
        {
            var evidence = new AssessmentEvidence
            {
                AssessmentId = to.Id, ItemId = e.ItemId, Type = e.Type, Url = e.Url, FileName = e.FileName, ContentType = e.ContentType,
                SizeBytes = e.SizeBytes, Sha256 = e.Sha256, ContentId = e.ContentId, AddedBy = e.AddedBy, AddedAt = e.AddedAt,
            };
            to.Evidence.Add(evidence);
            db.AssessmentEvidence.Add(evidence);
        }
    }

    private async Task<List<string>> ItemIdsOfOtherTemplatesAsync(string templateId, List<string> itemIds, CancellationToken cancellationToken) =>
        await (from item in db.ChecklistTemplateItems
               join version in db.ChecklistTemplateVersions on item.TemplateVersionId equals version.Id
               where version.TemplateId != templateId && itemIds.Contains(item.ItemId)
               select item.ItemId).Distinct().ToListAsync(cancellationToken);

    private Task<ChecklistTemplateVersion?> LatestAsync(string templateId, CancellationToken cancellationToken) =>
        ChecklistQueries.LatestTemplateAsync(db, templateId, cancellationToken);

    private Task<Assessment?> NewestAssessmentAsync(Guid versionId, string templateId, bool tracked, CancellationToken cancellationToken) =>
        ChecklistQueries.CurrentAssessmentAsync(tracked ? db.Assessments : db.Assessments.AsNoTracking(), versionId, templateId, cancellationToken);

    private static Failure Stale(ChecklistTemplateVersion latest, int basedOn) => new(FailureKind.Conflict,
        $"{latest.Title} version {latest.Version} was published by {latest.CreatedBy} at {latest.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, "
        + $"after the version {basedOn} your change starts from. Nothing was saved: reload version {latest.Version} and make your change on it.");
}
