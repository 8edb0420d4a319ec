using GovernancePortal.Identity;
using GovernancePortal.Registry;
using static GovernancePortal.Approvals.ApprovalsTestData;

namespace GovernancePortal.Approvals;

public sealed class RollbackRulesTests
{
    private static readonly Dictionary<string, Caller> People = new()
    {
        ["owner"] = Owner,
        ["teammate"] = TeamMate,
        ["teammate-officer"] = TeamMateOfficer,
        ["other-owner"] = OtherOwner,
        ["officer"] = Officer,
        ["officer2"] = Officer2,
        ["viewer"] = Viewer,
        ["auditor"] = Auditor,
        ["admin"] = Admin,
        ["admin-officer"] = AdminOfficer,
        ["auditor-officer"] = AuditorOfficer,
        ["owner-and-officer"] = new("both@demo.test", [Roles.ModelOwner, Roles.ComplianceOfficer], CreditTeam),
        ["outside-owner-and-officer"] = new("both2@demo.test", [Roles.ModelOwner, Roles.ComplianceOfficer], "Model Risk Management"),
    };

    private static readonly Guid V1 = Guid.NewGuid(), V2 = Guid.NewGuid(), V3 = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = Created;

    private static RollbackVersion Version(Guid id, Stage stage) => new(id, id == V1 ? "1.0.0" : id == V2 ? "1.1.0" : "1.2.0", stage);

    /// <summary>The <paramref name="nth"/> change committed.</summary>
    private static ProductionEntry Entered(Guid id, int nth) => new(id, nth);

    private static string Summary((RollbackPlan? Plan, RollbackRefusal? Refusal) result) =>
        result.Plan is { } plan ? $"{plan.From.Number}->{plan.To.Number}" : result.Refusal!.Kind.ToString();

    [Fact]
    public void The_champion_is_rolled_back_to_the_version_that_entered_production_before_it()
    {
        var result = RollbackRules.Plan(
            [Version(V1, Stage.Staging), Version(V2, Stage.Staging), Version(V3, Stage.Production)],
            [Entered(V1, 1), Entered(V2, 2), Entered(V3, 3)], []);

        Assert.Equal("1.2.0->1.1.0", Summary(result));
    }

    [Fact]
    public void The_history_is_taken_in_commit_order_whatever_order_it_is_handed_in()
    {
        var result = RollbackRules.Plan(
            [Version(V1, Stage.Staging), Version(V2, Stage.Staging), Version(V3, Stage.Production)],
            [Entered(V2, 20), Entered(V3, 30), Entered(V1, 10)], []);

        Assert.Equal("1.2.0->1.1.0", Summary(result));
    }

    [Fact]
    public void A_second_rollback_skips_the_version_already_rolled_back_and_goes_one_further()
    {
        // 1.2.0 was rolled back to 1.1.0; rolling back again must not restore 1.2.0.
        var result = RollbackRules.Plan(
            [Version(V1, Stage.Staging), Version(V2, Stage.Production), Version(V3, Stage.Staging)],
            [Entered(V1, 1), Entered(V2, 2), Entered(V3, 3), Entered(V2, 4)], [new RolledBackVersion(V3, 4)]);

        Assert.Equal("1.1.0->1.0.0", Summary(result));
    }

    [Fact]
    public void A_version_promoted_again_after_being_rolled_back_counts_again()
    {
        var result = RollbackRules.Plan(
            [Version(V1, Stage.Staging), Version(V2, Stage.Staging), Version(V3, Stage.Production)],
            [Entered(V2, 2), Entered(V3, 3), Entered(V2, 4), Entered(V1, 5), Entered(V3, 6)], [new RolledBackVersion(V3, 4)]);

        Assert.Equal("1.2.0->1.0.0", Summary(result));
    }

    public static TheoryData<string, Stage[], int[], string> NoPlanCases => new()
    {
        // name, stages of V1..V3, the nth committed change that put V1..V3 in production (0 = never), expected
        { "nothing in production", [Stage.Staging, Stage.Staging, Stage.Development], [1, 2, 0], "NothingToRestore" },
        { "two in production (canary)", [Stage.Staging, Stage.Production, Stage.Production], [1, 2, 3], "NothingToRestore" },
        { "champion has no recorded entry", [Stage.Staging, Stage.Staging, Stage.Production], [1, 2, 0], "NothingToRestore" },
        { "first ever champion", [Stage.Development, Stage.Development, Stage.Production], [0, 0, 3], "NothingToRestore" },
        { "previous one retired", [Stage.Staging, Stage.Retired, Stage.Production], [1, 2, 3], "NothingToRestore" },
        { "previous one archived", [Stage.Staging, Stage.Archived, Stage.Production], [1, 2, 3], "NothingToRestore" },
    };

    [Theory]
    [MemberData(nameof(NoPlanCases))]
    public void Without_a_single_champion_and_a_restorable_predecessor_there_is_no_plan(string name, Stage[] stages, int[] entered, string expected)
    {
        Guid[] ids = [V1, V2, V3];
        var entries = ids.Zip(entered).Where(p => p.Second > 0).Select(p => Entered(p.First, p.Second)).ToList();

        var result = RollbackRules.Plan(ids.Zip(stages).Select(p => Version(p.First, p.Second)).ToList(), entries, []);

        Assert.True(expected == Summary(result), name);
        Assert.False(string.IsNullOrWhiteSpace(result.Refusal!.Message));
    }

    [Fact]
    public void A_retired_predecessor_is_named_in_the_refusal()
    {
        var (_, refusal) = RollbackRules.Plan([Version(V2, Stage.Retired), Version(V3, Stage.Production)], [Entered(V2, 2), Entered(V3, 3)], []);

        Assert.Equal("1.1.0, the version in Production before 1.2.0, is now Retired; only a version waiting in Staging is restored.", refusal!.Message);
    }

    [Theory]
    [InlineData("owner", "ModelOwner")]
    [InlineData("teammate", "ModelOwner")]
    [InlineData("owner-and-officer", "ModelOwner")]
    [InlineData("officer", "ComplianceOfficer")]
    [InlineData("outside-owner-and-officer", "ComplianceOfficer")]
    [InlineData("teammate-officer", "NotAllowed")]
    [InlineData("other-owner", "NotAllowed")]
    [InlineData("viewer", "NotAllowed")]
    [InlineData("auditor", "NotAllowed")]
    [InlineData("admin", "NotAllowed")]
    [InlineData("admin-officer", "NotAllowed")]
    [InlineData("auditor-officer", "NotAllowed")]
    public void Each_person_takes_the_owning_side_the_independent_officer_side_or_none(string person, string expected)
    {
        var (role, refusal) = RollbackRules.SideOf(People[person], Owner.Username, CreditTeam);

        Assert.Equal(expected, role ?? refusal!.Kind.ToString());
    }

    private static readonly RollbackPlan StartedPlan = new(Version(V3, Stage.Production), Version(V2, Stage.Staging));

    private static PendingRollback Started(string by, RollbackState state = RollbackState.Pending) => new(
        People[by].Username, RollbackRules.SideOf(People[by], Owner.Username, CreditTeam).Role!, T0, state, V3, V2, Owner.Username, CreditTeam);

    [Theory]
    [InlineData("owner", "officer", null)]
    [InlineData("owner", "officer2", null)]
    [InlineData("teammate", "officer", null)]
    [InlineData("officer", "owner", null)]
    [InlineData("officer", "teammate", null)]
    [InlineData("owner", "owner", "SeparationOfDuties")]
    [InlineData("officer", "officer", "SeparationOfDuties")]
    [InlineData("owner", "teammate", "SeparationOfDuties")]
    [InlineData("officer", "officer2", "SeparationOfDuties")]
    [InlineData("owner", "teammate-officer", "NotAllowed")]
    [InlineData("owner", "admin-officer", "NotAllowed")]
    [InlineData("owner", "auditor-officer", "NotAllowed")]
    [InlineData("owner", "viewer", "NotAllowed")]
    [InlineData("officer", "other-owner", "NotAllowed")]
    [InlineData("owner", "owner-and-officer", "SeparationOfDuties")]
    public void Confirmation_needs_another_person_from_the_other_side(string starter, string confirmer, string? expected)
    {
        var refusal = RollbackRules.WhyCannotConfirm(Started(starter), People[confirmer], StartedPlan, T0.AddHours(1));

        Assert.Equal(expected, refusal?.Kind.ToString());
    }

    [Fact]
    public void A_case_variant_of_the_starters_name_is_the_same_person()
    {
        var shouting = new Caller("OWNER@DEMO.TEST", [Roles.ComplianceOfficer], "Model Risk Management");

        Assert.Equal(RollbackRefusalKind.SeparationOfDuties, RollbackRules.WhyCannotConfirm(Started("owner"), shouting, StartedPlan, T0.AddHours(1))!.Kind);
    }

    [Theory]
    [InlineData(23 * 60 + 59, null)]
    [InlineData(24 * 60, "Expired")]
    public void Confirmation_is_refused_from_the_end_of_its_window(int minutes, string? expected) =>
        Assert.Equal(expected, RollbackRules.WhyCannotConfirm(Started("owner"), Officer, StartedPlan, T0.AddMinutes(minutes))?.Kind.ToString());

    public static TheoryData<string, RollbackPlan?> StalePlans => new()
    {
        { "someone else is in production now", new(Version(V1, Stage.Production), Version(V2, Stage.Staging)) },
        { "the target changed", new(Version(V3, Stage.Production), Version(V1, Stage.Staging)) },
        { "no plan any more", null },
    };

    [Theory]
    [MemberData(nameof(StalePlans))]
    public void A_rollback_is_stale_once_production_changed(string name, RollbackPlan? now) =>
        Assert.True(RollbackRules.WhyCannotConfirm(Started("owner"), Officer, now, T0.AddHours(1))?.Kind == RollbackRefusalKind.Stale, name);

    [Theory]
    [InlineData(RollbackState.Confirmed)]
    [InlineData(RollbackState.Cancelled)]
    public void An_ended_rollback_is_neither_confirmed_nor_cancelled(RollbackState state)
    {
        Assert.Equal(RollbackRefusalKind.AlreadyDecided, RollbackRules.WhyCannotConfirm(Started("owner", state), Officer, StartedPlan, T0.AddHours(1))!.Kind);
        Assert.Equal(RollbackRefusalKind.AlreadyDecided, RollbackRules.WhyCannotCancel(Started("owner", state), Owner, T0.AddHours(1))!.Kind);
    }

    /// <summary>Whether or not the job has stored the expiry, the second person and the starter are told the same thing.</summary>
    [Theory]
    [InlineData(RollbackState.Pending, 24 * 60)]
    [InlineData(RollbackState.Pending, 30 * 24 * 60)]
    [InlineData(RollbackState.Expired, 24 * 60)]
    [InlineData(RollbackState.Expired, 60)]
    public void An_expired_rollback_is_neither_confirmed_nor_cancelled_whether_or_not_the_job_stored_it(RollbackState stored, int minutes)
    {
        var rollback = Started("owner", stored);
        var at = T0.AddMinutes(minutes);

        var confirm = RollbackRules.WhyCannotConfirm(rollback, Officer, StartedPlan, at);
        var cancel = RollbackRules.WhyCannotCancel(rollback, Owner, at);

        Assert.Equal((RollbackRefusalKind.Expired, RollbackRefusalKind.Expired), (confirm?.Kind, cancel?.Kind));
        Assert.Equal(confirm!.Message, cancel!.Message);
        Assert.Contains("not confirmed by 2026-03-03 09:00 UTC and has expired", confirm.Message);
    }

    [Theory]
    [InlineData(RollbackState.Pending, 24 * 60 - 1, RollbackState.Pending, false)]
    [InlineData(RollbackState.Pending, 24 * 60, RollbackState.Expired, true)]
    [InlineData(RollbackState.Expired, 24 * 60, RollbackState.Expired, false)]
    [InlineData(RollbackState.Confirmed, 48 * 60, RollbackState.Confirmed, false)]
    [InlineData(RollbackState.Cancelled, 48 * 60, RollbackState.Cancelled, false)]
    public void A_pending_rollback_reads_as_expired_from_the_end_of_its_window_and_only_then_is_due_for_the_job(
        RollbackState stored, int minutes, RollbackState shown, bool due)
    {
        var rollback = Started("owner", stored);
        var at = T0.AddMinutes(minutes);

        Assert.Equal(shown, RollbackRules.StateAt(stored, rollback.ExpiresAt, at));
        Assert.Equal(due, RollbackRules.ExpiresNow(rollback, at));
    }

    [Theory]
    [InlineData("owner", "owner", null)]
    [InlineData("owner", "officer", null)]
    [InlineData("owner", "teammate", "NotAllowed")]
    [InlineData("owner", "viewer", "NotAllowed")]
    [InlineData("officer", "owner", null)]
    [InlineData("officer", "officer2", "NotAllowed")]
    public void The_starter_withdraws_or_the_other_side_declines(string starter, string canceller, string? expected) =>
        Assert.Equal(expected, RollbackRules.WhyCannotCancel(Started(starter), People[canceller], T0.AddHours(1))?.Kind.ToString());

    [Theory]
    [InlineData(null, false)]
    [InlineData("   ", false)]
    [InlineData("Approval rate fell 40% within the hour.", true)]
    public void A_rollback_needs_a_reason(string? reason, bool ok) => Assert.Equal(ok, RollbackRules.WhyBadReason(reason) is null);

    [Fact]
    public void A_reason_is_at_most_4000_characters()
    {
        Assert.Null(RollbackRules.WhyBadReason(new string('x', 4000)));
        Assert.NotNull(RollbackRules.WhyBadReason(new string('x', 4001)));
    }

    [Theory]
    [InlineData("officer", ReviewState.Open, "Drift in bureau feed.", null)]
    [InlineData("officer", ReviewState.Open, " ", "Invalid")]
    [InlineData("officer", ReviewState.Closed, "Drift in bureau feed.", "AlreadyDecided")]
    [InlineData("owner", ReviewState.Open, "Drift in bureau feed.", "NotAllowed")]
    [InlineData("teammate-officer", ReviewState.Open, "Drift in bureau feed.", "NotAllowed")]
    [InlineData("admin-officer", ReviewState.Open, "Drift in bureau feed.", "NotAllowed")]
    [InlineData("auditor", ReviewState.Open, "Drift in bureau feed.", "NotAllowed")]
    public void An_independent_officer_closes_a_retrospective_with_findings(string person, ReviewState state, string findings, string? expected) =>
        Assert.Equal(expected, RollbackRules.WhyCannotCloseReview(state, People[person], Owner.Username, CreditTeam, findings)?.Kind.ToString());
}
