using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public sealed class PromotionPolicyDiffTests
{
    private static readonly PromotionPolicy Base = ApprovalsTestData.Policy(Stage.Production, RiskTier.High);

    [Fact]
    public void Two_versions_that_say_the_same_differ_in_nothing_even_with_other_version_numbers() =>
        Assert.Empty(PromotionPolicyDiff.Compare(Base, Base with { Version = 7, RequiredApprovals = [new(Roles.ComplianceOfficer, 2)] }));

    public static TheoryData<string, string, string, string> SingleChanges() => new()
    {
        { "approvals", PolicyFields.RequiredApprovals, "2 ComplianceOfficers", "2 ComplianceOfficers and 1 ModelOwner" },
        { "noApprovals", PolicyFields.RequiredApprovals, "2 ComplianceOfficers", "none" },
        { "completeness", PolicyFields.MinimumCardCompleteness, "80", "90" },
        { "thresholds", PolicyFields.MetricThresholdsMustPass, "yes", "no" },
        { "several", PolicyFields.AllowsSeveralProduction, "no", "yes" },
        { "expiry", PolicyFields.RequestExpiry, "14 days", "1 day" },
        { "expiryHours", PolicyFields.RequestExpiry, "14 days", "1.12:00:00" },
        { "from", PolicyFields.AllowedFromStages, "Staging", "Staging, Retired" },
        { "checklists", PolicyFields.RequireApplicableChecklistsSignedOff, "yes", "no" },
        { "namedChecklists", PolicyFields.RequiredChecklistTemplates, "none", "gdpr, hipaa" },
    };

    [Theory]
    [MemberData(nameof(SingleChanges))]
    public void A_single_edit_shows_as_exactly_that_field_with_before_and_after(string edit, string field, string before, string after)
    {
        var edited = edit switch
        {
            "approvals" => Base with { RequiredApprovals = [new(Roles.ComplianceOfficer, 2), new(Roles.ModelOwner, 1)] },
            "noApprovals" => Base with { RequiredApprovals = [] },
            "completeness" => Base with { MinimumCardCompleteness = 90 },
            "thresholds" => Base with { MetricThresholdsMustPass = false },
            "several" => Base with { AllowsSeveralProduction = true },
            "expiry" => Base with { RequestExpiry = TimeSpan.FromDays(1) },
            "expiryHours" => Base with { RequestExpiry = TimeSpan.FromHours(36) },
            "from" => Base with { AllowedFromStages = [Stage.Staging, Stage.Retired] },
            // The default High-risk Production policy asks for them (ADR-031); the edit turns it off.
            "checklists" => Base with { RequireApplicableChecklistsSignedOff = false },
            "namedChecklists" => Base with { RequiredChecklistTemplates = ["hipaa", "gdpr"] },
            _ => throw new ArgumentOutOfRangeException(nameof(edit)),
        };

        var change = Assert.Single(PromotionPolicyDiff.Compare(Base, edited));

        Assert.Equal(field, change.Field);
        Assert.Equal(before, change.Before);
        Assert.Equal(after, change.After);
        Assert.False(string.IsNullOrWhiteSpace(change.Label));
    }

    [Fact]
    public void Several_edits_come_back_in_the_order_pages_show_the_fields()
    {
        var edited = Base with { RequireApplicableChecklistsSignedOff = false, MinimumCardCompleteness = 70, RequiredApprovals = [new(Roles.ComplianceOfficer, 1)] };

        var fields = PromotionPolicyDiff.Compare(Base, edited).Select(c => c.Field);

        Assert.Equal([PolicyFields.RequiredApprovals, PolicyFields.MinimumCardCompleteness, PolicyFields.RequireApplicableChecklistsSignedOff], fields);
    }

    [Fact]
    public void Reordering_the_approval_rows_is_a_change_because_slots_fill_in_policy_order()
    {
        var before = Base with { RequiredApprovals = [new(Roles.ComplianceOfficer, 1), new(Roles.ModelOwner, 1)] };
        var after = Base with { RequiredApprovals = [new(Roles.ModelOwner, 1), new(Roles.ComplianceOfficer, 1)] };

        Assert.Equal(PolicyFields.RequiredApprovals, Assert.Single(PromotionPolicyDiff.Compare(before, after)).Field);
    }

    [Fact]
    public void Describe_covers_every_editable_field_once() =>
        Assert.Equal(
            [PolicyFields.RequiredApprovals, PolicyFields.MinimumCardCompleteness, PolicyFields.MetricThresholdsMustPass, PolicyFields.AllowsSeveralProduction,
             PolicyFields.RequestExpiry, PolicyFields.AllowedFromStages, PolicyFields.RequireApplicableChecklistsSignedOff, PolicyFields.RequiredChecklistTemplates],
            PromotionPolicyDiff.Describe(Base).Select(f => f.Field));

    [Fact]
    public void Naming_the_same_checklists_in_another_order_changes_nothing() =>
        Assert.Empty(PromotionPolicyDiff.Compare(Base with { RequiredChecklistTemplates = ["hipaa", "gdpr"] }, Base with { RequiredChecklistTemplates = ["gdpr", "hipaa"] }));
}
