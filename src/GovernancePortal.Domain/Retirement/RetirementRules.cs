using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Retirement;

/// <summary>Why a version is being retired (issue 15, item 1).</summary>
public enum RetirementReason
{
    Superseded = 0,
    Underperforming = 1,
    Regulatory = 2,
    BusinessChange = 3,
    Other = 4,
}

/// <summary>
/// What is stored of a plan. Due and overdue are not stored: they follow from the planned date and today
/// (<see cref="RetirementRules.StatusOf"/>), so no job has to move a plan into them.
/// </summary>
public enum RetirementState
{
    Scheduled = 0,
    /// <summary>A decommission request (a stage request to Retired) is open.</summary>
    Retiring = 1,
    Retired = 2,
    Cancelled = 3,
}

/// <summary>Where a plan stands on a given day, as lists and the API show it.</summary>
public enum RetirementStatus
{
    Scheduled = 0,
    Due = 1,
    Overdue = 2,
    Retiring = 3,
    Retired = 4,
    Cancelled = 5,
}

/// <summary>What happens to a plan: the decommission request opens, is approved, or ends without approval; the owner cancels.</summary>
public enum RetirementEvent
{
    DecommissionRequested = 0,
    DecommissionApproved = 1,
    DecommissionEnded = 2,
    Cancelled = 3,
}

/// <summary>A reminder of a plan: one of the fixed ones before the date, on the day, or the Nth weekly one while overdue.</summary>
public sealed record RetirementReminder(string Kind, DateOnly DueOn, string Describe);

/// <summary>The retirement plan state machine and reminder schedule. Pure: no clock, no I/O.</summary>
public static class RetirementRules
{
    public const int MaxNoteLength = 2000;
    public const int MaxReasonLength = 1000;
    public const int MaxNotify = 20;

    /// <summary>Days before the planned date on which the people concerned are reminded.</summary>
    public static readonly IReadOnlyList<int> DaysBefore = [90, 30, 7];

    public static RetirementStatus StatusOf(RetirementState state, DateOnly plannedDate, DateOnly today) => state switch
    {
        RetirementState.Retiring => RetirementStatus.Retiring,
        RetirementState.Retired => RetirementStatus.Retired,
        RetirementState.Cancelled => RetirementStatus.Cancelled,
        _ when today < plannedDate => RetirementStatus.Scheduled,
        _ when today == plannedDate => RetirementStatus.Due,
        _ => RetirementStatus.Overdue,
    };

    /// <summary>The state after <paramref name="event"/>, or null when it cannot happen in <paramref name="state"/>.</summary>
    public static RetirementState? Next(RetirementState state, RetirementEvent @event) => (state, @event) switch
    {
        (RetirementState.Scheduled, RetirementEvent.DecommissionRequested) => RetirementState.Retiring,
        (RetirementState.Retiring, RetirementEvent.DecommissionApproved) => RetirementState.Retired,
        (RetirementState.Retiring, RetirementEvent.DecommissionEnded) => RetirementState.Scheduled,
        (RetirementState.Scheduled, RetirementEvent.Cancelled) => RetirementState.Cancelled,
        _ => null,
    };

    /// <summary>A plan still open: it can be changed, cancelled and reminded of.</summary>
    public static bool IsOpen(RetirementState state) => state is RetirementState.Scheduled or RetirementState.Retiring;

    /// <summary>Null when the caller may plan, change or cancel the retirement of a version of this model: its owner and their team.</summary>
    public static string? WhyCannotPlan(Caller caller, string modelOwner, string modelTeam)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.Has(Roles.ModelOwner))
        {
            return "Only the model's owner and their team plan its retirement.";
        }
        return RegistryRules.WhyCannotEdit(caller, modelOwner, modelTeam) is null
            ? null
            : $"This model belongs to {modelOwner} ({modelTeam}); only its owner and their team plan its retirement.";
    }

    /// <summary>Null when a plan in <paramref name="state"/> for a version in <paramref name="stage"/> may be made or changed; otherwise why not.</summary>
    public static string? WhyCannotChange(RetirementState? state, Stage stage)
    {
        if (stage is Stage.Retired or Stage.Archived)
        {
            return $"This version is {stage}; its retirement is settled.";
        }
        return state switch
        {
            RetirementState.Retiring => "A decommission request is open for this version; withdraw it before changing the plan.",
            RetirementState.Retired => "This version is retired; its plan is settled.",
            _ => null,
        };
    }

    /// <summary>
    /// Null while a version's card, checklists and evidence may change; once it is retired they are the record of what
    /// was decommissioned, kept as they were for the retention period.
    /// </summary>
    public static string? WhyFrozen(Stage stage, string model, VersionNumber version) => stage is Stage.Retired or Stage.Archived
        ? $"{model} {version} is {stage}: its model card, checklists and evidence are kept as they were and can no longer be changed."
        : null;

    /// <summary>Null when a plan in <paramref name="state"/> may be cancelled; otherwise why not.</summary>
    public static string? WhyCannotCancel(RetirementState state) => state switch
    {
        RetirementState.Scheduled => null,
        RetirementState.Retiring => "A decommission request is open for this version; withdraw it before cancelling the plan.",
        RetirementState.Retired => "This version is retired; a retirement cannot be cancelled afterwards.",
        _ => "This plan is already cancelled.",
    };

    /// <summary>
    /// The problems with a plan as given, by field (camel-case, as the API names them). The date must be after today:
    /// a retirement planned for a day already begun leaves nobody a reminder.
    /// </summary>
    public static Dictionary<string, string[]> Problems(DateOnly? plannedDate, DateOnly today, RetirementReason? reason, bool hasSuccessor,
        string? noSuccessorReason, string? note, IReadOnlyCollection<string> notify)
    {
        var problems = new Dictionary<string, List<string>>();
        void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);
        if (plannedDate is null)
        {
            Add("plannedDate", "Give the planned retirement date (YYYY-MM-DD).");
        }
        else if (plannedDate <= today)
        {
            Add("plannedDate", $"The planned date must be after today ({today:yyyy-MM-dd}).");
        }
        if (reason is null)
        {
            Add("reason", "Say why the version is retired: superseded, underperforming, regulatory, businessChange or other.");
        }
        if (!hasSuccessor && string.IsNullOrWhiteSpace(noSuccessorReason))
        {
            Add("noSuccessorReason", "Name a successor, or say why the version has none.");
        }
        if (hasSuccessor && !string.IsNullOrWhiteSpace(noSuccessorReason))
        {
            Add("noSuccessorReason", "Leave this empty when a successor is named.");
        }
        if (noSuccessorReason?.Length > MaxReasonLength)
        {
            Add("noSuccessorReason", $"Keep it within {MaxReasonLength:N0} characters.");
        }
        if (note?.Length > MaxNoteLength)
        {
            Add("note", $"Keep the note within {MaxNoteLength:N0} characters.");
        }
        if (notify.Count > MaxNotify)
        {
            Add("notify", $"Name at most {MaxNotify} people.");
        }
        return problems.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    /// <summary>
    /// The reminder due on <paramref name="today"/> for a plan dated <paramref name="plannedDate"/>: the latest of 90, 30
    /// and 7 days before, the day itself, and each week overdue, that has come. Only the latest is sent: a job that
    /// missed days catches up with one reminder saying where things stand now, not with every one it missed. Null before
    /// the first. The kind names the reminder, so "already sent" is a lookup of (plan, date, kind).
    /// </summary>
    public static RetirementReminder? DueReminder(DateOnly plannedDate, DateOnly today)
    {
        var overdueDays = today.DayNumber - plannedDate.DayNumber;
        if (overdueDays >= 7)
        {
            var week = overdueDays / 7;
            return new($"overdue-week-{week}", plannedDate.AddDays(7 * week), $"{overdueDays} days overdue");
        }
        if (overdueDays >= 0)
        {
            return new("on-the-day", plannedDate, overdueDays == 0 ? "due today" : $"{overdueDays} day{(overdueDays == 1 ? "" : "s")} overdue");
        }
        var before = -overdueDays;
        var days = DaysBefore.Where(d => d >= before).Order().Cast<int?>().FirstOrDefault();
        return days is { } d2 ? new($"{d2}-days-before", plannedDate.AddDays(-d2), $"due in {before} day{(before == 1 ? "" : "s")}") : null;
    }

    /// <summary>
    /// How long a retired version's documentation and artifacts are kept: 10 years for a High-risk system (EU AI Act
    /// Art. 18), 6 years where PHI is involved (HIPAA 45 CFR §164.316(b)(2)), otherwise <paramref name="defaultYears"/>; the longest that applies.
    /// </summary>
    public static (DateOnly Until, string Basis) RetentionEnd(DateOnly retiredOn, RiskTier tier, DataCategories data, int defaultYears)
    {
        var candidates = new List<(int Years, string Basis)> { (defaultYears, "the portal's default retention") };
        if (tier == RiskTier.High)
        {
            candidates.Add((10, "EU AI Act Art. 18 (10 years for high-risk systems)"));
        }
        if (data.HasFlag(DataCategories.ProtectedHealthInformation))
        {
            candidates.Add((6, "HIPAA 45 CFR §164.316(b)(2) (6 years)"));
        }
        var longest = candidates.MaxBy(c => c.Years);
        return (retiredOn.AddYears(longest.Years), longest.Basis);
    }
}
