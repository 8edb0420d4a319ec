using GovernancePortal.Data;
using GovernancePortal.Notifications;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Retirement;

/// <summary>A successor named by model key and version number.</summary>
public sealed record SuccessorRef(string? Model, string? Version);

/// <summary>A plan as a page or an API client gives it; null fields are missing.</summary>
public sealed record PlanInput(DateOnly? PlannedDate, RetirementReason? Reason, SuccessorRef? Successor, string? NoSuccessorReason, string? Note,
    IReadOnlyList<string>? Notify);

/// <summary>What is audited of a plan, before and after a change.</summary>
public sealed record PlanSnapshot(string PlannedDate, string Reason, string? Successor, string? NoSuccessorReason, string Note,
    IReadOnlyList<string> Notify, string State, string? CancelReason);

/// <summary>A plan with what lists and pages show beside it.</summary>
public sealed record PlanView(RetirementPlan Plan, string ModelKey, string ModelName, string Version, string Owner, string Team, RiskTier RiskTier,
    Stage Stage, string? SuccessorModel, string? SuccessorVersion, Stage? SuccessorStage, RetirementStatus Status)
{
    public string? Successor => SuccessorModel is null ? null : $"{SuccessorModel} {SuccessorVersion}";
}

public sealed class RetirementOptions
{
    public const string Section = "Retirement";

    /// <summary>Years a retired version's records are kept when no longer period (EU AI Act Art. 18, HIPAA) applies.</summary>
    public int DefaultRetentionYears { get; set; } = 5;
}

/// <summary>
/// Retirement plans for pages and API alike: planning, changing and cancelling (owners and their team), each change
/// audited with the plan before and after in its own transaction, and the reminders the job sends once each.
/// </summary>
public sealed class RetirementService(GovernanceDbContext db, Notifier notifier, TimeProvider clock, IOptions<RetirementOptions> options)
{
    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<PlanView?> GetAsync(string key, string versionText, CancellationToken cancellationToken = default)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return null;
        }
        return (await ViewsAsync(db.RetirementPlans.Where(p => p.VersionId == version.Id), cancellationToken)).SingleOrDefault();
    }

    /// <summary>Plans whose planned date is in [<paramref name="from"/>, <paramref name="to"/>] (either may be open), soonest first.</summary>
    public async Task<IReadOnlyList<PlanView>> ListAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        var query = db.RetirementPlans.AsQueryable();
        if (from is { } f)
        {
            query = query.Where(p => p.PlannedDate >= f);
        }
        if (to is { } t)
        {
            query = query.Where(p => p.PlannedDate <= t);
        }
        return await ViewsAsync(query, cancellationToken);
    }

    /// <summary>
    /// What the upcoming page lists: open plans (scheduled or retiring) dated up to <paramref name="until"/>, overdue ones however old;
    /// soonest first.
    /// </summary>
    public async Task<IReadOnlyList<PlanView>> UpcomingAsync(DateOnly until, CancellationToken cancellationToken = default)
    {
        return await ViewsAsync(db.RetirementPlans.Where(p => p.PlannedDate <= until && (p.State == RetirementState.Scheduled || p.State == RetirementState.Retiring)),
            cancellationToken);
    }

    /// <summary>Versions retired in the last <paramref name="days"/> days, latest first.</summary>
    public async Task<IReadOnlyList<PlanView>> RetiredSinceAsync(int days, CancellationToken cancellationToken = default)
    {
        var since = clock.GetUtcNow().AddDays(-days);
        return (await ViewsAsync(db.RetirementPlans.Where(p => p.State == RetirementState.Retired && p.RetiredAt >= since), cancellationToken))
            .OrderByDescending(p => p.Plan.RetiredAt).ToList();
    }

    /// <summary>Plans for versions of the given models, keyed by version id (for "Production now").</summary>
    public async Task<IReadOnlyDictionary<Guid, PlanView>> ForVersionsAsync(IReadOnlyCollection<Guid> versionIds, CancellationToken cancellationToken = default) =>
        (await ViewsAsync(db.RetirementPlans.Where(p => versionIds.Contains(p.VersionId)), cancellationToken)).ToDictionary(v => v.Plan.VersionId);

    /// <param name="actor">Who the audit names when no request carries them (an interactive page's circuit).</param>
    public async Task<Result<RetirementPlan>> PlanAsync(Caller caller, string key, string versionText, PlanInput input, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        var (version, plan, refused) = await LoadForChangeAsync(caller, key, versionText, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (RetirementRules.WhyCannotChange(plan?.State, version.Stage) is { } settled)
        {
            return new Failure(FailureKind.Conflict, settled);
        }
        var notify = (input.Notify ?? []).Select(n => n.Trim()).Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var hasSuccessor = input.Successor is not null;
        var problems = RetirementRules.Problems(input.PlannedDate, Today, input.Reason, hasSuccessor, input.NoSuccessorReason, input.Note, notify);
        ModelVersion? successor = null;
        if (input.Successor is { } named)
        {
            successor = named.Model is null || named.Version is null ? null : await FindVersionAsync(named.Model, named.Version, cancellationToken);
            var problem = successor is null ? $"No registered version '{named.Model} {named.Version}'; name a registered model and version."
                : successor.Id == version.Id ? "A version cannot succeed itself."
                : successor.Stage is Stage.Retired or Stage.Archived ? $"{named.Model} {named.Version} is {successor.Stage}; a successor must be able to take over."
                : null;
            if (problem is not null)
            {
                problems["successor"] = [problem];
            }
        }
        var known = notify.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => notify.Contains(u.Username)).Select(u => u.Username).ToListAsync(cancellationToken);
        var unknown = notify.Where(n => !known.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            problems["notify"] = [.. problems.GetValueOrDefault("notify") ?? [], $"Not a person the portal knows: {string.Join(", ", unknown)}."];
        }
        if (problems.Count > 0)
        {
            return new Failure(FailureKind.Rule, "The retirement plan was not saved: some fields need attention.", problems);
        }

        var now = clock.GetUtcNow();
        var before = plan is null ? null : Snapshot(plan, await SuccessorNameAsync(plan.SuccessorVersionId, cancellationToken));
        var created = plan is null;
        plan ??= new RetirementPlan { VersionId = version.Id, CreatedBy = caller.Username, CreatedAt = now, UpdatedBy = caller.Username };
        plan.PlannedDate = input.PlannedDate!.Value;
        plan.Reason = input.Reason!.Value;
        plan.SuccessorVersionId = successor?.Id;
        plan.NoSuccessorReason = successor is null ? input.NoSuccessorReason!.Trim() : null;
        plan.Note = input.Note?.Trim() ?? "";
        plan.Notify = string.Join(',', known.Order(StringComparer.Ordinal));
        plan.State = RetirementState.Scheduled;
        plan.CancelReason = null;
        plan.UpdatedBy = caller.Username;
        plan.UpdatedAt = now;
        var after = Snapshot(plan, successor is null ? null : $"{successor.Model.Key} {successor.Number}");
        if (created)
        {
            db.RetirementPlans.Add(plan);
        }
        else if (System.Text.Json.JsonSerializer.Serialize(before) == System.Text.Json.JsonSerializer.Serialize(after))
        {
            return plan;
        }
        else
        {
            plan.Revision++;
        }
        db.Audit.Record(created ? "retirement.planned" : before!.State == nameof(RetirementState.Cancelled) ? "retirement.replanned" : "retirement.changed", plan,
            new { model = key, version = version.Number.ToString(), before, after }, actor);
        return await SaveAsync(plan, cancellationToken);
    }

    public async Task<Result<RetirementPlan>> CancelAsync(Caller caller, string key, string versionText, string? reason, CancellationToken cancellationToken = default,
        Audit.AuditActor? actor = null)
    {
        var (version, plan, refused) = await LoadForChangeAsync(caller, key, versionText, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (plan is null)
        {
            return new Failure(FailureKind.NotFound, $"{key} {version.Number} has no retirement plan.");
        }
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > RetirementRules.MaxReasonLength)
        {
            return new Failure(FailureKind.Rule, "The plan was not cancelled: say why.",
                new() { ["reason"] = [$"Say why the retirement is cancelled (up to {RetirementRules.MaxReasonLength:N0} characters)."] });
        }
        if (RetirementRules.WhyCannotCancel(plan.State) is { } why)
        {
            return new Failure(FailureKind.Conflict, why);
        }
        var successor = await SuccessorNameAsync(plan.SuccessorVersionId, cancellationToken);
        var before = Snapshot(plan, successor);
        plan.State = RetirementRules.Next(plan.State, RetirementEvent.Cancelled)!.Value;
        plan.CancelReason = reason.Trim();
        plan.UpdatedBy = caller.Username;
        plan.UpdatedAt = clock.GetUtcNow();
        plan.Revision++;
        db.Audit.Record("retirement.cancelled", plan, new { model = key, version = version.Number.ToString(), before, after = Snapshot(plan, successor) }, actor);
        notifier.Send(await RecipientsAsync(version.Model, plan, cancellationToken), new("retirement.cancelled",
            $"Retirement cancelled: {version.Model.Name} {version.Number}", $"{caller.Username} cancelled the retirement planned for {plan.PlannedDate:yyyy-MM-dd}: {plan.CancelReason}",
            Link(key, version.Number.ToString())), caller.Username);
        return await SaveAsync(plan, cancellationToken);
    }

    /// <summary>
    /// Sends each reminder that has come and not gone yet (<see cref="RetirementRules.DueReminder"/>), one plan per
    /// transaction: the reminder row, the notifications and the audit event commit together or not at all, and the
    /// row's key refuses a second sending of the same reminder by another instance or a rerun.
    /// </summary>
    public async Task<int> SendDueRemindersAsync(CancellationToken cancellationToken = default)
    {
        var today = Today;
        var horizon = today.AddDays(RetirementRules.DaysBefore.Max());
        var candidates = await db.RetirementPlans.AsNoTracking().Where(p => p.State == RetirementState.Scheduled && p.PlannedDate <= horizon)
            .Select(p => new { p.Id, p.PlannedDate }).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var candidate in candidates)
        {
            if (RetirementRules.DueReminder(candidate.PlannedDate, today) is not { } reminder
                || await db.RetirementReminders.AnyAsync(r => r.PlanId == candidate.Id && r.PlannedDate == candidate.PlannedDate && r.Kind == reminder.Kind, cancellationToken))
            {
                continue;
            }
            if (await SendAsync(candidate.Id, candidate.PlannedDate, reminder, cancellationToken))
            {
                sent++;
            }
        }
        return sent;
    }

    private async Task<bool> SendAsync(Guid planId, DateOnly plannedDate, RetirementReminder reminder, CancellationToken cancellationToken)
    {
        var plan = await db.RetirementPlans.AsNoTracking().Include(p => p.Version).ThenInclude(v => v.Model).SingleAsync(p => p.Id == planId, cancellationToken);
        // Changed or cancelled since it was listed: the next run judges it afresh.
        if (plan.State != RetirementState.Scheduled || plan.PlannedDate != plannedDate)
        {
            return false;
        }
        var model = plan.Version.Model;
        var recipients = await RecipientsAsync(model, plan, cancellationToken);
        var row = new RetirementReminderSent
        {
            PlanId = plan.Id, PlannedDate = plannedDate, Kind = reminder.Kind, SentAt = clock.GetUtcNow(), Recipients = string.Join(',', recipients),
        };
        db.RetirementReminders.Add(row);
        db.Audit.Record("retirement.reminded", row, new { model = model.Key, version = plan.Version.Number.ToString(), plannedDate = plannedDate.ToString("yyyy-MM-dd"),
            reminder = reminder.Kind, recipients });
        var successor = await SuccessorNameAsync(plan.SuccessorVersionId, cancellationToken);
        notifier.Send(recipients, new("retirement.reminder", $"Retirement {reminder.Describe}: {model.Name} {plan.Version.Number}",
            $"{model.Name} {plan.Version.Number} is planned to retire on {plannedDate:yyyy-MM-dd} ({Describe(plan.Reason)}). "
            + (successor is null ? $"No successor: {plan.NoSuccessorReason}" : $"Successor: {successor}.")
            + " Sign off the decommission checklist and request the decommission from the version's page.",
            Link(model.Key, plan.Version.Number.ToString())));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another instance, or an earlier run, sent this reminder first.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>
    /// Moves the version's plan along with its decommission request, in the request's unit of work (saved with it): open
    /// makes it Retiring, approval Retired (with the retention end date), any other end Scheduled again. Audited with before and after.
    /// </summary>
    public async Task FollowDecommissionAsync(Guid versionId, RetirementEvent @event, string actor, CancellationToken cancellationToken)
    {
        var plan = await db.RetirementPlans.Include(p => p.Version).ThenInclude(v => v.Model).SingleOrDefaultAsync(p => p.VersionId == versionId, cancellationToken);
        if (plan is null || RetirementRules.Next(plan.State, @event) is not { } next)
        {
            return;
        }
        var successor = await SuccessorNameAsync(plan.SuccessorVersionId, cancellationToken);
        var before = Snapshot(plan, successor);
        var now = clock.GetUtcNow();
        plan.State = next;
        plan.UpdatedBy = actor;
        plan.UpdatedAt = now;
        plan.Revision++;
        if (next == RetirementState.Retired)
        {
            var model = plan.Version.Model;
            (plan.RetentionUntil, plan.RetentionBasis) = RetirementRules.RetentionEnd(DateOnly.FromDateTime(now.UtcDateTime), model.RiskTier, model.DataCategories,
                options.Value.DefaultRetentionYears);
            plan.RetiredAt = now;
        }
        db.Audit.Record(next switch
        {
            RetirementState.Retiring => "retirement.decommission-requested",
            RetirementState.Retired => "retirement.retired",
            _ => "retirement.decommission-ended",
        }, plan, new { model = plan.Version.Model.Key, version = plan.Version.Number.ToString(), before, after = Snapshot(plan, successor),
            retentionUntil = plan.RetentionUntil?.ToString("yyyy-MM-dd"), retentionBasis = plan.RetentionBasis });
    }

    public static string Link(string key, string version) => $"/models/{key}/versions/{version}/retirement";

    public static string Describe(RetirementReason reason) => reason switch
    {
        RetirementReason.Superseded => "superseded",
        RetirementReason.Underperforming => "underperforming",
        RetirementReason.Regulatory => "regulatory",
        RetirementReason.BusinessChange => "business change",
        _ => "other",
    };

    private async Task<IReadOnlyList<string>> RecipientsAsync(Model model, RetirementPlan plan, CancellationToken cancellationToken)
    {
        var people = new List<string> { model.Owner };
        // The business owner is free text; they are told when it names a person the portal knows.
        if (model.BusinessOwner.Length > 0 && await db.Users.AnyAsync(u => u.Username == model.BusinessOwner, cancellationToken))
        {
            people.Add(model.BusinessOwner);
        }
        people.AddRange(plan.NotifyList);
        return people.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private async Task<Result<RetirementPlan>> SaveAsync(RetirementPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return plan;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "Someone changed this retirement plan at the same moment; reload it and try again.");
        }
    }

    private async Task<string?> SuccessorNameAsync(Guid? id, CancellationToken cancellationToken) => id is null ? null
        : await db.ModelVersions.AsNoTracking().Where(v => v.Id == id).Select(v => v.Model.Key + " " + v.Major + "." + v.Minor + "." + v.Pipeline)
            .SingleAsync(cancellationToken);

    /// <summary>The plan as the successor gate of a decommissioning reads it; null when there is none or it was cancelled.</summary>
    public async Task<Approvals.RetirementCandidate?> CandidateAsync(Guid versionId, CancellationToken cancellationToken)
    {
        var plan = await db.RetirementPlans.AsNoTracking().Where(p => p.VersionId == versionId && p.State != RetirementState.Cancelled)
            .Select(p => new { p.NoSuccessorReason, p.SuccessorVersionId, SuccessorStage = p.Successor == null ? (Stage?)null : p.Successor.Stage })
            .SingleOrDefaultAsync(cancellationToken);
        return plan is null ? null
            : new Approvals.RetirementCandidate(await SuccessorNameAsync(plan.SuccessorVersionId, cancellationToken), plan.SuccessorStage, plan.NoSuccessorReason);
    }

    internal static PlanSnapshot Snapshot(RetirementPlan plan, string? successor) => new(plan.PlannedDate.ToString("yyyy-MM-dd"), plan.Reason.ToString(), successor,
        plan.NoSuccessorReason, plan.Note, plan.NotifyList, plan.State.ToString(), plan.CancelReason);

    // The version (with its model) and its tracked plan, when the caller may plan for it.
    private async Task<(ModelVersion Version, RetirementPlan? Plan, Failure? Refused)> LoadForChangeAsync(Caller caller, string key, string versionText,
        CancellationToken cancellationToken)
    {
        var version = await FindVersionAsync(key, versionText, cancellationToken);
        if (version is null)
        {
            return (null!, null, new Failure(FailureKind.NotFound, $"Model '{key}' has no version '{versionText}'."));
        }
        if (RetirementRules.WhyCannotPlan(caller, version.Model.Owner, version.Model.Team) is { } refusal)
        {
            return (version, null, new Failure(FailureKind.Forbidden, refusal));
        }
        return (version, await db.RetirementPlans.SingleOrDefaultAsync(p => p.VersionId == version.Id, cancellationToken), null);
    }

    private Task<ModelVersion?> FindVersionAsync(string key, string versionText, CancellationToken cancellationToken, bool tracked = false)
    {
        if (!VersionNumber.TryParse(versionText, out var number))
        {
            return Task.FromResult<ModelVersion?>(null);
        }
        var (major, minor, pipeline) = (number.Value.Major, number.Value.Minor, number.Value.Pipeline);
        return (tracked ? db.ModelVersions : db.ModelVersions.AsNoTracking()).Include(v => v.Model)
            .SingleOrDefaultAsync(v => v.Model.Key == key && v.Major == major && v.Minor == minor && v.Pipeline == pipeline, cancellationToken);
    }

    private async Task<IReadOnlyList<PlanView>> ViewsAsync(IQueryable<RetirementPlan> plans, CancellationToken cancellationToken)
    {
        var today = Today;
        var rows = await plans.AsNoTracking()
            .Select(p => new
            {
                Plan = p,
                p.Version.Model.Key, p.Version.Model.Name, p.Version.Major, p.Version.Minor, p.Version.Pipeline,
                p.Version.Model.Owner, p.Version.Model.Team, p.Version.Model.RiskTier, p.Version.Stage,
                SuccessorKey = p.Successor == null ? null : p.Successor.Model.Key,
                SuccessorMajor = p.Successor == null ? 0 : p.Successor.Major,
                SuccessorMinor = p.Successor == null ? 0 : p.Successor.Minor,
                SuccessorPipeline = p.Successor == null ? 0 : p.Successor.Pipeline,
                SuccessorStage = p.Successor == null ? (Stage?)null : p.Successor.Stage,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new PlanView(r.Plan, r.Key, r.Name, new VersionNumber(r.Major, r.Minor, r.Pipeline).ToString(), r.Owner, r.Team, r.RiskTier, r.Stage,
                r.SuccessorKey, r.SuccessorKey is null ? null : new VersionNumber(r.SuccessorMajor, r.SuccessorMinor, r.SuccessorPipeline).ToString(), r.SuccessorStage,
                RetirementRules.StatusOf(r.Plan.State, r.Plan.PlannedDate, today)))
            .OrderBy(v => v.Plan.PlannedDate).ThenBy(v => v.ModelKey, StringComparer.Ordinal).ToList();
    }
}
