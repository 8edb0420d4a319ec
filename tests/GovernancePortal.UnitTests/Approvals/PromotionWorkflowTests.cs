using GovernancePortal.Identity;
using GovernancePortal.Registry;
using static GovernancePortal.Approvals.ApprovalsTestData;

namespace GovernancePortal.Approvals;

public sealed class PromotionWorkflowTests
{
    private static readonly Dictionary<string, Caller> People = new()
    {
        ["owner"] = Owner,
        ["teammate"] = TeamMate,
        ["teammate-officer"] = TeamMateOfficer,
        ["other-owner"] = OtherOwner,
        ["officer"] = Officer,
        ["viewer"] = Viewer,
        ["auditor"] = Auditor,
        ["admin"] = Admin,
        ["admin-officer"] = AdminOfficer,
        ["auditor-officer"] = AuditorOfficer,
    };

    private static readonly DateTimeOffset Now = Created.AddDays(1);

    private static WorkflowOutcome Act(PromotionRequest request, PromotionAction action, DateTimeOffset? at = null) =>
        PromotionWorkflow.Apply(request, action, at ?? Now);

    private static PromotionRequest Step(PromotionRequest request, PromotionAction action, DateTimeOffset? at = null) =>
        request.After(Assert.IsType<WorkflowTransition>(Act(request, action, at)));

    private static string Summary(WorkflowOutcome outcome) => outcome switch
    {
        WorkflowTransition t => t.State.ToString(),
        WorkflowRefusal r => r.Kind.ToString(),
        _ => throw new InvalidOperationException(),
    };

    // The teammate requests, so the owner's refusal is about ownership, not about having asked.
    [Theory]
    [InlineData("teammate", Stage.Production, "SeparationOfDuties")]
    [InlineData("owner", Stage.Production, "SeparationOfDuties")]
    [InlineData("owner", Stage.Staging, "SeparationOfDuties")]
    [InlineData("teammate-officer", Stage.Production, "SeparationOfDuties")]
    [InlineData("teammate-officer", Stage.Staging, "Approved")]
    [InlineData("officer", Stage.Production, "Pending")]
    [InlineData("officer", Stage.Staging, "Approved")]
    [InlineData("other-owner", Stage.Production, "NotAllowed")]
    [InlineData("viewer", Stage.Production, "NotAllowed")]
    [InlineData("auditor", Stage.Production, "SeparationOfDuties")]
    [InlineData("admin", Stage.Production, "SeparationOfDuties")]
    [InlineData("admin-officer", Stage.Production, "SeparationOfDuties")]
    [InlineData("admin-officer", Stage.Staging, "SeparationOfDuties")]
    [InlineData("auditor-officer", Stage.Staging, "SeparationOfDuties")]
    public void Who_may_approve_a_high_risk_promotion(string who, Stage target, string expected)
    {
        var request = Request(target, RiskTier.High, requester: TeamMate.Username);
        Assert.Equal(expected, Summary(Act(request, new ApproveAction(People[who], Passing))));
    }

    [Theory]
    [InlineData("teammate", Stage.Production, "SeparationOfDuties")]
    [InlineData("owner", Stage.Production, "SeparationOfDuties")]
    [InlineData("teammate-officer", Stage.Production, "SeparationOfDuties")]
    [InlineData("teammate-officer", Stage.Staging, "Rejected")]
    [InlineData("officer", Stage.Production, "Rejected")]
    [InlineData("other-owner", Stage.Production, "NotAllowed")]
    [InlineData("viewer", Stage.Staging, "NotAllowed")]
    [InlineData("auditor", Stage.Production, "SeparationOfDuties")]
    [InlineData("admin", Stage.Production, "SeparationOfDuties")]
    [InlineData("admin-officer", Stage.Production, "SeparationOfDuties")]
    [InlineData("auditor-officer", Stage.Production, "SeparationOfDuties")]
    public void Who_may_reject_a_high_risk_promotion(string who, Stage target, string expected)
    {
        var request = Request(target, RiskTier.High, requester: TeamMate.Username);
        Assert.Equal(expected, Summary(Act(request, new RejectAction(People[who], "Fairness analysis is missing the age slices."))));
    }

    [Fact]
    public void Requester_cannot_approve_or_reject_their_own_request()
    {
        var request = Request(Stage.Staging, RiskTier.High, requester: OtherOwner.Username) with { ModelOwner = "someone@demo.test", OwningTeam = "Elsewhere" };
        var officerRequest = request with { Requester = Officer.Username };

        var approve = Assert.IsType<WorkflowRefusal>(Act(officerRequest, new ApproveAction(Officer, Passing)));
        var reject = Assert.IsType<WorkflowRefusal>(Act(officerRequest, new RejectAction(Officer, "Changed my mind.")));

        Assert.Equal(RefusalKind.SeparationOfDuties, approve.Kind);
        Assert.Equal("You made this request; someone else must decide on it.", approve.Message);
        Assert.Equal(RefusalKind.SeparationOfDuties, reject.Kind);
        // Case does not make a different person.
        Assert.IsType<WorkflowRefusal>(Act(officerRequest with { Requester = "COMPLIANCE@DEMO.TEST" }, new ApproveAction(Officer, Passing)));
    }

    [Fact]
    public void Two_compliance_officers_approve_a_high_risk_production_promotion()
    {
        var request = Request();
        var first = Assert.IsType<WorkflowTransition>(Act(request, new ApproveAction(Officer, Passing, "Card reads well.")));
        Assert.Equal(PromotionRequestState.Pending, first.State);
        Assert.Contains("needs 1 more ComplianceOfficer", first.Message, StringComparison.Ordinal);
        Assert.Equal(new PromotionDecision(Officer.Username, Roles.ComplianceOfficer, Verdict.Approve, "Card reads well.", Now), first.Decision);

        request = request.After(first);
        var second = Assert.IsType<WorkflowTransition>(Act(request, new ApproveAction(Officer2, Passing)));
        Assert.Equal(PromotionRequestState.Approved, second.State);
        Assert.Equal([Officer.Username, Officer2.Username], request.After(second).Decisions.Select(d => d.Approver));
    }

    [Theory]
    [InlineData("compliance@demo.test")]
    [InlineData("Compliance@Demo.Test")]
    public void One_person_cannot_fill_two_approval_slots(string sameUsername)
    {
        var request = Step(Request(), new ApproveAction(Officer, Passing));
        var again = Assert.IsType<WorkflowRefusal>(Act(request, new ApproveAction(Officer with { Username = sameUsername }, Passing)));
        Assert.Equal(RefusalKind.SeparationOfDuties, again.Kind);
        Assert.Contains("already approved", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approval_while_gates_fail_is_recorded_and_the_request_stays_pending()
    {
        var request = Step(Request(), new ApproveAction(Officer, Passing));
        var second = Assert.IsType<WorkflowTransition>(Act(request, new ApproveAction(Officer2, Failing)));

        Assert.Equal(PromotionRequestState.Pending, second.State);
        Assert.NotNull(second.Decision);
        Assert.Contains("waits for its gates: blocked: model card completeness 55 is below the required 80", second.Message, StringComparison.Ordinal);
        Assert.Empty(ApprovalSlots.Remaining(request.Policy, request.After(second).Decisions));
    }

    [Fact]
    public void Once_every_slot_is_filled_a_further_approval_is_refused_and_a_recheck_approves()
    {
        var request = Step(Step(Request(), new ApproveAction(Officer, Passing)), new ApproveAction(Officer2, Failing));

        var third = Assert.IsType<WorkflowRefusal>(Act(request, new ApproveAction(Officer3, Failing)));
        Assert.Equal(RefusalKind.NotAllowed, third.Kind);
        Assert.Contains("already given", third.Message, StringComparison.Ordinal);

        var stillFailing = Assert.IsType<WorkflowTransition>(Act(request, new RecheckAction(Failing)));
        Assert.Equal(PromotionRequestState.Pending, stillFailing.State);
        Assert.Null(stillFailing.Decision);

        var fixedCard = Assert.IsType<WorkflowTransition>(Act(request, new RecheckAction(Passing)));
        Assert.Equal(PromotionRequestState.Approved, fixedCard.State);
        Assert.Null(fixedCard.Decision);
    }

    [Fact]
    public void A_recheck_is_refused_while_slots_are_open()
    {
        var outcome = Assert.IsType<WorkflowRefusal>(Act(Request(), new RecheckAction(Passing)));
        Assert.Equal(RefusalKind.NotYet, outcome.Kind);
        Assert.Contains("still needs 2 more ComplianceOfficers", outcome.Message, StringComparison.Ordinal);
    }

    // The page offers exactly what the server accepts: for every person, on a fresh request and on one with a slot
    // already filled by the officer, RightsOf agrees with Apply and names the same reason.
    [Theory]
    [InlineData(Stage.Production)]
    [InlineData(Stage.Staging)]
    public void Decision_rights_agree_with_what_the_workflow_accepts(Stage target)
    {
        var fresh = Request(target, RiskTier.High, requester: TeamMate.Username);
        var expired = Created + fresh.Policy.RequestExpiry;
        foreach (var (request, at) in new[] { (fresh, Now), (Step(fresh, new ApproveAction(Officer, Passing)), Now), (fresh, expired) })
        {
            foreach (var (name, caller) in People)
            {
                var rights = PromotionWorkflow.RightsOf(request, caller, at);
                var approve = Act(request, new ApproveAction(caller, Passing), at);
                var reject = Act(request, new RejectAction(caller, "Not yet."), at);
                Assert.True(rights.MayApprove == approve is WorkflowTransition, $"{name} approve on {target}: {approve.Message}");
                Assert.True(rights.MayReject == reject is WorkflowTransition, $"{name} reject on {target}: {reject.Message}");
                Assert.Equal(rights.MayApprove ? null : approve.Message, rights.WhyNotApprove);
            }
        }
    }

    [Fact]
    public void Decision_rights_say_why_the_requester_cannot_approve()
    {
        var rights = PromotionWorkflow.RightsOf(Request(Stage.Production, RiskTier.High, requester: OtherOwner.Username), OtherOwner, Now);

        Assert.False(rights.MayApprove);
        Assert.False(rights.MayReject);
        Assert.Equal("You made this request; someone else must decide on it.", rights.WhyNotApprove);
    }

    [Fact]
    public void A_rejection_by_an_eligible_approver_ends_the_request()
    {
        var request = Step(Request(), new ApproveAction(Officer, Passing));
        var rejected = Assert.IsType<WorkflowTransition>(Act(request, new RejectAction(Officer2, "  The age<25 slice is too weak.  ")));
        Assert.Equal(PromotionRequestState.Rejected, rejected.State);
        Assert.Equal(new PromotionDecision(Officer2.Username, Roles.ComplianceOfficer, Verdict.Reject, "The age<25 slice is too weak.", Now), rejected.Decision);
        Assert.Equal(RefusalKind.AlreadyDecided, Assert.IsType<WorkflowRefusal>(Act(request.After(rejected), new ApproveAction(Officer3, Passing))).Kind);
    }

    [Fact]
    public void An_approver_may_still_reject_after_approving()
    {
        var request = Step(Request(), new ApproveAction(Officer, Passing));
        Assert.Equal(PromotionRequestState.Rejected, Assert.IsType<WorkflowTransition>(Act(request, new RejectAction(Officer, "Found a leak in the training data."))).State);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_rejection_needs_a_reason(string reason)
    {
        var refusal = Assert.IsType<WorkflowRefusal>(Act(Request(), new RejectAction(Officer, reason)));
        Assert.Equal(RefusalKind.NotAllowed, refusal.Kind);
    }

    [Fact]
    public void A_compliance_officer_may_reject_even_when_the_policy_asks_for_no_approvals()
    {
        var request = Request(Stage.Staging, RiskTier.Minimal);
        Assert.Empty(request.Policy.RequiredApprovals);
        Assert.Equal("Rejected", Summary(Act(request, new RejectAction(Officer, "Card contradicts the use case."))));
        Assert.Equal("NotAllowed", Summary(Act(request, new ApproveAction(Officer, Failing))));
        Assert.Equal("NotAllowed", Summary(Act(request, new RejectAction(OtherOwner, "No."))));
    }

    [Theory]
    [InlineData("teammate", "Withdrawn")]
    [InlineData("owner", "Withdrawn")]
    [InlineData("officer", "NotAllowed")]
    [InlineData("other-owner", "NotAllowed")]
    [InlineData("admin", "NotAllowed")]
    [InlineData("auditor", "NotAllowed")]
    public void Only_the_requester_or_the_owner_withdraws(string who, string expected)
    {
        var request = Request(requester: TeamMate.Username);
        var outcome = Act(request, new WithdrawAction(People[who]));
        Assert.Equal(expected, Summary(outcome));
        if (outcome is WorkflowTransition t)
        {
            Assert.Null(t.Decision);
        }
    }

    [Fact]
    public void Expiry_is_due_exactly_at_the_expiry_instant()
    {
        var request = Request();
        var expiresAt = Created + TimeSpan.FromDays(14);
        Assert.Equal(expiresAt, request.ExpiresAt);

        var justBefore = expiresAt - TimeSpan.FromTicks(1);
        Assert.Equal("Pending", Summary(Act(request, new ApproveAction(Officer, Passing), justBefore)));
        Assert.Equal("NotAllowed", Summary(Act(request, new ExpireAction(), justBefore)));

        Assert.Equal("Expired", Summary(Act(request, new ApproveAction(Officer, Passing), expiresAt)));
        Assert.Equal(RefusalKind.Expired, Assert.IsType<WorkflowRefusal>(Act(request, new WithdrawAction(Owner), expiresAt)).Kind);
        Assert.Equal(RefusalKind.Expired, Assert.IsType<WorkflowRefusal>(Act(request, new RejectAction(Officer, "Late."), expiresAt)).Kind);
        Assert.Equal(RefusalKind.Expired, Assert.IsType<WorkflowRefusal>(Act(request, new RecheckAction(Passing), expiresAt)).Kind);

        var expired = Assert.IsType<WorkflowTransition>(Act(request, new ExpireAction(), expiresAt));
        Assert.Equal(PromotionRequestState.Expired, expired.State);
        Assert.Null(expired.Decision);
    }

    [Fact]
    public void Expiry_follows_the_policy()
    {
        var request = Request() with { Policy = Policy(Stage.Production, RiskTier.High) with { RequestExpiry = TimeSpan.FromHours(1) } };
        Assert.Equal("Expired", Summary(Act(request, new ExpireAction(), Created.AddHours(1))));
    }

    public static TheoryData<PromotionRequestState, string, RefusalKind> TerminalCases()
    {
        var data = new TheoryData<PromotionRequestState, string, RefusalKind>();
        foreach (var state in new[] { PromotionRequestState.Approved, PromotionRequestState.Rejected, PromotionRequestState.Withdrawn, PromotionRequestState.Expired })
        {
            foreach (var action in new[] { "approve", "reject", "withdraw", "expire", "recheck" })
            {
                data.Add(state, action, state == PromotionRequestState.Expired ? RefusalKind.Expired : RefusalKind.AlreadyDecided);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TerminalCases))]
    public void Nothing_moves_a_request_out_of_a_terminal_state(PromotionRequestState state, string action, RefusalKind kind)
    {
        var request = Request(requester: TeamMate.Username) with { State = state };
        PromotionAction act = action switch
        {
            "approve" => new ApproveAction(Officer, Passing),
            "reject" => new RejectAction(Officer, "No."),
            "withdraw" => new WithdrawAction(TeamMate),
            "expire" => new ExpireAction(),
            _ => new RecheckAction(Passing),
        };
        // Before and after the expiry instant alike.
        Assert.Equal(kind, Assert.IsType<WorkflowRefusal>(Act(request, act)).Kind);
        Assert.Equal(kind, Assert.IsType<WorkflowRefusal>(Act(request, act, request.ExpiresAt.AddDays(1))).Kind);
    }

    [Fact]
    public void A_request_that_needs_no_approvals_is_approved_when_opened_with_passing_gates()
    {
        var request = Request(Stage.Staging, RiskTier.Minimal);
        Assert.Equal("Approved", Summary(PromotionWorkflow.Open(request, Passing)));
        Assert.Equal("Pending", Summary(PromotionWorkflow.Open(request, Failing)));
        Assert.Equal("Pending", Summary(PromotionWorkflow.Open(Request(), Passing)));
    }

    [Theory]
    [InlineData(Stage.Development, Stage.Production, RiskTier.High)]
    [InlineData(Stage.Staging, Stage.Production, RiskTier.Prohibited)]
    [InlineData(Stage.Development, Stage.Staging, RiskTier.Prohibited)]
    public void A_request_is_not_opened_while_a_gate_no_edit_can_fix_blocks(Stage from, Stage to, RiskTier tier)
    {
        var gates = GateEvaluation.Evaluate(Policy(to, tier), Candidate(to, tier) with { CurrentStage = from });
        var refusal = Assert.IsType<WorkflowRefusal>(PromotionWorkflow.Open(Request(to, tier), gates));
        Assert.Equal(RefusalKind.NotAllowed, refusal.Kind);
        Assert.StartsWith("This promotion cannot be requested: blocked: ", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_two_roles_required_each_slot_takes_its_own_role_in_policy_order()
    {
        var policy = Policy(Stage.Production, RiskTier.High) with
        {
            RequiredApprovals = [new(Roles.ComplianceOfficer, 1), new(Roles.ModelOwner, 1)],
        };
        var both = new Caller("both@demo.test", [Roles.ModelOwner, Roles.ComplianceOfficer], "Model Risk Management");
        var request = Request() with { Policy = policy };

        var first = Assert.IsType<WorkflowTransition>(Act(request, new ApproveAction(both, Passing)));
        Assert.Equal(Roles.ComplianceOfficer, first.Decision!.Role);
        Assert.Contains("needs 1 more ModelOwner", first.Message, StringComparison.Ordinal);

        request = request.After(first);
        Assert.Equal("NotAllowed", Summary(Act(request, new ApproveAction(Officer, Passing))));
        var second = Assert.IsType<WorkflowTransition>(Act(request, new ApproveAction(OtherOwner, Passing)));
        Assert.Equal((PromotionRequestState.Approved, Roles.ModelOwner), (second.State, second.Decision!.Role));
    }

    [Theory]
    [InlineData(0, 0, "needs no more approvals")]
    [InlineData(1, 0, "needs 1 more ComplianceOfficer")]
    [InlineData(2, 0, "needs 2 more ComplianceOfficers")]
    [InlineData(2, 1, "needs 2 more ComplianceOfficers and 1 more ModelOwner")]
    [InlineData(0, 3, "needs 3 more ModelOwners")]
    public void Remaining_slots_read_as_a_sentence(int officers, int owners, string expected)
    {
        var remaining = new List<RequiredApproval>();
        if (officers > 0)
        {
            remaining.Add(new(Roles.ComplianceOfficer, officers));
        }
        if (owners > 0)
        {
            remaining.Add(new(Roles.ModelOwner, owners));
        }
        Assert.Equal(expected, ApprovalSlots.Describe(remaining));
    }

    [Fact]
    public void Remaining_slots_count_each_person_once_and_ignore_rejections()
    {
        var policy = Policy(Stage.Production, RiskTier.High);
        PromotionDecision[] decisions =
        [
            new(Officer.Username, Roles.ComplianceOfficer, Verdict.Approve, null, Now),
            new(Officer.Username.ToUpperInvariant(), Roles.ComplianceOfficer, Verdict.Approve, null, Now),
            new(Officer2.Username, Roles.ComplianceOfficer, Verdict.Reject, "No.", Now),
        ];
        Assert.Equal([new RequiredApproval(Roles.ComplianceOfficer, 1)], ApprovalSlots.Remaining(policy, decisions));
    }
}
