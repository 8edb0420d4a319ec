using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class ComplianceStatusTests
{
    private static readonly ChecklistTemplate Hipaa = ChecklistLibrary.LoadDirectory(SeedChecklistTests.ChecklistDirectory()).Single(t => t.Id == "hipaa");
    private static readonly TemplateApplicability Applies =
        Applicability.For(Hipaa, new ModelAttributes(RiskTier.High, DataCategories.ProtectedHealthInformation, false, false));

    private static Dictionary<string, ItemAnswer> AllAccepted() => Applies.ApplicableItems.ToDictionary(i => i.Id,
        i => new ItemAnswer(i.Id, AnswerValue.Yes, null, ReviewState.Accepted, false, 1, 1, "owner2@demo.test"));

    [Fact]
    public void A_template_not_started_names_every_applicable_item_as_unanswered()
    {
        var status = ComplianceStatus.Of(Applies, null, new Dictionary<string, ItemAnswer>());

        Assert.False(status.SignedOff);
        Assert.Equal(Applies.ApplicableItems.Count(), status.Missing.Count);
        Assert.Contains("HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): unanswered", status.Missing.Select(m => m.Message));
        Assert.Equal("HIPAA applies: the model uses PHI.", status.Reason);
    }

    [Fact]
    public void Everything_accepted_but_not_signed_off_still_misses_the_sign_off()
    {
        var status = ComplianceStatus.Of(Applies, AssessmentStatus.InReview, AllAccepted());

        Assert.Equal(["HIPAA: not signed off by a compliance officer"], status.Missing.Select(m => m.Message));
        Assert.False(new ComplianceStatus([status]).AllSignedOff);
    }

    [Fact]
    public void A_signed_off_assessment_passes_and_one_unaccepted_item_is_named()
    {
        var signedOff = ComplianceStatus.Of(Applies, AssessmentStatus.SignedOff, AllAccepted());
        var answers = AllAccepted();
        answers["hipaa-164-312-b-audit-controls"] = answers["hipaa-164-312-b-audit-controls"] with { Review = ReviewState.None };
        var reopened = ComplianceStatus.Of(Applies, AssessmentStatus.InReview, answers);

        Assert.True(signedOff.SignedOff);
        Assert.Empty(signedOff.Missing);
        Assert.Equal(["HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): not yet accepted by a compliance officer"], reopened.Missing.Select(m => m.Message));
        var both = new ComplianceStatus([signedOff, reopened]);
        Assert.Single(both.SignedOff);
        Assert.Single(both.Outstanding);
    }
}
