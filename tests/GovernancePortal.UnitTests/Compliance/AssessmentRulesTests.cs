using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Compliance;

public sealed class AssessmentRulesTests
{
    private static readonly ChecklistItem AuditControls = new("hipaa-164-312-b-audit-controls", "Record and examine activity", "Log access.",
        "45 CFR §164.312(b)", EvidenceKind.File, null, Obligation.Required);
    private static readonly ChecklistItem Baa = new("hipaa-164-502-e-baa", "Sign BAAs", "With every business associate.", "45 CFR §164.502(e)",
        EvidenceKind.Link, null, null);
    private static readonly ChecklistItem Method = new("hipaa-164-514-b-method", "State the method", "Expert or Safe Harbor.", "45 CFR §164.514(b)",
        EvidenceKind.None, null, null);
    private static readonly ChecklistItem[] Items = [AuditControls, Baa, Method];

    private static ItemAnswer Answer(ChecklistItem item, AnswerValue value = AnswerValue.Yes, string? justification = null, ReviewState review = ReviewState.None,
        bool carriedOver = false, int links = 0, int files = 0, string by = "owner@demo.test") =>
        new(item.Id, value, justification, review, carriedOver, links, files, by);

    private static Dictionary<string, ItemAnswer> Answers(params ItemAnswer[] answers) => answers.ToDictionary(a => a.ItemId);

    private static Caller Officer(string name = "compliance@demo.test") => new(name, [Roles.ComplianceOfficer], "Compliance");

    private static readonly Caller Owner = new("owner@demo.test", [Roles.ModelOwner], "Retail Risk");

    [Theory]
    [InlineData(AnswerValue.Yes, null, true)]
    [InlineData(AnswerValue.No, null, false)]
    [InlineData(AnswerValue.No, "   ", false)]
    [InlineData(AnswerValue.NotApplicable, null, false)]
    [InlineData(AnswerValue.NotApplicable, "Data is not de-identified.", true)]
    [InlineData(AnswerValue.No, "Planned for Q3.", true)]
    public void No_and_not_applicable_need_a_justification(AnswerValue answer, string? justification, bool valid) =>
        Assert.Equal(valid, AssessmentRules.WhyInvalidAnswer(answer, justification) is null);

    [Fact]
    public void Justifications_are_bounded_and_free_of_control_characters()
    {
        Assert.NotNull(AssessmentRules.WhyInvalidAnswer(AnswerValue.No, new string('x', AssessmentRules.MaxJustificationLength + 1)));
        Assert.NotNull(AssessmentRules.WhyInvalidAnswer(AnswerValue.No, "bell\a"));
        Assert.NotNull(AssessmentRules.WhyInvalidAnswer((AnswerValue)7, "x"));
        Assert.Null(AssessmentRules.WhyInvalidAnswer(AnswerValue.No, "line one\nline two\tindented"));
    }

    [Fact]
    public void Progress_counts_answered_accepted_challenged_and_carried_over_items_among_the_applicable_ones()
    {
        var answers = Answers(
            Answer(AuditControls, review: ReviewState.Accepted, files: 1),
            Answer(Baa, review: ReviewState.ChangesRequested, links: 1),
            Answer(Method with { Id = "not-applicable-item" }, carriedOver: true));

        var progress = AssessmentRules.Progress(Items, answers);

        Assert.Equal(new AssessmentProgress(3, 2, 1, 1, 0), progress);
        Assert.Equal(66, progress.Percent);
        Assert.Equal(100, AssessmentRules.Progress([], answers).Percent);
    }

    [Fact]
    public void Submitting_is_blocked_by_each_unanswered_unevidenced_or_unconfirmed_item_and_names_it()
    {
        var answers = Answers(Answer(AuditControls), Answer(Baa, carriedOver: true, links: 1));

        var blockers = AssessmentRules.WhatBlocksSubmit("HIPAA", Items, answers);

        Assert.Equal(
        [
            "HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): evidence file missing",
            "HIPAA item hipaa-164-502-e-baa (45 CFR §164.502(e)): carried over from an earlier version, not yet confirmed",
            "HIPAA item hipaa-164-514-b-method (45 CFR §164.514(b)): unanswered",
        ], blockers.Select(b => b.Message));
        Assert.Equal([AuditControls.Id, Baa.Id, Method.Id], blockers.Select(b => b.ItemId));
    }

    [Theory]
    [InlineData(EvidenceKind.File, 0, 1, false)]
    [InlineData(EvidenceKind.File, 1, 1, true)]
    [InlineData(EvidenceKind.Link, 1, 0, true)]
    [InlineData(EvidenceKind.Link, 0, 1, true)]
    [InlineData(EvidenceKind.Link, 0, 0, false)]
    [InlineData(EvidenceKind.None, 0, 0, true)]
    public void A_yes_needs_the_evidence_its_item_asks_for(EvidenceKind kind, int files, int links, bool complete)
    {
        var item = AuditControls with { Evidence = kind };
        Assert.Equal(complete, AssessmentRules.WhatBlocksItem("HIPAA", item, Answer(item, files: files, links: links)) is null);
    }

    [Fact]
    public void A_no_or_not_applicable_stands_on_its_justification_without_evidence() =>
        Assert.Null(AssessmentRules.WhatBlocksItem("HIPAA", AuditControls, Answer(AuditControls, AnswerValue.NotApplicable, "No PHI leaves the enclave.")));

    [Fact]
    public void Sign_off_needs_every_applicable_answer_accepted_and_the_assessment_submitted()
    {
        var accepted = Answers(
            Answer(AuditControls, review: ReviewState.Accepted, files: 1),
            Answer(Baa, review: ReviewState.Accepted, links: 1),
            Answer(Method, review: ReviewState.Accepted));
        var oneChallenged = new Dictionary<string, ItemAnswer>(accepted) { [Baa.Id] = Answer(Baa, review: ReviewState.ChangesRequested, links: 1) };
        var oneUnreviewed = new Dictionary<string, ItemAnswer>(accepted) { [Method.Id] = Answer(Method) };

        Assert.Empty(AssessmentRules.WhatBlocksSignOff("HIPAA", AssessmentStatus.InReview, Items, accepted));
        Assert.Equal(["HIPAA: not yet submitted for review"], AssessmentRules.WhatBlocksSignOff("HIPAA", AssessmentStatus.InProgress, Items, accepted).Select(b => b.Message));
        Assert.Equal(["HIPAA item hipaa-164-502-e-baa (45 CFR §164.502(e)): changes requested"],
            AssessmentRules.WhatBlocksSignOff("HIPAA", AssessmentStatus.InReview, Items, oneChallenged).Select(b => b.Message));
        Assert.Equal(["HIPAA item hipaa-164-514-b-method (45 CFR §164.514(b)): not yet accepted by a compliance officer"],
            AssessmentRules.WhatBlocksSignOff("HIPAA", AssessmentStatus.InReview, Items, oneUnreviewed).Select(b => b.Message));
    }

    [Theory]
    [InlineData(AssessmentStatus.InProgress, AssessmentStatus.InProgress, false)]
    [InlineData(AssessmentStatus.InReview, AssessmentStatus.InReview, false)]
    [InlineData(AssessmentStatus.SignedOff, AssessmentStatus.InReview, true)]
    public void Changing_an_item_resets_its_review_and_voids_a_sign_off(AssessmentStatus before, AssessmentStatus after, bool voids)
    {
        var change = AssessmentRules.OnItemChanged(before);
        Assert.Equal(after, change.Status);
        Assert.Equal(voids, change.VoidsSignOff);
        Assert.True(change.ResetsReview);
    }

    [Fact]
    public void Only_a_different_answer_or_justification_counts_as_a_change()
    {
        var given = Answer(Baa, AnswerValue.No, "Vendor refuses.");
        Assert.False(AssessmentRules.Changes(given, AnswerValue.No, "  Vendor refuses. "));
        Assert.True(AssessmentRules.Changes(given, AnswerValue.No, "Vendor signs next month."));
        Assert.True(AssessmentRules.Changes(given, AnswerValue.NotApplicable, "Vendor refuses."));
        Assert.True(AssessmentRules.Changes(null, AnswerValue.Yes, null));
    }

    [Fact]
    public void Owners_and_their_team_answer_officers_do_not()
    {
        Assert.Null(AssessmentRules.WhyCannotAnswer(Owner, "owner@demo.test", "Retail Risk"));
        Assert.Null(AssessmentRules.WhyCannotAnswer(Owner with { Username = "teammate@demo.test" }, "owner@demo.test", "Retail Risk"));
        Assert.NotNull(AssessmentRules.WhyCannotAnswer(Owner with { Team = "Clinical" }, "owner2@demo.test", "Retail Risk"));
        Assert.NotNull(AssessmentRules.WhyCannotAnswer(Officer(), "owner@demo.test", "Retail Risk"));
    }

    [Fact]
    public void Officers_review_and_sign_off_but_never_their_own_model_or_answers()
    {
        Assert.Null(AssessmentRules.WhyCannotReview(Officer(), "owner@demo.test", "owner@demo.test"));
        Assert.NotNull(AssessmentRules.WhyCannotReview(Owner, "owner2@demo.test", "owner2@demo.test"));
        Assert.NotNull(AssessmentRules.WhyCannotReview(Officer("owner@demo.test"), "owner@demo.test", "someone@demo.test"));
        Assert.NotNull(AssessmentRules.WhyCannotReview(Officer(), "owner@demo.test", "COMPLIANCE@demo.test"));

        Assert.Null(AssessmentRules.WhyCannotSignOff(Officer(), "owner@demo.test", ["owner@demo.test"]));
        Assert.NotNull(AssessmentRules.WhyCannotSignOff(Officer(), "owner@demo.test", ["owner@demo.test", "compliance@demo.test"]));
        Assert.NotNull(AssessmentRules.WhyCannotSignOff(Officer("owner@demo.test"), "owner@demo.test", []));
        Assert.NotNull(AssessmentRules.WhyCannotSignOff(Owner, "owner2@demo.test", []));
    }

    [Fact]
    public void Reviews_need_a_submitted_confirmed_answer_and_a_comment_when_requesting_changes()
    {
        var answer = Answer(Baa, links: 1);
        Assert.Null(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, answer, ReviewState.Accepted, null));
        Assert.Null(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, answer, ReviewState.ChangesRequested, "Link the signed BAA."));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, answer, ReviewState.ChangesRequested, " "));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InProgress, answer, ReviewState.Accepted, null));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.SignedOff, answer, ReviewState.Accepted, null));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, null, ReviewState.Accepted, null));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, answer with { CarriedOver = true }, ReviewState.Accepted, null));
        Assert.NotNull(AssessmentRules.WhyCannotReviewItem(AssessmentStatus.InReview, answer, ReviewState.None, null));
    }

    [Fact]
    public void Submitting_twice_or_with_blockers_is_refused()
    {
        Assert.Null(AssessmentRules.WhyCannotSubmit(AssessmentStatus.InProgress, []));
        Assert.NotNull(AssessmentRules.WhyCannotSubmit(AssessmentStatus.InProgress, [new Blocker("x", "x: unanswered")]));
        Assert.NotNull(AssessmentRules.WhyCannotSubmit(AssessmentStatus.InReview, []));
        Assert.NotNull(AssessmentRules.WhyCannotSubmit(AssessmentStatus.SignedOff, []));
    }

    [Fact]
    public void Only_answered_items_with_unchanged_wording_carry_over()
    {
        var reworded = Baa with { Text = "Sign and file BAAs" };
        var newCitation = Method with { Citation = "45 CFR §164.514(a)-(b)" };
        var added = AuditControls with { Id = "hipaa-new-item" };

        var carried = AssessmentRules.CarryOverMatches(Items, [AuditControls, reworded, newCitation, added], [AuditControls.Id, Baa.Id, Method.Id]);
        var onlyAnswered = AssessmentRules.CarryOverMatches(Items, Items, [Baa.Id]);

        Assert.Equal([AuditControls.Id], carried);
        Assert.Equal([Baa.Id], onlyAnswered);
    }
}
