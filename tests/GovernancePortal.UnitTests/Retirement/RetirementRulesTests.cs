using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Retirement;

public sealed class RetirementRulesTests
{
    private static readonly DateOnly Planned = new(2026, 9, 30);

    [Theory]
    [InlineData(-1, RetirementStatus.Scheduled)]
    [InlineData(0, RetirementStatus.Due)]
    [InlineData(1, RetirementStatus.Overdue)]
    [InlineData(400, RetirementStatus.Overdue)]
    public void A_scheduled_plan_is_due_on_its_day_and_overdue_after(int daysAfter, RetirementStatus expected) =>
        Assert.Equal(expected, RetirementRules.StatusOf(RetirementState.Scheduled, Planned, Planned.AddDays(daysAfter)));

    [Theory]
    [InlineData(RetirementState.Retiring, RetirementStatus.Retiring)]
    [InlineData(RetirementState.Retired, RetirementStatus.Retired)]
    [InlineData(RetirementState.Cancelled, RetirementStatus.Cancelled)]
    public void Stored_states_past_scheduled_do_not_depend_on_the_date(RetirementState state, RetirementStatus expected)
    {
        Assert.Equal(expected, RetirementRules.StatusOf(state, Planned, Planned.AddDays(-30)));
        Assert.Equal(expected, RetirementRules.StatusOf(state, Planned, Planned.AddDays(30)));
    }

    [Fact]
    public void The_state_machine_allows_only_scheduled_to_retiring_to_retired_back_to_scheduled_and_cancelling_a_scheduled_plan()
    {
        var allowed = new Dictionary<(RetirementState, RetirementEvent), RetirementState>
        {
            [(RetirementState.Scheduled, RetirementEvent.DecommissionRequested)] = RetirementState.Retiring,
            [(RetirementState.Retiring, RetirementEvent.DecommissionApproved)] = RetirementState.Retired,
            [(RetirementState.Retiring, RetirementEvent.DecommissionEnded)] = RetirementState.Scheduled,
            [(RetirementState.Scheduled, RetirementEvent.Cancelled)] = RetirementState.Cancelled,
        };
        foreach (var state in Enum.GetValues<RetirementState>())
        {
            foreach (var @event in Enum.GetValues<RetirementEvent>())
            {
                Assert.Equal(allowed.TryGetValue((state, @event), out var next) ? next : null, RetirementRules.Next(state, @event));
            }
        }
        // Retired and cancelled plans are final for every event but re-planning, which the service does on the row.
        Assert.Null(RetirementRules.WhyCannotCancel(RetirementState.Scheduled));
        Assert.Contains("withdraw", RetirementRules.WhyCannotCancel(RetirementState.Retiring));
        Assert.Contains("cannot be cancelled", RetirementRules.WhyCannotCancel(RetirementState.Retired));
        Assert.Contains("already cancelled", RetirementRules.WhyCannotCancel(RetirementState.Cancelled));
        Assert.Null(RetirementRules.WhyCannotChange(RetirementState.Cancelled, Stage.Production));
        Assert.Null(RetirementRules.WhyCannotChange(null, Stage.Staging));
        Assert.NotNull(RetirementRules.WhyCannotChange(RetirementState.Retiring, Stage.Production));
        Assert.NotNull(RetirementRules.WhyCannotChange(null, Stage.Retired));
    }

    [Theory]
    [InlineData(-120, null)]
    [InlineData(-91, null)]
    [InlineData(-90, "90-days-before")]
    [InlineData(-31, "90-days-before")]
    [InlineData(-30, "30-days-before")]
    [InlineData(-8, "30-days-before")]
    [InlineData(-7, "7-days-before")]
    [InlineData(-1, "7-days-before")]
    [InlineData(0, "on-the-day")]
    [InlineData(6, "on-the-day")]
    [InlineData(7, "overdue-week-1")]
    [InlineData(13, "overdue-week-1")]
    [InlineData(14, "overdue-week-2")]
    [InlineData(70, "overdue-week-10")]
    public void The_reminder_due_is_the_latest_of_90_30_7_days_before_the_day_and_each_week_overdue(int daysAfter, string? kind) =>
        Assert.Equal(kind, RetirementRules.DueReminder(Planned, Planned.AddDays(daysAfter))?.Kind);

    [Fact]
    public void Walking_day_by_day_gives_each_reminder_once_in_order()
    {
        var sent = new List<string>();
        for (var day = Planned.AddDays(-100); day <= Planned.AddDays(22); day = day.AddDays(1))
        {
            if (RetirementRules.DueReminder(Planned, day) is { } reminder && !sent.Contains(reminder.Kind))
            {
                sent.Add(reminder.Kind);
                Assert.Equal(day, reminder.DueOn);
            }
        }
        Assert.Equal(["90-days-before", "30-days-before", "7-days-before", "on-the-day", "overdue-week-1", "overdue-week-2", "overdue-week-3"], sent);
    }

    [Fact]
    public void Only_owners_of_the_model_or_its_team_plan()
    {
        var owner = new Caller("owner@demo.test", [Roles.ModelOwner], "Credit");
        Assert.Null(RetirementRules.WhyCannotPlan(owner, "owner@demo.test", "Other"));
        Assert.Null(RetirementRules.WhyCannotPlan(owner with { Username = "mate@demo.test" }, "owner@demo.test", "Credit"));
        Assert.NotNull(RetirementRules.WhyCannotPlan(owner with { Team = "Clinical" }, "someone@demo.test", "Credit"));
        Assert.NotNull(RetirementRules.WhyCannotPlan(new Caller("compliance@demo.test", [Roles.ComplianceOfficer], "Credit"), "owner@demo.test", "Credit"));
        Assert.NotNull(RetirementRules.WhyCannotPlan(new Caller("admin@demo.test", [Roles.Admin], "Credit"), "owner@demo.test", "Credit"));
    }

    [Fact]
    public void A_plan_needs_a_future_date_a_reason_and_a_successor_or_why_none()
    {
        var today = Planned.AddDays(-10);
        Assert.Empty(RetirementRules.Problems(Planned, today, RetirementReason.Superseded, true, null, "", []));
        Assert.Empty(RetirementRules.Problems(Planned, today, RetirementReason.Other, false, "The use case ends.", null, []));
        Assert.Equal(["plannedDate"], RetirementRules.Problems(today, today, RetirementReason.Superseded, true, null, null, []).Keys);
        Assert.Equal(["plannedDate"], RetirementRules.Problems(today.AddDays(-1), today, RetirementReason.Superseded, true, null, null, []).Keys);
        Assert.Equal(["plannedDate", "reason"], RetirementRules.Problems(null, today, null, true, null, null, []).Keys.Order());
        Assert.Equal(["noSuccessorReason"], RetirementRules.Problems(Planned, today, RetirementReason.Regulatory, false, " ", null, []).Keys);
        Assert.Equal(["noSuccessorReason"], RetirementRules.Problems(Planned, today, RetirementReason.Regulatory, true, "both", null, []).Keys);
        Assert.Equal(["note"], RetirementRules.Problems(Planned, today, RetirementReason.Regulatory, true, null, new string('x', 2001), []).Keys);
        Assert.Equal(["notify"], RetirementRules.Problems(Planned, today, RetirementReason.Regulatory, true, null, null,
            Enumerable.Range(0, 21).Select(i => $"p{i}").ToList()).Keys);
    }

    [Fact]
    public void Retention_is_the_longest_period_that_applies()
    {
        var retired = new DateOnly(2026, 12, 7);
        Assert.Equal(new DateOnly(2036, 12, 7), RetirementRules.RetentionEnd(retired, RiskTier.High, DataCategories.ProtectedHealthInformation, 5).Until);
        Assert.Equal(new DateOnly(2032, 12, 7), RetirementRules.RetentionEnd(retired, RiskTier.Limited, DataCategories.ProtectedHealthInformation, 5).Until);
        Assert.Contains("164.316(b)(2)", RetirementRules.RetentionEnd(retired, RiskTier.Limited, DataCategories.ProtectedHealthInformation, 5).Basis);
        Assert.Equal((new DateOnly(2031, 12, 7), "the portal's default retention"), RetirementRules.RetentionEnd(retired, RiskTier.Minimal, DataCategories.None, 5));
    }
}
