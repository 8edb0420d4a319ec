using GovernancePortal.Compliance;
using MudBlazor;

namespace GovernancePortal.Components.Pages.Compliance;

/// <summary>How the compliance pages colour and word what they show.</summary>
public static class ComplianceDisplay
{
    public static Color StatusColor(TemplateStatus status) => status.SignedOff
        ? Color.Success
        : status.Status switch
        {
            null => Color.Error,
            AssessmentStatus.InReview => Color.Info,
            _ => Color.Warning,
        };

    public static Color AnswerColor(AnswerValue answer) => answer switch
    {
        AnswerValue.Yes => Color.Success,
        AnswerValue.No => Color.Error,
        _ => Color.Default,
    };

    public static Color ReviewColor(ReviewState review) => review switch
    {
        ReviewState.Accepted => Color.Success,
        ReviewState.ChangesRequested => Color.Error,
        _ => Color.Default,
    };

    public static string ReviewLabel(ReviewState review) => review switch
    {
        ReviewState.Accepted => "Accepted",
        ReviewState.ChangesRequested => "Changes requested",
        _ => "Not reviewed",
    };

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm") + " UTC";

    /// <summary>A service's refusal in one sentence: the field messages when it names fields, else its message.</summary>
    public static string Message(Failure failure) => failure.Errors is { Count: > 0 } errors && failure.Kind == FailureKind.Invalid
        ? string.Join(" ", errors.Values.SelectMany(e => e))
        : failure.Message;
}
