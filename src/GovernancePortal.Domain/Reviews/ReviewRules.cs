using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Reviews;

/// <summary>
/// How often a model of one risk tier is reviewed once in Production (issue 15, item 4; ADR-026). Null interval: never
/// (a prohibited practice is switched off, not reviewed). <see cref="BlocksPromotionsWhenOverdue"/> makes an overdue review a gate.
/// </summary>
public sealed record ReviewPolicy(RiskTier RiskTier, int Version, int? IntervalMonths, bool BlocksPromotionsWhenOverdue);

public static class ReviewPolicies
{
    public const int MaxIntervalMonths = 120;

    /// <summary>Version 1 of every tier, seeded by migrate: SR 11-7 scales periodic review to model risk.</summary>
    public static IReadOnlyList<ReviewPolicy> Defaults { get; } =
    [
        new(RiskTier.Minimal, 1, 36, false),
        new(RiskTier.Limited, 1, 24, false),
        new(RiskTier.High, 1, 12, true),
        new(RiskTier.Prohibited, 1, null, false),
    ];

    /// <summary>What is wrong with an edit, by field; empty when it may be saved.</summary>
    public static Dictionary<string, string[]> Problems(RiskTier tier, int? intervalMonths, string? changeNote)
    {
        var problems = new Dictionary<string, string[]>();
        if (tier == RiskTier.Prohibited && intervalMonths is not null)
        {
            problems["intervalMonths"] = ["A prohibited practice is switched off, not reviewed: leave the interval empty."];
        }
        else if (intervalMonths is < 1 or > MaxIntervalMonths)
        {
            problems["intervalMonths"] = [$"Give an interval of 1 to {MaxIntervalMonths} months, or none."];
        }
        if (string.IsNullOrWhiteSpace(changeNote) || changeNote.Trim().Length > 500)
        {
            problems["changeNote"] = ["Say why the review policy changes (up to 500 characters)."];
        }
        return problems;
    }
}

/// <summary>Where a model's periodic review stands on a day: not yet in its window, due within it, or past its date.</summary>
public enum ReviewStatus
{
    Upcoming = 0,
    Due = 1,
    Overdue = 2,
}

/// <summary>A review row: answered by the owner and waiting, returned by an officer for another answer, or signed off.</summary>
public enum PeriodicReviewState
{
    Answered = 0,
    Returned = 1,
    SignedOff = 2,
}

/// <summary>One question of the assessment; <see cref="Reassuring"/> is the answer that needs no follow-up.</summary>
public sealed record ReviewQuestion(string Id, string Text, bool Reassuring);

/// <summary>An answer as given: yes or no, and a comment saying what it rests on.</summary>
public sealed record ReviewAnswer(string Question, bool? Answer, string? Comment);

/// <summary>A time a version of the model entered Production, in commit order; <see cref="Major"/> is its version's MAJOR.</summary>
public sealed record ProductionEntry(int Major, DateTimeOffset At);

/// <summary>A reminder of a review: 30 days before, on the day, or the Nth week overdue.</summary>
public sealed record ReviewReminder(string Kind, bool Overdue, string Describe);

/// <summary>The periodic review cycle, assessment and sign-off rules. Pure: no clock, no I/O.</summary>
public static class ReviewRules
{
    public const int MaxCommentLength = 2000;

    /// <summary>Days before its date a review counts as due (and its first reminder goes).</summary>
    public const int DueWindowDays = 30;

    public static readonly IReadOnlyList<ReviewQuestion> Questions =
    [
        new("thresholds-met", "Are the model's metric thresholds still met in production?", true),
        new("drift-seen", "Has data or concept drift been seen since the last review?", false),
        new("incidents", "Were there incidents, complaints or overrides caused by the model?", false),
        new("use-unchanged", "Is the model still used only for its documented purpose and population?", true),
        new("card-accurate", "Is the model card still accurate?", true),
    ];

    /// <summary>
    /// The day the current cycle started: the first entry into Production of the run of entries, up to now, whose versions
    /// share the MAJOR of the last one. A new MAJOR reaching Production starts a new run, and so a new cycle. Null without entries.
    /// </summary>
    public static DateOnly? CycleStart(IReadOnlyList<ProductionEntry> entriesInCommitOrder)
    {
        ArgumentNullException.ThrowIfNull(entriesInCommitOrder);
        if (entriesInCommitOrder.Count == 0)
        {
            return null;
        }
        var major = entriesInCommitOrder[^1].Major;
        var first = entriesInCommitOrder.Count - 1;
        while (first > 0 && entriesInCommitOrder[first - 1].Major == major)
        {
            first--;
        }
        return DateOnly.FromDateTime(entriesInCommitOrder[first].At.UtcDateTime);
    }

    /// <summary>One interval after the cycle started, or after the latest review signed off in this cycle.</summary>
    public static DateOnly DueDate(DateOnly cycleStart, DateOnly? lastSignedOff, int intervalMonths) =>
        (lastSignedOff is { } last && last >= cycleStart ? last : cycleStart).AddMonths(intervalMonths);

    public static ReviewStatus StatusOf(DateOnly dueDate, DateOnly today) =>
        today > dueDate ? ReviewStatus.Overdue : today >= dueDate.AddDays(-DueWindowDays) ? ReviewStatus.Due : ReviewStatus.Upcoming;

    /// <summary>Every question answered yes or no with a comment; by question id, empty when complete.</summary>
    public static Dictionary<string, string[]> Problems(IReadOnlyList<ReviewAnswer>? answers)
    {
        var problems = new Dictionary<string, string[]>();
        var given = (answers ?? []).Where(a => a.Question is not null).GroupBy(a => a.Question, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last());
        foreach (var unknown in given.Keys.Where(k => Questions.All(q => q.Id != k)))
        {
            problems[unknown] = [$"There is no question '{unknown}'; the questions are {string.Join(", ", Questions.Select(q => q.Id))}."];
        }
        foreach (var question in Questions)
        {
            if (!given.TryGetValue(question.Id, out var answer) || answer.Answer is null)
            {
                problems[question.Id] = ["Answer yes or no."];
            }
            else if (string.IsNullOrWhiteSpace(answer.Comment) || answer.Comment.Trim().Length > MaxCommentLength)
            {
                problems[question.Id] = [$"Say what the answer rests on (up to {MaxCommentLength:N0} characters)."];
            }
        }
        return problems;
    }

    /// <summary>The answers that need an officer's attention: the ones that are not reassuring.</summary>
    public static IReadOnlyList<ReviewQuestion> Concerns(IReadOnlyList<ReviewAnswer> answers) =>
        Questions.Where(q => answers.FirstOrDefault(a => a.Question == q.Id) is { Answer: { } answer } && answer != q.Reassuring).ToList();

    /// <summary>Null when the caller may answer the review of this model: its owner and their team.</summary>
    public static string? WhyCannotAnswer(Caller caller, string modelOwner, string modelTeam)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Has(Roles.ModelOwner))
        {
            return "Only the model's owner and their team answer its periodic review.";
        }
        return RegistryRules.WhyCannotEdit(caller, modelOwner, modelTeam) is null
            ? null
            : $"This model belongs to {modelOwner} ({modelTeam}); only its owner and their team answer its periodic review.";
    }

    /// <summary>Null when the caller may sign off or return answers given by <paramref name="answeredBy"/>: an officer who did not answer them.</summary>
    public static string? WhyCannotDecide(Caller caller, string answeredBy, string modelOwner)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Has(Roles.ComplianceOfficer))
        {
            return "Only a compliance officer signs off or returns a periodic review.";
        }
        if (string.Equals(caller.Username, answeredBy, StringComparison.OrdinalIgnoreCase)
            || string.Equals(caller.Username, modelOwner, StringComparison.OrdinalIgnoreCase))
        {
            return "Separation of duties: the person who answered the review, or who owns the model, cannot sign it off.";
        }
        return null;
    }

    /// <summary>
    /// The reminder due for a review dated <paramref name="dueDate"/> on <paramref name="today"/>: 30 days before, on the day,
    /// then weekly while overdue. Later steps supersede earlier ones a job run missed; null before the first.
    /// </summary>
    public static ReviewReminder? DueReminder(DateOnly dueDate, DateOnly today)
    {
        var days = today.DayNumber - dueDate.DayNumber;
        return days switch
        {
            < -DueWindowDays => null,
            < 0 => new($"due-in-{DueWindowDays}", false, $"due on {dueDate:yyyy-MM-dd}"),
            0 => new("due", false, "due today"),
            < 7 => new("due", true, $"overdue since {dueDate:yyyy-MM-dd}"),
            _ => new($"overdue-week-{days / 7}", true, $"overdue since {dueDate:yyyy-MM-dd}"),
        };
    }
}
