using GovernancePortal.Registry;
using static GovernancePortal.Approvals.ApprovalsTestData;

namespace GovernancePortal.Approvals;

public sealed class GateEvaluationTests
{
    private const string Card = GateNames.CardCompleteness;
    private const string YoungAuc = "Metric thresholds: auc on holdout/age<25";

    private static readonly MeasuredMetric FailingYoungAuc = new("auc", "holdout", "age<25", 0.68, 0.70, HigherIsBetter: true);

    private static PromotionCandidate Candidate(Stage from, Stage to, RiskTier tier, int completeness, bool failingMetric)
    {
        var candidate = ApprovalsTestData.Candidate(to, tier) with { CurrentStage = from, CardCompleteness = completeness };
        return failingMetric
            ? candidate with { Metrics = [.. candidate.Metrics.Where(m => m.Slice != "age<25"), FailingYoungAuc] }
            : candidate;
    }

    // Expected: the names of the blocking gates, comma-separated, in evaluation order.
    [Theory]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Minimal, 40, false, "")]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Minimal, 39, false, Card)]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Minimal, 90, true, "")]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Limited, 50, false, "")]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Limited, 49, true, Card)]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.High, 60, true, "")]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.High, 59, false, Card)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Minimal, 50, true, "")]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Minimal, 49, false, Card)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Limited, 60, false, "")]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Limited, 60, true, YoungAuc)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Limited, 59, false, Card)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.High, 80, false, "")]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.High, 100, true, YoungAuc)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.High, 79, true, Card + "," + YoungAuc)]
    [InlineData(Stage.Development, Stage.Production, RiskTier.Minimal, 90, false, GateNames.Route)]
    [InlineData(Stage.Development, Stage.Production, RiskTier.High, 90, false, GateNames.Route)]
    [InlineData(Stage.Development, Stage.Production, RiskTier.High, 10, true, GateNames.Route + "," + Card + "," + YoungAuc)]
    [InlineData(Stage.Production, Stage.Production, RiskTier.High, 90, false, GateNames.Route)]
    [InlineData(Stage.Retired, Stage.Production, RiskTier.Limited, 90, false, GateNames.Route)]
    [InlineData(Stage.Archived, Stage.Staging, RiskTier.Minimal, 90, false, GateNames.Route)]
    [InlineData(Stage.Production, Stage.Staging, RiskTier.High, 90, false, GateNames.Route)]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Prohibited, 100, false, GateNames.RiskTier)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Prohibited, 100, false, GateNames.RiskTier)]
    [InlineData(Stage.Development, Stage.Production, RiskTier.Prohibited, 0, true, GateNames.RiskTier)]
    public void Default_gates_block_exactly_what_the_policy_forbids(Stage from, Stage to, RiskTier tier, int completeness, bool failingMetric, string expected)
    {
        var results = GateEvaluation.Evaluate(Policy(to, tier), Candidate(from, to, tier, completeness, failingMetric));

        var blocked = results.Where(r => !r.Passed).Select(r => r.Name).ToList();
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), blocked);
        Assert.Equal(expected.Length > 0, GateEvaluation.Blocks(results));
        Assert.Equal(expected.Length == 0, GateEvaluation.Passes(results));
        Assert.All(results, r => Assert.StartsWith(r.Passed ? "passed: " : "blocked: ", r.Explanation, StringComparison.Ordinal));
    }

    [Fact]
    public void Completeness_below_the_minimum_names_what_is_missing()
    {
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with
        {
            CardCompleteness = 55,
            MissingCardSections = ["Out-of-scope uses", "Training data"],
        };
        var gate = Gate(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), candidate), Card);
        Assert.Equal("blocked: model card completeness 55 is below the required 80 (missing: Out-of-scope uses, Training data)", gate.Explanation);
    }

    [Fact]
    public void Completeness_at_the_minimum_passes()
    {
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { CardCompleteness = 80 };
        var gate = Gate(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), candidate), Card);
        Assert.Equal("passed: model card completeness 80 meets the required 80", gate.Explanation);
    }

    [Fact]
    public void Passing_thresholds_are_counted()
    {
        var results = GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), ApprovalsTestData.Candidate(Stage.Production, RiskTier.High));
        Assert.Equal("passed: all 3 metric thresholds pass", Gate(results, GateNames.MetricThresholds).Explanation);
    }

    [Theory]
    [InlineData("auc", "holdout", "age<25", 0.68, 0.70, true, "blocked: metric auc on holdout/age<25 is 0.68, below its threshold 0.70")]
    [InlineData("brier", "holdout", "overall", 0.2, 0.15, false, "blocked: metric brier on holdout is 0.20, above its threshold 0.15")]
    [InlineData("latency_ms", "replay", "", 181.25, 150, false, "blocked: metric latency_ms on replay is 181.25, above its threshold 150.00")]
    [InlineData("recall", "holdout", "overall", double.NaN, 0.5, true, "blocked: metric recall on holdout is NaN, below its threshold 0.50")]
    public void A_failing_threshold_says_which_metric_and_by_how_much(string name, string dataset, string slice, double value, double threshold, bool higherIsBetter, string explanation)
    {
        var metric = new MeasuredMetric(name, dataset, slice, value, threshold, higherIsBetter);
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Metrics = [metric] };
        var blocked = Assert.Single(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), candidate), r => !r.Passed);
        Assert.Equal(explanation, blocked.Explanation);
    }

    [Theory]
    [InlineData(0.70, true, true)]
    [InlineData(0.6999, true, false)]
    [InlineData(0.15, false, true)]
    [InlineData(0.1501, false, false)]
    public void A_metric_exactly_at_its_threshold_passes(double value, bool higherIsBetter, bool passes)
    {
        var threshold = higherIsBetter ? 0.70 : 0.15;
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Metrics = [new("m", "d", "overall", value, threshold, higherIsBetter)] };
        Assert.Equal(passes, GateEvaluation.Passes(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), candidate)));
    }

    [Fact]
    public void Thresholds_not_required_are_reported_but_do_not_block()
    {
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.Minimal) with { Metrics = [FailingYoungAuc] };
        var gate = Gate(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.Minimal), candidate), GateNames.MetricThresholds);
        Assert.True(gate.Passed);
        Assert.Equal("passed: metric thresholds are not required by this policy (1 of 1 thresholds fail)", gate.Explanation);
    }

    [Fact]
    public void No_threshold_declared_passes_and_says_so()
    {
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Metrics = [] };
        Assert.Equal("passed: no metric declares a threshold",
            Gate(GateEvaluation.Evaluate(Policy(Stage.Production, RiskTier.High), candidate), GateNames.MetricThresholds).Explanation);
    }

    private static readonly ChecklistSignOff SignedHipaa = new("hipaa", "HIPAA", true, []);
    private static readonly ChecklistSignOff OpenGdpr = new("gdpr", "GDPR", false,
        ["GDPR item gdpr-art-35-dpia (Art. 35): unanswered", "GDPR item gdpr-art-30-ropa (Art. 30): answered No without review"]);
    private static readonly ChecklistSignOff ManyMissing = new("eu-ai-act", "EU AI Act", false,
        [.. Enumerable.Range(1, 8).Select(i => $"EU AI Act item annex-iv-{i}: unanswered")]);
    private static readonly ChecklistSignOff AnsweredNotSigned = new("sr-11-7", "SR 11-7", false, []);

    public static TheoryData<bool, ChecklistSignOff[], string[]> ChecklistCases => new()
    {
        // The switch off: one informational line, whatever the checklists say.
        { false, [OpenGdpr], ["passed: this policy does not require checklist sign-offs"] },
        { true, [], ["passed: no checklist template applies to this model"] },
        { true, [SignedHipaa], ["passed: HIPAA is signed off"] },
        // One line per template, ordered by title; each blocked line names what is missing.
        { true, [SignedHipaa, OpenGdpr], [
            "blocked: GDPR is not signed off; missing: GDPR item gdpr-art-35-dpia (Art. 35): unanswered; GDPR item gdpr-art-30-ropa (Art. 30): answered No without review",
            "passed: HIPAA is signed off"] },
        { true, [ManyMissing], [
            "blocked: EU AI Act is not signed off; missing: EU AI Act item annex-iv-1: unanswered; EU AI Act item annex-iv-2: unanswered; " +
            "EU AI Act item annex-iv-3: unanswered; EU AI Act item annex-iv-4: unanswered; EU AI Act item annex-iv-5: unanswered; " +
            "EU AI Act item annex-iv-6: unanswered; EU AI Act item annex-iv-7: unanswered; EU AI Act item annex-iv-8: unanswered"] },
        { true, [AnsweredNotSigned], ["blocked: SR 11-7 is not signed off; missing: the sign-off by a compliance officer"] },
    };

    [Theory]
    [MemberData(nameof(ChecklistCases))]
    public void Checklists_gate_each_applicable_template_when_the_policy_asks(bool required, ChecklistSignOff[] checklists, string[] expected)
    {
        var policy = Policy(Stage.Production, RiskTier.High) with { RequireApplicableChecklistsSignedOff = required };
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Checklists = checklists };
        var results = GateEvaluation.Evaluate(policy, candidate).Where(r => r.Name.StartsWith(GateNames.Checklists, StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, results.Select(r => r.Explanation));
        Assert.Equal(expected.Any(e => e.StartsWith("blocked", StringComparison.Ordinal)), GateEvaluation.Blocks(GateEvaluation.Evaluate(policy, candidate)));
        // The page lists what the explanation names: each blocked template's missing items, one by one.
        Assert.All(results, r => Assert.Equal(r.Passed || !checklists.Any(c => r.Explanation.StartsWith($"blocked: {c.Title} ", StringComparison.Ordinal) && c.Missing.Count > 0)
            ? null : checklists.Single(c => r.Explanation.StartsWith($"blocked: {c.Title} ", StringComparison.Ordinal)).Missing, r.Missing));
        Assert.DoesNotContain(results, r => GateNames.Structural.Contains(r.Name));
    }

    private static readonly ChecklistNotApplicable NoPhi = new("hipaa", "HIPAA", "HIPAA does not apply: the model does not use PHI.");
    private const string NoPhiPasses = "passed: HIPAA is named by this policy and does not apply to this model. HIPAA does not apply: the model does not use PHI.";
    private const string OpenGdprBlocks =
        "blocked: GDPR is not signed off; missing: GDPR item gdpr-art-35-dpia (Art. 35): unanswered; GDPR item gdpr-art-30-ropa (Art. 30): answered No without review";

    // (switch, named templates, applicable checklists, inapplicable ones, expected explanations in gate order)
    public static TheoryData<bool, string[], ChecklistSignOff[], ChecklistNotApplicable[], string[]> NamedChecklistCases => new()
    {
        // Named and applying: judged like the switch judges it, even with the switch off; templates not named are not judged.
        { false, ["gdpr"], [SignedHipaa, OpenGdpr], [], [OpenGdprBlocks] },
        { false, ["hipaa"], [SignedHipaa, OpenGdpr], [], ["passed: HIPAA is signed off"] },
        { false, ["eu-ai-act"], [ManyMissing], [], [
            "blocked: EU AI Act is not signed off; missing: EU AI Act item annex-iv-1: unanswered; EU AI Act item annex-iv-2: unanswered; " +
            "EU AI Act item annex-iv-3: unanswered; EU AI Act item annex-iv-4: unanswered; EU AI Act item annex-iv-5: unanswered; " +
            "EU AI Act item annex-iv-6: unanswered; EU AI Act item annex-iv-7: unanswered; EU AI Act item annex-iv-8: unanswered"] },
        { false, ["sr-11-7"], [AnsweredNotSigned], [], ["blocked: SR 11-7 is not signed off; missing: the sign-off by a compliance officer"] },
        // Named but not applying: passes, saying why.
        { false, ["hipaa"], [OpenGdpr], [NoPhi], [NoPhiPasses] },
        { false, ["hipaa", "gdpr"], [OpenGdpr], [NoPhi], [OpenGdprBlocks, NoPhiPasses] },
        // Named twice (an old row): judged once.
        { false, ["gdpr", "gdpr"], [OpenGdpr], [], [OpenGdprBlocks] },
        // Beside the switch: every applicable template once, the named inapplicable one explained.
        { true, ["gdpr", "hipaa"], [OpenGdpr, SignedEuAiAct], [NoPhi], ["passed: EU AI Act is signed off", OpenGdprBlocks, NoPhiPasses] },
        { true, ["hipaa"], [], [NoPhi], [NoPhiPasses] },
        // Gone from the library when judged: nobody can sign it off.
        { false, ["retired-template"], [OpenGdpr], [NoPhi], ["blocked: checklist template 'retired-template', named by this policy, is not in the checklist library"] },
        // Nothing named, switch off: as before.
        { false, [], [OpenGdpr], [NoPhi], ["passed: this policy does not require checklist sign-offs"] },
    };

    private static readonly ChecklistSignOff SignedEuAiAct = new("eu-ai-act", "EU AI Act", true, []);

    [Theory]
    [MemberData(nameof(NamedChecklistCases))]
    public void Checklists_named_by_the_policy_block_until_signed_off_where_they_apply(
        bool switchOn, string[] named, ChecklistSignOff[] applicable, ChecklistNotApplicable[] inapplicable, string[] expected)
    {
        var policy = Policy(Stage.Production, RiskTier.High) with { RequireApplicableChecklistsSignedOff = switchOn, RequiredChecklistTemplates = named };
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Checklists = applicable, InapplicableChecklists = inapplicable };
        var all = GateEvaluation.Evaluate(policy, candidate);
        var results = all.Where(r => r.Name.StartsWith(GateNames.Checklists, StringComparison.Ordinal)).ToList();
        Assert.Equal(expected, results.Select(r => r.Explanation));
        Assert.Equal(expected.Any(e => e.StartsWith("blocked", StringComparison.Ordinal)), GateEvaluation.Blocks(all));
        Assert.All(results.Where(r => r.Explanation.StartsWith("blocked: GDPR", StringComparison.Ordinal)), r => Assert.Equal("Checklists: GDPR", r.Name));
    }

    /// <summary>The whole list, in order: the checklist gate (one line per applicable template) is the only sign-off gate.</summary>
    [Theory]
    [InlineData(true, "Policy", "Route", "Model card completeness", "Metric thresholds", "Checklists: GDPR", "Checklists: HIPAA", "Production champion")]
    [InlineData(false, "Policy", "Route", "Model card completeness", "Metric thresholds", "Checklists", "Production champion")]
    public void A_production_promotion_faces_these_gates_in_this_order(bool checklistsRequired, params string[] expected)
    {
        var policy = Policy(Stage.Production, RiskTier.High) with { RequireApplicableChecklistsSignedOff = checklistsRequired };
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Checklists = [SignedHipaa, OpenGdpr] };

        Assert.Equal(expected, GateEvaluation.Evaluate(policy, candidate).Select(r => r.Name));
    }

    [Theory]
    [InlineData(Stage.Development, Stage.Production, "blocked: promotion from Development to Production is not allowed; promote to Staging first")]
    [InlineData(Stage.Retired, Stage.Production, "blocked: promotion from Retired to Production is not allowed; this policy allows it from Staging only")]
    [InlineData(Stage.Production, Stage.Staging, "blocked: promotion from Production to Staging is not allowed; this policy allows it from Development only")]
    [InlineData(Stage.Production, Stage.Production, "blocked: the version is already in Production")]
    [InlineData(Stage.Staging, Stage.Production, "passed: promotion from Staging to Production is allowed")]
    public void The_route_explains_which_step_comes_first(Stage from, Stage to, string explanation)
    {
        var candidate = ApprovalsTestData.Candidate(to, RiskTier.High) with { CurrentStage = from };
        Assert.Equal(explanation, Gate(GateEvaluation.Evaluate(Policy(to, RiskTier.High), candidate), GateNames.Route).Explanation);
    }

    [Theory]
    [InlineData(Stage.Staging)]
    [InlineData(Stage.Production)]
    public void A_prohibited_model_is_blocked_citing_article_5_and_nothing_else(Stage target)
    {
        var result = Assert.Single(GateEvaluation.Evaluate(Policy(target, RiskTier.Prohibited), ApprovalsTestData.Candidate(target, RiskTier.Prohibited)));
        Assert.False(result.Passed);
        Assert.StartsWith("blocked: the model is Prohibited under the EU AI Act Art. 5", result.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prohibited_model_is_blocked_even_under_a_lenient_policy()
    {
        var result = Assert.Single(GateEvaluation.Evaluate(Policy(Stage.Staging, RiskTier.Minimal), ApprovalsTestData.Candidate(Stage.Staging, RiskTier.Prohibited)));
        Assert.Equal(GateNames.RiskTier, result.Name);
        Assert.False(result.Passed);
    }

    [Theory]
    [InlineData(Stage.Staging, RiskTier.High, Stage.Production, RiskTier.High)]
    [InlineData(Stage.Production, RiskTier.Minimal, Stage.Production, RiskTier.High)]
    public void A_policy_for_another_stage_or_tier_blocks(Stage policyStage, RiskTier policyTier, Stage target, RiskTier tier)
    {
        var gate = Gate(GateEvaluation.Evaluate(Policy(policyStage, policyTier), ApprovalsTestData.Candidate(target, tier)), GateNames.Policy);
        Assert.False(gate.Passed);
        Assert.Contains($"policy was given for a promotion to {target} of a {tier}-risk model", gate.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RiskTier.High, false, true, false, "passed: no other version is in Production; this one becomes the champion")]
    [InlineData(RiskTier.High, true, true, true, "passed: another version is in Production; this one replaces it as the champion")]
    [InlineData(RiskTier.Minimal, true, true, false, "passed: another version is in Production and stays there; this policy allows several (shadow/canary)")]
    public void The_production_champion_gate_says_what_happens_to_the_current_champion(RiskTier tier, bool another, bool passed, bool replaces, string explanation)
    {
        var policy = Policy(Stage.Production, tier);
        var candidate = ApprovalsTestData.Candidate(Stage.Production, tier) with { AnotherVersionInProduction = another };
        var gate = Gate(GateEvaluation.Evaluate(policy, candidate), GateNames.ProductionChampion);
        Assert.Equal(passed, gate.Passed);
        Assert.Equal(explanation, gate.Explanation);
        Assert.Equal(replaces, GateEvaluation.ReplacesProductionChampion(policy, candidate));
    }

    [Fact]
    public void Staging_promotions_have_no_champion_gate() =>
        Assert.DoesNotContain(GateEvaluation.Evaluate(Policy(Stage.Staging, RiskTier.High), ApprovalsTestData.Candidate(Stage.Staging, RiskTier.High)),
            r => r.Name == GateNames.ProductionChampion);

    [Fact]
    public void Evaluation_is_deterministic_whatever_the_order_of_metrics()
    {
        var policy = Policy(Stage.Production, RiskTier.High);
        var failing = new MeasuredMetric[]
        {
            new("auc", "holdout", "overall", 0.6, 0.75, true),
            FailingYoungAuc,
            new("brier", "holdout", "overall", 0.3, 0.15, false),
        };
        var candidate = ApprovalsTestData.Candidate(Stage.Production, RiskTier.High) with { Metrics = failing };
        var reversed = candidate with { Metrics = [.. failing.Reverse()] };

        var first = GateEvaluation.Evaluate(policy, candidate);
        Assert.Equal(first, GateEvaluation.Evaluate(policy, candidate));
        Assert.Equal(first, GateEvaluation.Evaluate(policy, reversed));
        Assert.Equal(
            ["blocked: metric auc on holdout is 0.60, below its threshold 0.75",
             "blocked: metric auc on holdout/age<25 is 0.68, below its threshold 0.70",
             "blocked: metric brier on holdout is 0.30, above its threshold 0.15"],
            GateEvaluation.Blocking(first));
    }

    private static GateResult Gate(IReadOnlyList<GateResult> results, string name) => Assert.Single(results, r => r.Name == name);
}
