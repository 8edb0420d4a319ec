using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public sealed class PolicyEditingTests
{
    private static readonly PromotionPolicy Next = ApprovalsTestData.Policy(Stage.Production, RiskTier.High) with { Version = 2 };
    private static readonly string[] Library = ["eu-ai-act", "gdpr", "hipaa"];

    public static TheoryData<string, bool> Editors() => new()
    {
        { "officer", true },
        { "admin", true },
        { "adminOfficer", true },
        { "owner", false },
        { "viewer", false },
        { "auditor", false },
    };

    [Theory]
    [MemberData(nameof(Editors))]
    public void Only_compliance_officers_and_admins_edit_policies(string who, bool may)
    {
        var caller = who switch
        {
            "officer" => ApprovalsTestData.Officer,
            "admin" => ApprovalsTestData.Admin,
            "adminOfficer" => ApprovalsTestData.AdminOfficer,
            "owner" => ApprovalsTestData.Owner,
            "viewer" => ApprovalsTestData.Viewer,
            "auditor" => ApprovalsTestData.Auditor,
            _ => throw new ArgumentOutOfRangeException(nameof(who)),
        };
        Assert.Equal(may, PolicyEditing.WhyCannotEdit(caller) is null);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_change_note_is_required(string? note) =>
        Assert.Equal(PolicyEditing.ChangeNoteField, Assert.Single(PolicyEditing.Problems(Next, note, Library)).Field);

    [Fact]
    public void A_change_note_has_a_limit() =>
        Assert.Contains("under 2,000 characters", Assert.Single(PolicyEditing.Problems(Next, new string('x', 2001), Library)).Message);

    [Fact]
    public void The_policys_own_problems_come_with_the_notes()
    {
        var problems = PolicyEditing.Problems(Next with { MinimumCardCompleteness = 120 }, "", Library);
        Assert.Equal([PolicyEditing.ChangeNoteField, PolicyFields.MinimumCardCompleteness], problems.Select(p => p.Field));
        Assert.Empty(PolicyEditing.Problems(Next, "Raise the bar after the Q3 review.", Library));
    }

    [Fact]
    public void A_named_checklist_template_must_be_in_the_library()
    {
        var problem = Assert.Single(PolicyEditing.Problems(Next with { RequiredChecklistTemplates = ["hipaa", "hippa"] }, "Name HIPAA.", Library));
        Assert.Equal(PolicyFields.RequiredChecklistTemplates, problem.Field);
        Assert.Equal("'hippa' is not a checklist template; the library has eu-ai-act, gdpr, hipaa.", problem.Message);
        Assert.Empty(PolicyEditing.Problems(Next with { RequiredChecklistTemplates = ["hipaa", "gdpr"] }, "Name HIPAA and GDPR.", Library));
    }

    [Theory]
    [InlineData(3, 3, null)]
    [InlineData(2, 3, "compliance2@demo.test saved version 3 at 2026-03-02 09:00 UTC after you started from version 2")]
    [InlineData(1, 3, "after you started from version 1")]
    [InlineData(4, 3, "Version 4 does not exist; the current version is 3.")]
    public void An_edit_must_start_from_the_current_version(int basedOn, int current, string? refusal)
    {
        var why = PolicyEditing.WhyStale(basedOn, current, "compliance2@demo.test", ApprovalsTestData.Created);
        if (refusal is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.Contains(refusal, why);
        }
    }

    [Fact]
    public void An_edit_that_changes_nothing_says_the_same()
    {
        Assert.True(PolicyEditing.SaysTheSame(Next with { Version = 1 }, Next));
        Assert.False(PolicyEditing.SaysTheSame(Next with { Version = 1 }, Next with { AllowsSeveralProduction = true }));
    }
}
