using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>The policy editor's fields, started from a stored version and turned into a <see cref="PolicyEdit"/> for the store to judge.</summary>
public sealed class PolicyInput
{
    public int BasedOnVersion { get; set; }
    public string? ChangeNote { get; set; }
    public int ComplianceOfficerApprovals { get; set; }
    public int ModelOwnerApprovals { get; set; }
    public int MinimumCardCompleteness { get; set; }
    public int RequestExpiryDays { get; set; }
    public bool MetricThresholdsMustPass { get; set; }
    public bool AllowsSeveralProduction { get; set; }
    public bool RequireApplicableChecklistsSignedOff { get; set; }
    public string? RequiredChecklistTemplates { get; set; }
    public HashSet<Stage> FromStages { get; } = [];

    public static PolicyInput From(PromotionPolicyVersion row)
    {
        var policy = row.Policy();
        int Count(string role) => policy.RequiredApprovals.Where(a => a.Role == role).Sum(a => a.Count);
        var input = new PolicyInput
        {
            BasedOnVersion = row.Version,
            ComplianceOfficerApprovals = Count(Roles.ComplianceOfficer),
            ModelOwnerApprovals = Count(Roles.ModelOwner),
            MinimumCardCompleteness = policy.MinimumCardCompleteness,
            RequestExpiryDays = (int)Math.Ceiling(policy.RequestExpiry.TotalDays),
            MetricThresholdsMustPass = policy.MetricThresholdsMustPass,
            AllowsSeveralProduction = policy.AllowsSeveralProduction,
            RequireApplicableChecklistsSignedOff = policy.RequireApplicableChecklistsSignedOff,
            RequiredChecklistTemplates = string.Join(", ", policy.RequiredChecklistTemplates),
        };
        input.FromStages.UnionWith(policy.AllowedFromStages);
        return input;
    }

    public PolicyEdit Edit(Stage target, RiskTier tier, PromotionPolicy current) => new(target, tier, BasedOnVersion, ChangeNote,
        Approvals(current), MinimumCardCompleteness, MetricThresholdsMustPass, AllowsSeveralProduction, PolicyApi.ExpiryOf(RequestExpiryDays),
        Enum.GetValues<Stage>().Where(s => s != target && FromStages.Contains(s)).ToList(), RequireApplicableChecklistsSignedOff, ChecklistTemplateIds());

    /// <summary>The ids as typed, in order; repeats are kept so that saving can name them.</summary>
    public IReadOnlyList<string> ChecklistTemplateIds() =>
        (RequiredChecklistTemplates ?? "").Split([',', ' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Role + count rows, in the order the current policy lists them (the order slots fill), new roles after; 0 drops a role.</summary>
    public IReadOnlyList<RequiredApproval> Approvals(PromotionPolicy current)
    {
        var wanted = new Dictionary<string, int> { [Roles.ComplianceOfficer] = ComplianceOfficerApprovals, [Roles.ModelOwner] = ModelOwnerApprovals };
        return current.RequiredApprovals.Select(a => a.Role).Where(wanted.ContainsKey)
            .Concat(wanted.Keys)
            .Distinct(StringComparer.Ordinal)
            .Where(role => wanted[role] != 0)
            .Select(role => new RequiredApproval(role, wanted[role]))
            .ToList();
    }
}
