namespace GovernancePortal.Retirement;

/// <summary>How a plan's status reads and is coloured on every page.</summary>
public static class RetirementDisplay
{
    public static string Label(RetirementStatus status) => status.ToString();

    public static MudBlazor.Color Color(RetirementStatus status) => status switch
    {
        RetirementStatus.Overdue => MudBlazor.Color.Error,
        RetirementStatus.Due => MudBlazor.Color.Warning,
        RetirementStatus.Retiring => MudBlazor.Color.Info,
        RetirementStatus.Retired => MudBlazor.Color.Dark,
        RetirementStatus.Cancelled => MudBlazor.Color.Default,
        _ => MudBlazor.Color.Primary,
    };
}
