using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

/// <summary>
/// When an applicable checklist is overdue. A version in Staging is on its way to Production and one in Production is
/// serving: either should have every applicable checklist signed off. Templates that ask for periodic review (SR 11-7:
/// "at least annually") are overdue again twelve months after their sign-off.
/// </summary>
public static class ComplianceOverdue
{
    public const int ReviewMonths = 12;

    /// <summary>Templates whose sign-off lapses after <see cref="ReviewMonths"/> months.</summary>
    public static readonly IReadOnlySet<string> AnnualReview = new HashSet<string>(StringComparer.Ordinal) { "sr-11-7" };

    public const string Definition =
        "Overdue: a version in Staging or Production with an applicable checklist that is not signed off, or an SR 11-7 sign-off older than 12 months (SR 11-7 asks for review at least annually).";

    /// <summary>Null when the checklist is not overdue; otherwise why it is, in words for the overview page.</summary>
    public static string? Why(Stage stage, TemplateStatus status, DateTimeOffset? signedOffAt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (stage is not (Stage.Staging or Stage.Production))
        {
            return null;
        }
        if (!status.SignedOff)
        {
            var where = status.Status switch
            {
                null => "not started",
                AssessmentStatus.InProgress => "in progress",
                AssessmentStatus.InReview => "in review",
                _ => "signed off, but items applying since are open",
            };
            return $"{where} while the version is in {stage}";
        }
        if (AnnualReview.Contains(status.TemplateId) && signedOffAt is { } at && at.AddMonths(ReviewMonths) < now)
        {
            return $"signed off {at.UtcDateTime:yyyy-MM-dd}; review due every {ReviewMonths} months";
        }
        return null;
    }
}
