using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Reviews;

/// <summary>
/// Where a model's periodic review stands today: the version in Production it is about, the policy that schedules it, when
/// the cycle started and when the review falls due, and the review row for that date when the owner has answered.
/// </summary>
public sealed record ReviewStanding(Guid ModelId, string ModelKey, string ModelName, string Owner, string Team, string BusinessOwner, RiskTier RiskTier,
    Guid VersionId, string Version, ReviewPolicy Policy, DateOnly CycleStart, DateOnly DueDate, ReviewStatus Status, DateTimeOffset? LastReviewedAt,
    PeriodicReview? Current)
{
    public IReadOnlyList<ReviewAnswer> Answers => Current is null ? [] : ReviewService.ReadAnswers(Current.AnswersJson);

    /// <summary>"upcoming", "due" or "overdue", as the API and lists write it.</summary>
    public string StatusName => JsonNamingPolicy.CamelCase.ConvertName(Status.ToString());
}

/// <summary>
/// Periodic reviews for pages and API alike (issue 15, item 4): schedules from the review policy and the Production history,
/// the owner's answers, an officer's sign-off or return, the reminders, and the gate a blocking policy adds to promotions.
/// Each change is saved with its audit event and notifications in one transaction.
/// </summary>
public sealed class ReviewService(GovernanceDbContext db, ReviewPolicyStore policies, Notifier notifier, TimeProvider clock) : IReviewCandidates
{
    public const string NotificationKind = "review.due";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public static string Link(string key) => $"/models/{key}/review";

    public static IReadOnlyList<ReviewAnswer> ReadAnswers(string json) => JsonSerializer.Deserialize<List<ReviewAnswer>>(json, Json) ?? [];

    /// <summary>Every model with a version in Production whose tier's policy schedules reviews, soonest due first.</summary>
    public async Task<IReadOnlyList<ReviewStanding>> StandingsAsync(CancellationToken cancellationToken = default) =>
        await StandingsAsync(null, cancellationToken);

    public async Task<ReviewStanding?> StandingAsync(string key, CancellationToken cancellationToken = default)
    {
        var id = await db.Models.AsNoTracking().Where(m => m.Key == key).Select(m => (Guid?)m.Id).SingleOrDefaultAsync(cancellationToken);
        return id is null ? null : (await StandingsAsync([id.Value], cancellationToken)).SingleOrDefault();
    }

    /// <summary>Signed-off and returned reviews of the model, newest first.</summary>
    public async Task<IReadOnlyList<(PeriodicReview Review, string Version)>> HistoryAsync(string key, CancellationToken cancellationToken = default)
    {
        var rows = await db.Set<PeriodicReview>().AsNoTracking().Where(r => r.Model.Key == key)
            .Select(r => new { Review = r, r.Version.Major, r.Version.Minor, r.Version.Pipeline }).ToListAsync(cancellationToken);
        return rows.OrderByDescending(r => r.Review.AnsweredAt).Select(r => (r.Review, new VersionNumber(r.Major, r.Minor, r.Pipeline).ToString())).ToList();
    }

    private async Task<IReadOnlyList<ReviewStanding>> StandingsAsync(IReadOnlyCollection<Guid>? modelIds, CancellationToken cancellationToken)
    {
        var query = db.ModelVersions.AsNoTracking().Include(v => v.Model).Where(v => v.Stage == Stage.Production);
        if (modelIds is not null)
        {
            query = query.Where(v => modelIds.Contains(v.ModelId));
        }
        // Several versions may run side by side (a Minimal-risk policy allows it): the highest number is the one reviewed.
        var champions = (await query.ToListAsync(cancellationToken)).GroupBy(v => v.ModelId).Select(g => g.MaxBy(v => v.Number)!).ToList();
        if (champions.Count == 0)
        {
            return [];
        }
        var byTier = (await policies.CurrentAllAsync(cancellationToken)).ToDictionary(p => p.RiskTier, p => p.Policy());
        var ids = champions.Select(v => v.ModelId).ToList();
        var reviews = await db.Set<PeriodicReview>().AsNoTracking().Where(r => ids.Contains(r.ModelId)).ToListAsync(cancellationToken);
        var today = Today;
        var standings = new List<ReviewStanding>();
        foreach (var version in champions)
        {
            if (!byTier.TryGetValue(version.Model.RiskTier, out var policy) || policy.IntervalMonths is not { } interval)
            {
                continue;
            }
            var cycleStart = await CycleStartAsync(version, cancellationToken);
            var mine = reviews.Where(r => r.ModelId == version.ModelId).ToList();
            var signedOff = mine.Where(r => r.State == PeriodicReviewState.SignedOff).ToList();
            DateOnly? lastInCycle = signedOff.Where(r => r.CycleStart == cycleStart).Select(r => (DateOnly?)DateOnly.FromDateTime(r.DecidedAt!.Value.UtcDateTime)).Max();
            var due = ReviewRules.DueDate(cycleStart, lastInCycle, interval);
            standings.Add(new ReviewStanding(version.ModelId, version.Model.Key, version.Model.Name, version.Model.Owner, version.Model.Team, version.Model.BusinessOwner,
                version.Model.RiskTier, version.Id, version.Number.ToString(), policy, cycleStart, due, ReviewRules.StatusOf(due, today),
                signedOff.Select(r => r.DecidedAt).Max(), mine.FirstOrDefault(r => r.DueDate == due && r.State != PeriodicReviewState.SignedOff)));
        }
        return standings.OrderBy(s => s.DueDate).ThenBy(s => s.ModelKey, StringComparer.Ordinal).ToList();
    }

    // The Production history in commit order; a version put there without an approval on record counts from its stage change.
    private async Task<DateOnly> CycleStartAsync(ModelVersion champion, CancellationToken cancellationToken)
    {
        var history = await ProductionHistory.OfModelAsync(db, champion.ModelId, cancellationToken);
        var versionIds = history.Select(h => h.VersionId).Distinct().ToList();
        var majors = await db.ModelVersions.AsNoTracking().Where(v => versionIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, v => v.Major, cancellationToken);
        var entries = history.Select(h => new ProductionEntry(majors[h.VersionId], h.At)).ToList();
        if (history.Count == 0 || history[^1].VersionId != champion.Id && champion.StageChangedAt > history[^1].At)
        {
            entries.Add(new ProductionEntry(champion.Major, champion.StageChangedAt));
        }
        return ReviewRules.CycleStart(entries)!.Value;
    }

    /// <summary>The owner's answers for the review now due of the model's version in Production; answering again before a decision replaces them.</summary>
    public async Task<Result<PeriodicReview>> AnswerAsync(Caller caller, string key, string versionText, IReadOnlyList<ReviewAnswer>? answers,
        CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var (standing, refused) = await LoadAsync(key, versionText, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (ReviewRules.WhyCannotAnswer(caller, standing!.Owner, standing.Team) is { } why)
        {
            return new Failure(FailureKind.Forbidden, why);
        }
        var problems = ReviewRules.Problems(answers);
        if (problems.Count > 0)
        {
            return new Failure(FailureKind.Rule, "The review was not saved: some answers need attention.", problems);
        }
        var clean = ReviewRules.Questions.Select(q => answers!.Last(a => a.Question == q.Id)).Select(a => a with { Comment = a.Comment!.Trim() }).ToList();
        var now = clock.GetUtcNow();
        var review = standing.Current is { } current ? await db.Set<PeriodicReview>().SingleAsync(r => r.Id == current.Id, cancellationToken) : null;
        var before = review is null ? null : new { state = review.State.ToString(), answers = ReadAnswers(review.AnswersJson), review.AnsweredBy };
        if (review is null)
        {
            review = new PeriodicReview
            {
                ModelId = standing.ModelId, VersionId = standing.VersionId, CycleStart = standing.CycleStart, DueDate = standing.DueDate, PolicyVersion = standing.Policy.Version,
                AnswersJson = "", AnsweredBy = caller.Username,
            };
            db.Set<PeriodicReview>().Add(review);
        }
        else
        {
            review.Revision++;
        }
        review.VersionId = standing.VersionId;
        review.State = PeriodicReviewState.Answered;
        review.AnswersJson = JsonSerializer.Serialize(clean, Json);
        review.AnsweredBy = caller.Username;
        review.AnsweredAt = now;
        review.DecidedBy = null;
        review.DecidedAt = null;
        review.DecisionComment = null;
        var concerns = ReviewRules.Concerns(clean);
        db.Audit.Record("review.answered", review, new
        {
            model = key, version = standing.Version, dueDate = standing.DueDate.ToString("yyyy-MM-dd"), status = standing.StatusName, policyVersion = standing.Policy.Version,
            before, answers = clean, concerns = concerns.Select(c => c.Id),
        }, actor);
        var officers = (await notifier.PeopleWithRoleAsync(Roles.ComplianceOfficer, cancellationToken))
            .Where(o => ReviewRules.WhyCannotDecide(o, caller.Username, standing.Owner) is null).Select(o => o.Username);
        notifier.Send(officers, new(NotificationKind, $"Periodic review to sign off: {standing.ModelName} {standing.Version}",
            $"{caller.Username} answered the periodic review due on {standing.DueDate:yyyy-MM-dd}"
            + (concerns.Count == 0 ? "; every answer is reassuring." : $"; {concerns.Count} answer(s) need attention: {string.Join(", ", concerns.Select(c => c.Id))}."),
            Link(key)), caller.Username);
        return await SaveAsync(review, cancellationToken);
    }

    /// <summary>An officer signs the answered review off (the next one falls due one interval later) or returns it to the owner with a comment.</summary>
    public async Task<Result<PeriodicReview>> DecideAsync(Caller caller, string key, string versionText, bool signOff, string? comment,
        CancellationToken cancellationToken = default, Audit.AuditActor? actor = null)
    {
        var (standing, refused) = await LoadAsync(key, versionText, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }
        if (standing!.Current is not { State: PeriodicReviewState.Answered } current)
        {
            return new Failure(FailureKind.Conflict, standing.Current is null
                ? $"The review of {standing.ModelName} due on {standing.DueDate:yyyy-MM-dd} has not been answered yet."
                : "This review was returned to its owner; it can be decided once they answer again.");
        }
        if (ReviewRules.WhyCannotDecide(caller, current.AnsweredBy, standing.Owner) is { } why)
        {
            return new Failure(FailureKind.Forbidden, why);
        }
        if (comment?.Trim().Length > ReviewRules.MaxCommentLength || !signOff && string.IsNullOrWhiteSpace(comment))
        {
            return new Failure(FailureKind.Rule, signOff ? "The comment is too long." : "Say what the owner should look at again.",
                new() { ["comment"] = [signOff ? $"Up to {ReviewRules.MaxCommentLength:N0} characters." : "Say what the owner should look at again."] });
        }
        var review = await db.Set<PeriodicReview>().SingleAsync(r => r.Id == current.Id, cancellationToken);
        var now = clock.GetUtcNow();
        review.State = signOff ? PeriodicReviewState.SignedOff : PeriodicReviewState.Returned;
        review.DecidedBy = caller.Username;
        review.DecidedAt = now;
        review.DecisionComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        review.Revision++;
        var next = signOff ? ReviewRules.DueDate(standing.CycleStart, DateOnly.FromDateTime(now.UtcDateTime), standing.Policy.IntervalMonths!.Value) : (DateOnly?)null;
        db.Audit.Record(signOff ? "review.signed-off" : "review.returned", review, new
        {
            model = key, version = standing.Version, dueDate = standing.DueDate.ToString("yyyy-MM-dd"), answeredBy = review.AnsweredBy, comment = review.DecisionComment,
            nextDueDate = next?.ToString("yyyy-MM-dd"),
        }, actor);
        await notifier.SettleAsync(Link(key), cancellationToken);
        notifier.Send([standing.Owner, review.AnsweredBy], new(NotificationKind,
            signOff ? $"Periodic review signed off: {standing.ModelName} {standing.Version}" : $"Periodic review returned: {standing.ModelName} {standing.Version}",
            signOff ? $"{caller.Username} signed off the review due on {standing.DueDate:yyyy-MM-dd}; the next is due on {next:yyyy-MM-dd}."
                : $"{caller.Username} returned the review due on {standing.DueDate:yyyy-MM-dd}: {review.DecisionComment}",
            Link(key)), caller.Username);
        return await SaveAsync(review, cancellationToken);
    }

    /// <summary>
    /// Sends each review reminder that has come (<see cref="ReviewRules.DueReminder"/>), one model per transaction; the
    /// reminder row's key refuses a second sending by another instance or a rerun. Answered reviews are not chased before their date.
    /// </summary>
    public async Task<int> SendDueRemindersAsync(CancellationToken cancellationToken = default)
    {
        var today = Today;
        var sent = 0;
        foreach (var standing in await StandingsAsync(cancellationToken))
        {
            if (ReviewRules.DueReminder(standing.DueDate, today) is not { } reminder
                || standing.Current?.State == PeriodicReviewState.Answered && !reminder.Overdue
                || await db.Set<ReviewReminderSent>().AnyAsync(r => r.ModelId == standing.ModelId && r.DueDate == standing.DueDate && r.Kind == reminder.Kind, cancellationToken))
            {
                continue;
            }
            var recipients = new List<string> { standing.Owner };
            if (standing.BusinessOwner.Length > 0 && await db.Users.AnyAsync(u => u.Username == standing.BusinessOwner, cancellationToken))
            {
                recipients.Add(standing.BusinessOwner);
            }
            if (reminder.Overdue)
            {
                recipients.AddRange((await notifier.PeopleWithRoleAsync(Roles.ComplianceOfficer, cancellationToken)).Select(o => o.Username));
            }
            recipients = recipients.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var row = new ReviewReminderSent
            {
                ModelId = standing.ModelId, DueDate = standing.DueDate, Kind = reminder.Kind, SentAt = clock.GetUtcNow(), Recipients = string.Join(',', recipients),
            };
            db.Set<ReviewReminderSent>().Add(row);
            db.Audit.Record("review.reminded", row, new
            {
                model = standing.ModelKey, version = standing.Version, dueDate = standing.DueDate.ToString("yyyy-MM-dd"), reminder = reminder.Kind, recipients,
            });
            notifier.Send(recipients, new(NotificationKind, $"Periodic review {reminder.Describe}: {standing.ModelName} {standing.Version}",
                $"The periodic review of {standing.ModelName} ({standing.RiskTier} risk, every {standing.Policy.IntervalMonths} months) is {reminder.Describe}. "
                + (standing.Current?.State == PeriodicReviewState.Answered ? "It was answered and waits for a compliance officer's sign-off."
                    : "The owner answers the assessment on the model's review page; a compliance officer signs it off."),
                Link(standing.ModelKey)));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                sent++;
            }
            catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
            {
                // Another instance, or an earlier run, sent this reminder first.
                db.ChangeTracker.Clear();
            }
        }
        return sent;
    }

    /// <summary>For the promotion gates: the model's review when its policy blocks promotions while overdue.</summary>
    public async Task<PeriodicReviewCandidate?> ForAsync(Guid modelId, CancellationToken cancellationToken)
    {
        var standing = (await StandingsAsync([modelId], cancellationToken)).SingleOrDefault();
        return standing is { Policy.BlocksPromotionsWhenOverdue: true }
            ? new PeriodicReviewCandidate(standing.DueDate, standing.Status == ReviewStatus.Overdue, standing.Policy.Version)
            : null;
    }

    private async Task<(ReviewStanding? Standing, Failure? Refused)> LoadAsync(string key, string versionText, CancellationToken cancellationToken)
    {
        var version = await RegistryQueries.FindVersionAsync(db, key, versionText, cancellationToken);
        if (version is null)
        {
            return (null, new Failure(FailureKind.NotFound, $"Model '{key}' has no version '{versionText}'."));
        }
        var standing = await StandingAsync(key, cancellationToken);
        if (standing is null)
        {
            return (null, new Failure(FailureKind.Conflict, $"{key} has no periodic review: no version is in Production, or its risk tier's policy schedules none."));
        }
        if (standing.VersionId != version.Id)
        {
            return (null, new Failure(FailureKind.Conflict, $"The periodic review is of {key} {standing.Version}, the version in Production, not {versionText}."));
        }
        return (standing, null);
    }

    private async Task<Result<PeriodicReview>> SaveAsync(PeriodicReview review, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return review;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return new Failure(FailureKind.Conflict, "Someone changed this review at the same moment; reload it and try again.");
        }
    }
}
