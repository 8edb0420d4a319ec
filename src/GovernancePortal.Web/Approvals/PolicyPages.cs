using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>Where the policy pages live and how their addresses name a stage and tier.</summary>
public static class PolicyPages
{
    public const string ListHref = "/approvals/policies";

    public static string EditHref(Stage target, RiskTier tier) => $"{ListHref}/{target}/{tier}/edit";

    public static string HistoryHref(Stage target, RiskTier tier) => $"{ListHref}/{target}/{tier}/versions";

    /// <summary>Reads a stage and tier from an address, case-insensitively; only stages a policy can move versions to count.</summary>
    public static bool TryParse(string? stageText, string? tierText, out Stage target, out RiskTier tier)
    {
        tier = default;
        return Enum.TryParse(stageText, ignoreCase: true, out target) && target is Stage.Staging or Stage.Production or Stage.Retired
            && !int.TryParse(tierText, out _) && Enum.TryParse(tierText, ignoreCase: true, out tier) && Enum.IsDefined(tier);
    }
}
