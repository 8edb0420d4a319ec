namespace GovernancePortal.Components.Shared;

public enum BadgeTone
{
    Neutral,
    Info,
    Success,
    Warning,
    Danger,
}
