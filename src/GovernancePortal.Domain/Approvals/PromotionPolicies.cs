using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>
/// The policies the portal starts with, and how a policy is chosen for a promotion. The portal stores these as version 1
/// and judges requests under the stored versions (PromotionPolicyStore); <see cref="Default"/> is the seed, not the current policy.
/// </summary>
public static class PromotionPolicies
{
    private static readonly RequiredApproval[] _oneOfficer = [new(Roles.ComplianceOfficer, 1)];
    private static readonly RequiredApproval[] _twoOfficers = [new(Roles.ComplianceOfficer, 2)];

    /// <summary>
    /// Version 1 for Staging, Production and Retired at every tier. Prohibited policies exist so that a lookup never comes back
    /// empty, but gate evaluation blocks them whatever they say (EU AI Act Art. 5).
    /// </summary>
    public static IReadOnlyList<PromotionPolicy> Defaults { get; } =
    [
        Staging(RiskTier.Minimal, [], minimumCompleteness: 40),
        Staging(RiskTier.Limited, _oneOfficer, minimumCompleteness: 50),
        Staging(RiskTier.High, _oneOfficer, minimumCompleteness: 60),
        Staging(RiskTier.Prohibited, [], minimumCompleteness: 100),
        Production(RiskTier.Minimal, _oneOfficer, minimumCompleteness: 50, thresholdsMustPass: false, severalProduction: true),
        Production(RiskTier.Limited, _oneOfficer, minimumCompleteness: 60, thresholdsMustPass: true, severalProduction: false),
        // High risk: every checklist that applies to the version signed off (issue 16, item 7; ADR-031).
        Production(RiskTier.High, _twoOfficers, minimumCompleteness: 80, thresholdsMustPass: true, severalProduction: false) with { RequireApplicableChecklistsSignedOff = true },
        Production(RiskTier.Prohibited, [], minimumCompleteness: 100, thresholdsMustPass: true, severalProduction: false),
        Retirement(RiskTier.Minimal, _oneOfficer),
        Retirement(RiskTier.Limited, _oneOfficer),
        Retirement(RiskTier.High, _twoOfficers),
        // A prohibited practice must be switched off without delay; one officer confirms the decommissioning.
        Retirement(RiskTier.Prohibited, _oneOfficer),
    ];

    /// <summary>The checklist every decommissioning needs signed off (db/checklists/decommission.yaml).</summary>
    public const string DecommissionChecklist = "decommission";

    /// <summary>The highest version among <paramref name="policies"/> for that stage and tier; null when there is none.</summary>
    public static PromotionPolicy? Find(IEnumerable<PromotionPolicy> policies, Stage target, RiskTier tier) =>
        policies.Where(p => p.TargetStage == target && p.RiskTier == tier).MaxBy(p => p.Version);

    public static PromotionPolicy? Default(Stage target, RiskTier tier) => Find(Defaults, target, tier);

    private static PromotionPolicy Staging(RiskTier tier, RequiredApproval[] approvals, int minimumCompleteness) => new()
    {
        Version = 1,
        TargetStage = Stage.Staging,
        RiskTier = tier,
        RequiredApprovals = approvals,
        MinimumCardCompleteness = minimumCompleteness,
        // Staging is where thresholds get measured against real traffic; requiring them here would be circular.
        MetricThresholdsMustPass = false,
        AllowedFromStages = [Stage.Development],
    };

    // Decommissioning (issue 15, item 3): from Staging or Production, judged on the successor and the decommission
    // checklist; card completeness and metric thresholds say nothing about switching a model off.
    private static PromotionPolicy Retirement(RiskTier tier, RequiredApproval[] approvals) => new()
    {
        Version = 1,
        TargetStage = Stage.Retired,
        RiskTier = tier,
        RequiredApprovals = approvals,
        MinimumCardCompleteness = 0,
        MetricThresholdsMustPass = false,
        AllowedFromStages = [Stage.Staging, Stage.Production],
        RequiredChecklistTemplates = [DecommissionChecklist],
    };

    private static PromotionPolicy Production(RiskTier tier, RequiredApproval[] approvals, int minimumCompleteness, bool thresholdsMustPass, bool severalProduction) => new()
    {
        Version = 1,
        TargetStage = Stage.Production,
        RiskTier = tier,
        RequiredApprovals = approvals,
        MinimumCardCompleteness = minimumCompleteness,
        MetricThresholdsMustPass = thresholdsMustPass,
        AllowsSeveralProduction = severalProduction,
        AllowedFromStages = [Stage.Staging],
    };
}
