using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>Who may change a promotion policy, and whether an edit builds on the version that is current.</summary>
public static class PolicyEditing
{
    public static readonly IReadOnlyList<string> EditorRoles = [Roles.ComplianceOfficer, Roles.Admin];

    public const int MaxChangeNoteLength = 2000;

    public static string? WhyCannotEdit(Caller caller) =>
        caller.Roles.Any(r => EditorRoles.Contains(r, StringComparer.Ordinal))
            ? null
            : "Only compliance officers and admins change promotion policies.";

    /// <summary>
    /// Field problems of an edit: the change note and the policy's own rules. <paramref name="proposed"/> carries the
    /// version it would be saved as; <paramref name="checklistLibrary"/> the ids of the checklist templates it may name.
    /// </summary>
    public static IReadOnlyList<PolicyProblem> Problems(PromotionPolicy proposed, string? changeNote, IReadOnlyCollection<string> checklistLibrary)
    {
        var problems = new List<PolicyProblem>();
        if (string.IsNullOrWhiteSpace(changeNote))
        {
            problems.Add(new(ChangeNoteField, "Say what changed and why; the note is kept with the version."));
        }
        else if (changeNote.Trim().Length > MaxChangeNoteLength)
        {
            problems.Add(new(ChangeNoteField, $"Keep the change note under {MaxChangeNoteLength:N0} characters."));
        }
        problems.AddRange(proposed.FieldProblems(checklistLibrary));
        return problems;
    }

    public const string ChangeNoteField = "changeNote";

    /// <summary>Why an edit started from <paramref name="basedOn"/> cannot be saved while <paramref name="current"/> is the latest; null when it can.</summary>
    public static string? WhyStale(int basedOn, int current, string currentAuthor, DateTimeOffset currentAt) =>
        basedOn == current
            ? null
            : basedOn > current
                ? $"Version {basedOn} does not exist; the current version is {current}."
                : $"{currentAuthor} saved version {current} at {currentAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC after you started from version {basedOn}. " +
                  "Nothing was saved: review what changed and save again.";

    /// <summary>True when <paramref name="proposed"/> says what <paramref name="current"/> says (versions aside): saving it would add an empty version.</summary>
    public static bool SaysTheSame(PromotionPolicy current, PromotionPolicy proposed) =>
        PromotionPolicyDiff.Compare(current, proposed).Count == 0;
}
