using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public enum AnswerValue
{
    Yes = 0,
    No = 1,
    NotApplicable = 2,
}

public enum ReviewState
{
    None = 0,
    Accepted = 1,
    ChangesRequested = 2,
}

/// <summary>InProgress: the owner answers. InReview: submitted, officers review item by item. SignedOff: an officer signed it off.</summary>
public enum AssessmentStatus
{
    InProgress = 0,
    InReview = 1,
    SignedOff = 2,
}

/// <summary>
/// An item's answer as the rules see it. <see cref="CarriedOver"/>: copied from an earlier version's assessment and not yet
/// confirmed. <see cref="Links"/> and <see cref="Files"/> count the evidence attached to the item.
/// </summary>
public sealed record ItemAnswer(
    string ItemId, AnswerValue Answer, string? Justification, ReviewState Review, bool CarriedOver, int Links, int Files, string AnsweredBy);

/// <summary>What still stands in the way, naming the item (or null for the assessment as a whole).</summary>
public sealed record Blocker(string? ItemId, string Message);

public sealed record AssessmentProgress(int Applicable, int Answered, int Accepted, int ChangesRequested, int ToConfirm)
{
    public int Percent => Applicable == 0 ? 100 : Answered * 100 / Applicable;
}

/// <summary>How an answer, justification or evidence change affects the assessment.</summary>
public sealed record ItemChange(AssessmentStatus Status, bool VoidsSignOff, bool ResetsReview);

/// <summary>
/// The rules of answering, reviewing and signing off an assessment. No I/O: the service loads the state, asks these,
/// and saves what they decide.
/// </summary>
public static class AssessmentRules
{
    public const int MaxJustificationLength = 4000;
    public const int MaxCommentLength = 4000;
    public const int MaxUrlLength = 2000;

    /// <summary>Null when the answer can be saved; otherwise what is wrong with it.</summary>
    public static string? WhyInvalidAnswer(AnswerValue answer, string? justification)
    {
        if (!Enum.IsDefined(answer))
        {
            return "Answer Yes, No or Not applicable.";
        }
        if (justification is { Length: > MaxJustificationLength })
        {
            return $"A justification is at most {MaxJustificationLength} characters.";
        }
        if (justification is not null && justification.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
        {
            return "Remove control characters from the justification.";
        }
        return answer != AnswerValue.Yes && string.IsNullOrWhiteSpace(justification)
            ? $"Say why the answer is {Label(answer)}: a justification is required for No and Not applicable."
            : null;
    }

    public static string Label(AnswerValue answer) => answer switch
    {
        AnswerValue.Yes => "Yes",
        AnswerValue.No => "No",
        _ => "Not applicable",
    };

    /// <summary>Null when the caller may answer for the model (its owner or the owner's team); otherwise why not.</summary>
    public static string? WhyCannotAnswer(Caller caller, string modelOwner, string modelTeam) =>
        caller.Has(Roles.ModelOwner)
            ? RegistryRules.WhyCannotEdit(caller, modelOwner, modelTeam)
            : "Only the model's owner and their team answer its checklists.";

    /// <summary>Officers review; nobody reviews an answer they gave or a model they own.</summary>
    public static string? WhyCannotReview(Caller caller, string modelOwner, string answeredBy)
    {
        if (!caller.Has(Roles.ComplianceOfficer))
        {
            return "Only compliance officers review checklist answers.";
        }
        if (Same(caller.Username, modelOwner))
        {
            return "You own this model; another compliance officer reviews its checklists.";
        }
        return Same(caller.Username, answeredBy) ? "You gave this answer; another compliance officer reviews it." : null;
    }

    /// <summary>Officers sign off; not the model's owner, and not anyone who answered an item.</summary>
    public static string? WhyCannotSignOff(Caller caller, string modelOwner, IEnumerable<string> answeredBy)
    {
        if (!caller.Has(Roles.ComplianceOfficer))
        {
            return "Only compliance officers sign off checklists.";
        }
        if (Same(caller.Username, modelOwner))
        {
            return "You own this model; another compliance officer signs off its checklists.";
        }
        return answeredBy.Any(a => Same(a, caller.Username)) ? "You answered items of this assessment; another compliance officer signs it off." : null;
    }

    public static AssessmentProgress Progress(IEnumerable<ChecklistItem> applicable, IReadOnlyDictionary<string, ItemAnswer> answers)
    {
        var items = applicable.ToList();
        var given = items.Select(i => answers.GetValueOrDefault(i.Id)).OfType<ItemAnswer>().ToList();
        return new AssessmentProgress(items.Count, given.Count, given.Count(a => a.Review == ReviewState.Accepted),
            given.Count(a => a.Review == ReviewState.ChangesRequested), given.Count(a => a.CarriedOver));
    }

    /// <summary>What must be done before the owner can submit: every applicable item answered, evidenced and confirmed.</summary>
    public static IReadOnlyList<Blocker> WhatBlocksSubmit(string templateTitle, IEnumerable<ChecklistItem> applicable, IReadOnlyDictionary<string, ItemAnswer> answers)
    {
        var blockers = new List<Blocker>();
        foreach (var item in applicable)
        {
            if (WhatBlocksItem(templateTitle, item, answers.GetValueOrDefault(item.Id)) is { } blocker)
            {
                blockers.Add(blocker);
            }
        }
        return blockers;
    }

    /// <summary>
    /// What stands between the assessment and a sign-off: everything that blocks submitting, plus every answer an officer
    /// has not accepted. Each names the item, e.g. "HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): unanswered".
    /// </summary>
    public static IReadOnlyList<Blocker> WhatBlocksSignOff(
        string templateTitle, AssessmentStatus status, IEnumerable<ChecklistItem> applicable, IReadOnlyDictionary<string, ItemAnswer> answers)
    {
        var blockers = new List<Blocker>();
        foreach (var item in applicable)
        {
            var answer = answers.GetValueOrDefault(item.Id);
            if (WhatBlocksItem(templateTitle, item, answer) is { } blocker)
            {
                blockers.Add(blocker);
            }
            else if (answer!.Review == ReviewState.ChangesRequested)
            {
                blockers.Add(new(item.Id, $"{Name(templateTitle, item)}: changes requested"));
            }
            else if (answer.Review != ReviewState.Accepted)
            {
                blockers.Add(new(item.Id, $"{Name(templateTitle, item)}: not yet accepted by a compliance officer"));
            }
        }
        if (blockers.Count == 0 && status == AssessmentStatus.InProgress)
        {
            blockers.Add(new(null, $"{templateTitle}: not yet submitted for review"));
        }
        return blockers;
    }

    /// <summary>What an item still lacks before it counts as answered; null when nothing.</summary>
    public static Blocker? WhatBlocksItem(string templateTitle, ChecklistItem item, ItemAnswer? answer)
    {
        var name = Name(templateTitle, item);
        if (answer is null)
        {
            return new(item.Id, $"{name}: unanswered");
        }
        if (WhyInvalidAnswer(answer.Answer, answer.Justification) is not null)
        {
            return new(item.Id, $"{name}: justification missing");
        }
        if (answer.CarriedOver)
        {
            return new(item.Id, $"{name}: carried over from an earlier version, not yet confirmed");
        }
        // Evidence supports a Yes; a No or Not applicable stands on its justification.
        if (answer.Answer == AnswerValue.Yes)
        {
            if (item.Evidence == EvidenceKind.File && answer.Files == 0)
            {
                return new(item.Id, $"{name}: evidence file missing");
            }
            if (item.Evidence == EvidenceKind.Link && answer.Files + answer.Links == 0)
            {
                return new(item.Id, $"{name}: evidence link missing");
            }
        }
        return null;
    }

    /// <summary>How the item's name reads in blockers and gate explanations.</summary>
    public static string Name(string templateTitle, ChecklistItem item) => $"{templateTitle} item {item.Id} ({item.Citation})";

    /// <summary>
    /// A change to an item (its answer, justification or evidence). The item's review starts over; a signed-off
    /// assessment loses its sign-off and goes back to review.
    /// </summary>
    public static ItemChange OnItemChanged(AssessmentStatus status) => status == AssessmentStatus.SignedOff
        ? new ItemChange(AssessmentStatus.InReview, VoidsSignOff: true, ResetsReview: true)
        : new ItemChange(status, VoidsSignOff: false, ResetsReview: true);

    /// <summary>True when saving this answer changes what the item says (so its review starts over).</summary>
    public static bool Changes(ItemAnswer? before, AnswerValue answer, string? justification) =>
        before is null || before.Answer != answer || !string.Equals(Normalize(before.Justification), Normalize(justification), StringComparison.Ordinal);

    public static string? Normalize(string? justification) => string.IsNullOrWhiteSpace(justification) ? null : justification.Trim();

    /// <summary>Null when the owner may submit the assessment for review.</summary>
    public static string? WhyCannotSubmit(AssessmentStatus status, IReadOnlyList<Blocker> blockers) => status switch
    {
        AssessmentStatus.InReview => "The assessment is already in review.",
        AssessmentStatus.SignedOff => "The assessment is signed off.",
        _ when blockers.Count > 0 => $"{blockers.Count} item(s) still need attention before review: {string.Join("; ", blockers.Take(3).Select(b => b.Message))}.",
        _ => null,
    };

    /// <summary>Null when an officer may review this item now.</summary>
    public static string? WhyCannotReviewItem(AssessmentStatus status, ItemAnswer? answer, ReviewState decision, string? comment)
    {
        if (status != AssessmentStatus.InReview)
        {
            return status == AssessmentStatus.SignedOff
                ? "The assessment is signed off; an answer change reopens it for review."
                : "The owner has not submitted the assessment for review yet.";
        }
        if (answer is null)
        {
            return "The item has no answer to review.";
        }
        if (answer.CarriedOver)
        {
            return "The answer was carried over from an earlier version; the owner confirms it first.";
        }
        if (decision == ReviewState.ChangesRequested && string.IsNullOrWhiteSpace(comment))
        {
            return "Say what needs to change: a comment is required when requesting changes.";
        }
        if (comment is { Length: > MaxCommentLength })
        {
            return $"A comment is at most {MaxCommentLength} characters.";
        }
        return decision is ReviewState.Accepted or ReviewState.ChangesRequested ? null : "Accept the answer or request changes.";
    }

    /// <summary>
    /// Which answers of an earlier assessment carry over to a template: the items present in both with the same wording,
    /// citation and evidence requirement. A reworded item asks something else, so its old answer does not carry.
    /// </summary>
    public static IReadOnlyList<string> CarryOverMatches(IEnumerable<ChecklistItem> from, IEnumerable<ChecklistItem> to, IEnumerable<string> answered)
    {
        var previous = from.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var given = answered.ToHashSet(StringComparer.Ordinal);
        return to
            .Where(item => given.Contains(item.Id) && previous.TryGetValue(item.Id, out var old)
                && old.Text == item.Text && old.Citation == item.Citation && old.Evidence == item.Evidence && old.Obligation == item.Obligation)
            .Select(item => item.Id)
            .ToList();
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
