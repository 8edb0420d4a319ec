using GovernancePortal.Approvals;
using GovernancePortal.Registry;

namespace GovernancePortal.Retirement;

/// <summary>Retiring a version is a stage request to Retired, judged on its successor and the decommission checklist (issue 15, item 3).</summary>
public sealed class DecommissionGateTests
{
    private static readonly ChecklistSignOff SignedOff = new(PromotionPolicies.DecommissionChecklist, "Decommissioning", true, []);
    private static readonly RetirementCandidate SuccessorInProduction = new("credit 2.0.0", Stage.Production, null);

    private static PromotionCandidate Candidate(RiskTier tier, Stage from = Stage.Production, RetirementCandidate? plan = null, ChecklistSignOff? checklist = null) =>
        new(from, Stage.Retired, tier, 10, ["Intended use"], [], AnotherVersionInProduction: false)
        {
            Checklists = [checklist ?? SignedOff],
            Retirement = plan ?? SuccessorInProduction,
        };

    private static IReadOnlyList<GateResult> Judge(RiskTier tier, PromotionCandidate candidate) =>
        GateEvaluation.Evaluate(PromotionPolicies.Default(Stage.Retired, tier)!, candidate);

    [Theory]
    [InlineData(RiskTier.Minimal, 1)]
    [InlineData(RiskTier.Limited, 1)]
    [InlineData(RiskTier.High, 2)]
    [InlineData(RiskTier.Prohibited, 1)]
    public void Every_tier_has_a_retirement_policy_from_staging_or_production_that_names_the_decommission_checklist(RiskTier tier, int officers)
    {
        var policy = PromotionPolicies.Default(Stage.Retired, tier)!;
        Assert.Empty(policy.Problems());
        Assert.Equal([Stage.Staging, Stage.Production], policy.AllowedFromStages);
        Assert.Equal([PromotionPolicies.DecommissionChecklist], policy.RequiredChecklistTemplates);
        Assert.Equal(officers, policy.TotalApprovals);
    }

    [Theory]
    [InlineData(RiskTier.Minimal)]
    [InlineData(RiskTier.High)]
    [InlineData(RiskTier.Prohibited)]
    public void A_version_with_its_successor_in_production_and_the_checklist_signed_off_passes_even_a_prohibited_one(RiskTier tier)
    {
        var gates = Judge(tier, Candidate(tier));
        Assert.True(GateEvaluation.Passes(gates), string.Join("\n", gates.Select(g => g.Explanation)));
        Assert.Equal([GateNames.Policy, GateNames.Route, GateNames.Successor, "Checklists: Decommissioning"], gates.Select(g => g.Name));
        // Card completeness and thresholds say nothing about switching a model off.
        Assert.DoesNotContain(gates, g => g.Name == GateNames.CardCompleteness);
    }

    [Fact]
    public void A_successor_not_yet_in_production_blocks()
    {
        var gate = Judge(RiskTier.Limited, Candidate(RiskTier.Limited, plan: new("credit 2.0.0", Stage.Staging, null))).Single(g => g.Name == GateNames.Successor);
        Assert.False(gate.Passed);
        Assert.Equal("blocked: the successor credit 2.0.0 is in Staging; it must be in Production before this version retires", gate.Explanation);
    }

    [Fact]
    public void No_successor_passes_with_its_reason_and_no_plan_blocks()
    {
        var accepted = Judge(RiskTier.Limited, Candidate(RiskTier.Limited, plan: new(null, null, "The product is withdrawn."))).Single(g => g.Name == GateNames.Successor);
        Assert.True(accepted.Passed);
        Assert.Contains("The product is withdrawn.", accepted.Explanation);
        var none = Judge(RiskTier.Limited, Candidate(RiskTier.Limited) with { Retirement = null }).Single(g => g.Name == GateNames.Successor);
        Assert.False(none.Passed);
        Assert.Contains("plan the retirement first", none.Explanation);
    }

    [Fact]
    public void The_decommission_checklist_must_be_signed_off()
    {
        var open = new ChecklistSignOff(PromotionPolicies.DecommissionChecklist, "Decommissioning", false, ["decommission-consumers-told: unanswered"]);
        var gate = Judge(RiskTier.High, Candidate(RiskTier.High, checklist: open)).Single(g => g.Name == "Checklists: Decommissioning");
        Assert.False(gate.Passed);
        Assert.Contains("decommission-consumers-told", gate.Explanation);
    }

    [Fact]
    public void A_development_version_is_not_retired_through_a_request()
    {
        var route = Judge(RiskTier.Minimal, Candidate(RiskTier.Minimal, from: Stage.Development)).Single(g => g.Name == GateNames.Route);
        Assert.False(route.Passed);
        Assert.Contains(GateNames.Route, GateNames.Structural);
    }

    [Fact]
    public void A_retired_version_is_frozen()
    {
        Assert.Null(RetirementRules.WhyFrozen(Stage.Production, "credit", new VersionNumber(1, 0, 0)));
        Assert.Contains("can no longer be changed", RetirementRules.WhyFrozen(Stage.Retired, "credit", new VersionNumber(1, 0, 0)));
    }
}
