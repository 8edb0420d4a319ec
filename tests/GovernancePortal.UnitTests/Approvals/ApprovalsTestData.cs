using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>Demo-like people and a passing candidate to vary with <c>with</c>.</summary>
internal static class ApprovalsTestData
{
    public const string CreditTeam = "Credit Risk Analytics";

    public static readonly Caller Owner = new("owner@demo.test", [Roles.ModelOwner], CreditTeam);
    public static readonly Caller TeamMate = new("mate@demo.test", [Roles.ModelOwner], CreditTeam);
    public static readonly Caller TeamMateOfficer = new("mate-officer@demo.test", [Roles.ComplianceOfficer], CreditTeam);
    public static readonly Caller OtherOwner = new("owner2@demo.test", [Roles.ModelOwner], "Clinical AI");
    public static readonly Caller Officer = new("compliance@demo.test", [Roles.ComplianceOfficer], "Model Risk Management");
    public static readonly Caller Officer2 = new("compliance2@demo.test", [Roles.ComplianceOfficer], "Model Risk Management");
    public static readonly Caller Officer3 = new("compliance3@demo.test", [Roles.ComplianceOfficer], "Model Risk Management");
    public static readonly Caller Viewer = new("viewer@demo.test", [Roles.Viewer], "Retail Banking");
    public static readonly Caller Auditor = new("auditor@demo.test", [Roles.Auditor], "Internal Audit");
    public static readonly Caller Admin = new("admin@demo.test", [Roles.Admin], "ML Platform");
    public static readonly Caller AdminOfficer = new("admin-co@demo.test", [Roles.Admin, Roles.ComplianceOfficer], "ML Platform");
    public static readonly Caller AuditorOfficer = new("auditor-co@demo.test", [Roles.Auditor, Roles.ComplianceOfficer], "Internal Audit");

    public static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static PromotionPolicy Policy(Stage target, RiskTier tier) =>
        PromotionPolicies.Default(target, tier) ?? throw new InvalidOperationException($"No default for {target}/{tier}.");

    /// <summary>A candidate that passes every default gate for that stage and tier.</summary>
    public static PromotionCandidate Candidate(Stage target, RiskTier tier) => new(
        CurrentStage: target == Stage.Production ? Stage.Staging : Stage.Development,
        TargetStage: target,
        RiskTier: tier,
        CardCompleteness: 90,
        MissingCardSections: ["Licence"],
        Metrics:
        [
            new("auc", "holdout", "overall", 0.82, 0.75, HigherIsBetter: true),
            new("auc", "holdout", "age<25", 0.74, 0.70, HigherIsBetter: true),
            new("brier", "holdout", "overall", 0.11, 0.15, HigherIsBetter: false),
            new("accuracy", "holdout", "overall", 0.91, null, HigherIsBetter: true),
        ],
        AnotherVersionInProduction: false);

    public static readonly IReadOnlyList<GateResult> Passing = [new("Route", true, "passed: promotion from Staging to Production is allowed")];

    public static readonly IReadOnlyList<GateResult> Failing =
        [new("Model card completeness", false, "blocked: model card completeness 55 is below the required 80 (missing: Training data)")];

    public static PromotionRequest Request(Stage target = Stage.Production, RiskTier tier = RiskTier.High, string? requester = null) => new(
        Requester: requester ?? Owner.Username,
        ModelOwner: Owner.Username,
        OwningTeam: CreditTeam,
        Policy: Policy(target, tier),
        State: PromotionRequestState.Pending,
        Decisions: [],
        CreatedAt: Created);
}
