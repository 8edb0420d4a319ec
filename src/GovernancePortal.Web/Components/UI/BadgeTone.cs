namespace GovernancePortal.Components.UI;

public enum BadgeTone
{
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
}
