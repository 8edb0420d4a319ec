namespace GovernancePortal.Registry;

/// <summary>Risk tiers in the sense of the EU AI Act.</summary>
public enum RiskTier
{
    Minimal = 0,
    Limited = 1,
    High = 2,
    Prohibited = 3,
}
