using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public sealed class PromotionPolicyTests
{
    [Fact]
    public void Every_default_policy_is_valid() =>
        Assert.All(PromotionPolicies.Defaults, p => Assert.Empty(p.Problems()));

    [Theory]
    [InlineData(Stage.Staging, RiskTier.Minimal, 0, 40, false, false, Stage.Development)]
    [InlineData(Stage.Staging, RiskTier.Limited, 1, 50, false, false, Stage.Development)]
    [InlineData(Stage.Staging, RiskTier.High, 1, 60, false, false, Stage.Development)]
    [InlineData(Stage.Production, RiskTier.Minimal, 1, 50, false, true, Stage.Staging)]
    [InlineData(Stage.Production, RiskTier.Limited, 1, 60, true, false, Stage.Staging)]
    [InlineData(Stage.Production, RiskTier.High, 2, 80, true, false, Stage.Staging)]
    public void Defaults_ask_more_as_the_stage_and_risk_rise(
        Stage target, RiskTier tier, int officers, int completeness, bool thresholds, bool several, Stage from)
    {
        var policy = ApprovalsTestData.Policy(target, tier);
        Assert.Equal(officers, policy.RequiredApprovals.Where(a => a.Role == Roles.ComplianceOfficer).Sum(a => a.Count));
        Assert.Equal(officers, policy.TotalApprovals);
        Assert.Equal(completeness, policy.MinimumCardCompleteness);
        Assert.Equal(thresholds, policy.MetricThresholdsMustPass);
        Assert.Equal(several, policy.AllowsSeveralProduction);
        Assert.Equal([from], policy.AllowedFromStages);
        Assert.Equal(TimeSpan.FromDays(14), policy.RequestExpiry);
        Assert.Equal(1, policy.Version);
    }

    [Theory]
    [InlineData(Stage.Staging)]
    [InlineData(Stage.Production)]
    public void Every_tier_has_a_default_for_staging_and_production(Stage target) =>
        Assert.All(Enum.GetValues<RiskTier>(), tier => Assert.NotNull(PromotionPolicies.Default(target, tier)));

    // Retired has defaults of its own: decommissioning is a stage request (issue 15, item 3; DecommissionGateTests).
    [Theory]
    [InlineData(Stage.Development)]
    [InlineData(Stage.Archived)]
    public void No_default_moves_to_stages_outside_staging_production_and_retired(Stage target) =>
        Assert.All(Enum.GetValues<RiskTier>(), tier => Assert.Null(PromotionPolicies.Default(target, tier)));

    [Fact]
    public void Find_takes_the_highest_version_for_the_stage_and_tier()
    {
        var v1 = ApprovalsTestData.Policy(Stage.Production, RiskTier.High);
        var v3 = v1 with { Version = 3, MinimumCardCompleteness = 90 };
        var v2 = v1 with { Version = 2 };
        var other = ApprovalsTestData.Policy(Stage.Staging, RiskTier.High) with { Version = 9 };
        Assert.Same(v3, PromotionPolicies.Find([v1, v3, v2, other], Stage.Production, RiskTier.High));
        Assert.Null(PromotionPolicies.Find([other], Stage.Production, RiskTier.High));
    }

    public static TheoryData<string, string> BrokenPolicies() => new()
    {
        { "version0", "version must be 1 or more" },
        { "completeness101", "between 0 and 100, not 101" },
        { "completeness-1", "between 0 and 100, not -1" },
        { "expiry0", "expire after a positive time" },
        { "noFrom", "At least one stage" },
        { "fromSelf", "from Production to Production" },
        { "adminSlot", "'Admin' cannot approve" },
        { "auditorSlot", "'Auditor' cannot approve" },
        { "viewerSlot", "'Viewer' cannot approve" },
        { "zeroCount", "at least one approval, not 0" },
        { "duplicateRole", "ComplianceOfficer is listed more than once" },
        { "expiry366", "expire within 365 days" },
        { "elevenOfficers", "at most 10 approvals, not 11" },
        { "toDevelopment", "Staging or Production, or retire, not Development" },
        { "fromTwice", "listed more than once" },
    };

    [Theory]
    [MemberData(nameof(BrokenPolicies))]
    public void A_broken_policy_says_what_is_wrong(string broken, string problem)
    {
        var ok = ApprovalsTestData.Policy(Stage.Production, RiskTier.High);
        var policy = broken switch
        {
            "version0" => ok with { Version = 0 },
            "completeness101" => ok with { MinimumCardCompleteness = 101 },
            "completeness-1" => ok with { MinimumCardCompleteness = -1 },
            "expiry0" => ok with { RequestExpiry = TimeSpan.Zero },
            "noFrom" => ok with { AllowedFromStages = [] },
            "fromSelf" => ok with { AllowedFromStages = [Stage.Staging, Stage.Production] },
            "adminSlot" => ok with { RequiredApprovals = [new(Roles.Admin, 1)] },
            "auditorSlot" => ok with { RequiredApprovals = [new(Roles.Auditor, 1)] },
            "viewerSlot" => ok with { RequiredApprovals = [new(Roles.Viewer, 1)] },
            "zeroCount" => ok with { RequiredApprovals = [new(Roles.ComplianceOfficer, 0)] },
            "duplicateRole" => ok with { RequiredApprovals = [new(Roles.ComplianceOfficer, 1), new(Roles.ComplianceOfficer, 1)] },
            "expiry366" => ok with { RequestExpiry = TimeSpan.FromDays(366) },
            "elevenOfficers" => ok with { RequiredApprovals = [new(Roles.ComplianceOfficer, 11)] },
            "toDevelopment" => ok with { TargetStage = Stage.Development, AllowedFromStages = [Stage.Staging] },
            "fromTwice" => ok with { AllowedFromStages = [Stage.Staging, Stage.Staging] },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        Assert.Contains(policy.Problems(), p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("completeness101", PolicyFields.MinimumCardCompleteness)]
    [InlineData("expiry0", PolicyFields.RequestExpiry)]
    [InlineData("noFrom", PolicyFields.AllowedFromStages)]
    [InlineData("adminSlot", PolicyFields.RequiredApprovals)]
    [InlineData("version0", PolicyFields.Version)]
    [InlineData("fromTwice", PolicyFields.AllowedFromStages)]
    [InlineData("blankTemplate", PolicyFields.RequiredChecklistTemplates)]
    [InlineData("templateTwice", PolicyFields.RequiredChecklistTemplates)]
    public void Each_problem_names_the_field_it_concerns(string broken, string field)
    {
        var ok = ApprovalsTestData.Policy(Stage.Production, RiskTier.High);
        var policy = broken switch
        {
            "completeness101" => ok with { MinimumCardCompleteness = 101 },
            "expiry0" => ok with { RequestExpiry = TimeSpan.Zero },
            "noFrom" => ok with { AllowedFromStages = [] },
            "adminSlot" => ok with { RequiredApprovals = [new(Roles.Admin, 1)] },
            "version0" => ok with { Version = 0 },
            "fromTwice" => ok with { AllowedFromStages = [Stage.Staging, Stage.Staging] },
            "blankTemplate" => ok with { RequiredChecklistTemplates = ["hipaa", " "] },
            "templateTwice" => ok with { RequiredChecklistTemplates = ["hipaa", "gdpr", "hipaa"] },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };
        var problem = Assert.Single(policy.FieldProblems());
        Assert.Equal(field, problem.Field);
        Assert.Equal(policy.Problems(), [problem.Message]);
    }

    [Fact]
    public void High_risk_production_requires_its_applicable_checklists_signed_off_and_every_other_default_leaves_it_to_officers() =>
        Assert.All(PromotionPolicies.Defaults, p =>
            Assert.Equal(p is { TargetStage: Stage.Production, RiskTier: RiskTier.High }, p.RequireApplicableChecklistsSignedOff));

    [Fact]
    public void A_snapshot_written_before_the_checklist_field_existed_reads_as_off()
    {
        // Requests made before the field was added carry JSON without it.
        const string old = """{"version":1,"targetStage":2,"riskTier":2,"requiredApprovals":[{"role":"ComplianceOfficer","count":2}],"requestExpiry":"14.00:00:00","allowedFromStages":[1]}""";
        var policy = System.Text.Json.JsonSerializer.Deserialize<PromotionPolicy>(old, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.False(policy.RequireApplicableChecklistsSignedOff);
        Assert.Equal(2, policy.TotalApprovals);
    }

    [Fact]
    public void A_snapshot_written_before_named_checklists_existed_names_none()
    {
        const string old = """{"version":3,"targetStage":2,"riskTier":2,"requiredApprovals":[{"role":"ComplianceOfficer","count":2}],"requestExpiry":"14.00:00:00","allowedFromStages":[1],"requireApplicableChecklistsSignedOff":true}""";
        var policy = System.Text.Json.JsonSerializer.Deserialize<PromotionPolicy>(old, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        Assert.Empty(policy.RequiredChecklistTemplates);
        Assert.True(policy.RequireApplicableChecklistsSignedOff);
        Assert.Empty(policy.FieldProblems(["hipaa"]));
    }

    [Fact]
    public void Unknown_templates_are_named_once_each_beside_the_policys_own_problems()
    {
        var policy = ApprovalsTestData.Policy(Stage.Production, RiskTier.High) with { MinimumCardCompleteness = 101, RequiredChecklistTemplates = ["nope", "hipaa", "nope", "HIPAA"] };
        var problems = policy.FieldProblems(["gdpr", "hipaa"]);
        Assert.Equal([PolicyFields.MinimumCardCompleteness, PolicyFields.RequiredChecklistTemplates, PolicyFields.RequiredChecklistTemplates, PolicyFields.RequiredChecklistTemplates],
            problems.Select(p => p.Field));
        Assert.Equal(["Checklist template 'nope' is listed more than once.", "'nope' is not a checklist template; the library has gdpr, hipaa.",
            "'HIPAA' is not a checklist template; the library has gdpr, hipaa."], problems.Skip(1).Select(p => p.Message));
    }
}
