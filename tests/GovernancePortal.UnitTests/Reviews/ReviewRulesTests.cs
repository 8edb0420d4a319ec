using GovernancePortal.Approvals;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Reviews;

/// <summary>The periodic review cycle, assessment, separation of duties, reminders and gate (issue 15, item 4; ADR-026).</summary>
public sealed class ReviewRulesTests
{
    private static readonly DateTimeOffset Approved = new(2026, 3, 10, 15, 30, 0, TimeSpan.Zero);

    private static ProductionEntry Entry(int major, int daysAfter) => new(major, Approved.AddDays(daysAfter));

    [Fact]
    public void Defaults_review_high_risk_yearly_limited_every_two_years_minimal_every_three_and_prohibited_never()
    {
        Assert.Equal([(RiskTier.Minimal, 36, false), (RiskTier.Limited, 24, false), (RiskTier.High, 12, true), (RiskTier.Prohibited, (int?)null, false)],
            ReviewPolicies.Defaults.Select(p => (p.RiskTier, p.IntervalMonths, p.BlocksPromotionsWhenOverdue)));
    }

    [Fact]
    public void The_cycle_starts_with_the_first_production_entry_of_the_current_major_and_restarts_with_a_new_major()
    {
        Assert.Null(ReviewRules.CycleStart([]));
        Assert.Equal(new DateOnly(2026, 3, 10), ReviewRules.CycleStart([Entry(1, 0)]));
        // Minor versions of the same major keep the cycle.
        Assert.Equal(new DateOnly(2026, 3, 10), ReviewRules.CycleStart([Entry(1, 0), Entry(1, 40), Entry(1, 90)]));
        // A new major restarts it; going back to an older major (a rollback) restarts it again.
        Assert.Equal(new DateOnly(2026, 3, 10).AddDays(90), ReviewRules.CycleStart([Entry(1, 0), Entry(1, 40), Entry(2, 90), Entry(2, 120)]));
        Assert.Equal(new DateOnly(2026, 3, 10).AddDays(130), ReviewRules.CycleStart([Entry(1, 0), Entry(2, 90), Entry(1, 130)]));
    }

    [Fact]
    public void A_review_is_due_one_interval_after_the_cycle_start_or_the_last_sign_off_in_the_cycle()
    {
        var start = new DateOnly(2026, 3, 10);
        Assert.Equal(new DateOnly(2027, 3, 10), ReviewRules.DueDate(start, null, 12));
        Assert.Equal(new DateOnly(2028, 2, 1), ReviewRules.DueDate(start, new DateOnly(2027, 2, 1), 12));
        // A sign-off from before the cycle (the previous major's) does not count.
        Assert.Equal(new DateOnly(2028, 3, 10), ReviewRules.DueDate(start, new DateOnly(2025, 12, 1), 24));
        // The end of a month stays in its month.
        Assert.Equal(new DateOnly(2027, 2, 28), ReviewRules.DueDate(new DateOnly(2026, 1, 31), null, 13));
    }

    [Theory]
    [InlineData(-31, ReviewStatus.Upcoming)]
    [InlineData(-30, ReviewStatus.Due)]
    [InlineData(0, ReviewStatus.Due)]
    [InlineData(1, ReviewStatus.Overdue)]
    public void Status_follows_from_the_due_date_and_today(int daysFromDue, ReviewStatus expected)
    {
        var due = new DateOnly(2027, 3, 10);
        Assert.Equal(expected, ReviewRules.StatusOf(due, due.AddDays(daysFromDue)));
    }

    [Fact]
    public void Every_question_needs_yes_or_no_and_a_comment_and_unknown_questions_are_named()
    {
        var complete = ReviewRules.Questions.Select(q => new ReviewAnswer(q.Id, q.Reassuring, "Looked at the monitoring dashboard.")).ToList();
        Assert.Empty(ReviewRules.Problems(complete));
        Assert.Empty(ReviewRules.Concerns(complete));

        var problems = ReviewRules.Problems([.. complete.Skip(2), new ReviewAnswer("thresholds-met", null, "x"), new ReviewAnswer("drift-seen", true, " "),
            new ReviewAnswer("weather", true, "Sunny.")]);
        Assert.Equal(["drift-seen", "thresholds-met", "weather"], problems.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Answer yes or no.", problems["thresholds-met"][0]);
        Assert.Contains("rests on", problems["drift-seen"][0], StringComparison.Ordinal);
        Assert.Equal(ReviewRules.Questions.Count, ReviewRules.Problems(null).Count);
        Assert.Contains("2,000", ReviewRules.Problems([.. complete.Skip(1), new ReviewAnswer("thresholds-met", true, new string('x', 2001))])["thresholds-met"][0],
            StringComparison.Ordinal);

        var worrying = complete.Select(a => a.Question == "drift-seen" ? a with { Answer = true } : a).ToList();
        Assert.Equal(["drift-seen"], ReviewRules.Concerns(worrying).Select(q => q.Id));
    }

    [Fact]
    public void Owners_and_their_team_answer_officers_who_did_not_answer_and_do_not_own_the_model_decide()
    {
        var owner = new Caller("owner@demo.test", [Roles.ModelOwner], "Credit Risk");
        var teammate = new Caller("mate@demo.test", [Roles.ModelOwner], "Credit Risk");
        var stranger = new Caller("other@demo.test", [Roles.ModelOwner], "Fraud");
        var officer = new Caller("compliance@demo.test", [Roles.ComplianceOfficer], "Compliance");
        var owningOfficer = new Caller("both@demo.test", [Roles.ModelOwner, Roles.ComplianceOfficer], "Credit Risk");

        Assert.Null(ReviewRules.WhyCannotAnswer(owner, owner.Username, "Credit Risk"));
        Assert.Null(ReviewRules.WhyCannotAnswer(teammate, owner.Username, "Credit Risk"));
        Assert.NotNull(ReviewRules.WhyCannotAnswer(stranger, owner.Username, "Credit Risk"));
        Assert.NotNull(ReviewRules.WhyCannotAnswer(officer, owner.Username, "Credit Risk"));

        Assert.Null(ReviewRules.WhyCannotDecide(officer, owner.Username, owner.Username));
        Assert.NotNull(ReviewRules.WhyCannotDecide(owner, teammate.Username, owner.Username));
        // Separation of duties: who answered, or owns the model, cannot sign it off even holding the officer role.
        Assert.Contains("Separation of duties", ReviewRules.WhyCannotDecide(owningOfficer, owningOfficer.Username, owner.Username), StringComparison.Ordinal);
        Assert.Contains("Separation of duties", ReviewRules.WhyCannotDecide(owningOfficer, teammate.Username, owningOfficer.Username), StringComparison.Ordinal);
        Assert.Null(ReviewRules.WhyCannotDecide(owningOfficer, teammate.Username, owner.Username));
    }

    [Theory]
    [InlineData(-31, null)]
    [InlineData(-30, "due-in-30")]
    [InlineData(-3, "due-in-30")]
    [InlineData(0, "due")]
    [InlineData(6, "due")]
    [InlineData(7, "overdue-week-1")]
    [InlineData(20, "overdue-week-2")]
    public void Reminders_go_thirty_days_before_on_the_day_and_weekly_while_overdue(int daysFromDue, string? kind)
    {
        var due = new DateOnly(2027, 3, 10);
        var reminder = ReviewRules.DueReminder(due, due.AddDays(daysFromDue));
        Assert.Equal(kind, reminder?.Kind);
        Assert.Equal(daysFromDue > 0, reminder?.Overdue ?? false);
    }

    [Fact]
    public void The_review_gate_blocks_promotions_while_overdue_and_is_absent_when_the_policy_does_not_block()
    {
        PromotionCandidate Candidate(PeriodicReviewCandidate? review) =>
            new(Stage.Development, Stage.Staging, RiskTier.High, 90, [], [], AnotherVersionInProduction: true) { PeriodicReview = review };
        var policy = PromotionPolicies.Default(Stage.Staging, RiskTier.High)!;

        Assert.DoesNotContain(GateEvaluation.Evaluate(policy, Candidate(null)), g => g.Name == GateNames.PeriodicReview);
        var passed = GateEvaluation.Evaluate(policy, Candidate(new(new DateOnly(2027, 3, 10), false, 1))).Single(g => g.Name == GateNames.PeriodicReview);
        Assert.Equal("passed: the model's periodic review is due on 2027-03-10", passed.Explanation);
        var blocked = GateEvaluation.Evaluate(policy, Candidate(new(new DateOnly(2027, 3, 10), true, 2)));
        Assert.True(GateEvaluation.Blocks(blocked));
        Assert.StartsWith("blocked: the model's periodic review was due on 2027-03-10 and is overdue; the review policy (version 2)",
            blocked.Single(g => g.Name == GateNames.PeriodicReview).Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RiskTier.High, 0, "x", "intervalMonths")]
    [InlineData(RiskTier.High, 121, "x", "intervalMonths")]
    [InlineData(RiskTier.Prohibited, 12, "x", "intervalMonths")]
    [InlineData(RiskTier.High, 12, " ", "changeNote")]
    public void Policy_edits_need_a_sensible_interval_and_a_note(RiskTier tier, int interval, string note, string field)
    {
        Assert.Equal([field], ReviewPolicies.Problems(tier, interval, note).Keys);
        Assert.Empty(ReviewPolicies.Problems(RiskTier.Prohibited, null, "Never reviewed."));
        Assert.Empty(ReviewPolicies.Problems(RiskTier.Minimal, null, "No reviews for minimal risk."));
    }
}
