using GovernancePortal.Identity;
using GovernancePortal.Registry;
using static GovernancePortal.Approvals.ApprovalsTestData;

namespace GovernancePortal.Approvals;

/// <summary>Random actions by random people on random requests; a fixed seed keeps failures reproducible.</summary>
public sealed class PromotionWorkflowPropertyTests
{
    private const string ClinicalTeam = "Clinical AI";

    private static readonly Caller[] People =
    [
        Owner, TeamMate, TeamMateOfficer, OtherOwner, Officer, Officer2, Officer3, Viewer, Auditor, Admin, AdminOfficer, AuditorOfficer,
        new("clinical-officer@demo.test", [Roles.ComplianceOfficer], ClinicalTeam),
        new("clinical-mate@demo.test", [Roles.ModelOwner], ClinicalTeam),
        new("both@demo.test", [Roles.ModelOwner, Roles.ComplianceOfficer], "Model Risk Management"),
        new("nobody@demo.test", [], null),
    ];

    private static readonly Dictionary<string, Caller> ByName = People.ToDictionary(p => p.Username, StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData(20260302)]
    [InlineData(7)]
    public void Random_actions_never_break_the_approval_invariants(int seed)
    {
        var random = new Random(seed);
        var requests = new List<PromotionRequest>();
        var outcomes = new Dictionary<string, int>();
        var start = Created;

        for (var step = 0; step < 10_000; step++)
        {
            if (requests.Count < 40 || random.Next(20) == 0)
            {
                if (NewRequest(random, start.AddHours(step)) is { } opened)
                {
                    requests.Add(opened);
                }
                continue;
            }
            var index = random.Next(requests.Count);
            var before = requests[index];
            // Most actions come within the expiry window, some at or after it.
            var now = before.CreatedAt + TimeSpan.FromHours(random.Next(0, (int)before.Policy.RequestExpiry.TotalHours + 48));
            var gates = random.Next(3) == 0 ? Failing : Passing;
            var caller = People[random.Next(People.Length)];
            PromotionAction action = random.Next(10) switch
            {
                < 5 => new ApproveAction(caller, gates),
                5 or 6 => new RejectAction(caller, random.Next(4) == 0 ? "" : "Not yet."),
                7 => new WithdrawAction(caller),
                8 => new ExpireAction(),
                _ => new RecheckAction(gates),
            };

            var outcome = PromotionWorkflow.Apply(before, action, now);
            var key = outcome is WorkflowTransition t ? t.State.ToString() : ((WorkflowRefusal)outcome).Kind.ToString();
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;

            if (outcome is not WorkflowTransition transition)
            {
                Assert.False(string.IsNullOrWhiteSpace(outcome.Message));
                continue;
            }
            Assert.False(before.IsTerminal, $"step {step}: a {before.State} request moved to {transition.State}");
            if (transition.State != PromotionRequestState.Expired)
            {
                Assert.True(now < before.ExpiresAt, $"step {step}: {action.GetType().Name} accepted at or after expiry");
            }
            if (transition.State == PromotionRequestState.Approved)
            {
                Assert.False(GateEvaluation.Blocks(action is ApproveAction a ? a.Gates : ((RecheckAction)action).Gates));
            }
            var after = before.After(transition);
            AssertInvariants(after, step);
            requests[index] = after;
        }

        // The walk must reach every end and every refusal, or it proves little.
        foreach (var expected in new[] { "Pending", "Approved", "Rejected", "Withdrawn", "Expired", "SeparationOfDuties", "NotAllowed", "AlreadyDecided" })
        {
            Assert.True(outcomes.GetValueOrDefault(expected) > 0, $"no {expected} outcome in the walk");
        }
        Assert.Contains(requests, r => r.State == PromotionRequestState.Approved && r.Policy.TotalApprovals == 2);
    }

    private static PromotionRequest? NewRequest(Random random, DateTimeOffset at)
    {
        var target = random.Next(2) == 0 ? Stage.Staging : Stage.Production;
        var tier = (RiskTier)random.Next(3);
        var clinical = random.Next(2) == 0;
        var owner = clinical ? OtherOwner.Username : Owner.Username;
        var team = clinical ? ClinicalTeam : CreditTeam;
        var requester = random.Next(3) switch
        {
            0 => owner,
            1 => clinical ? "clinical-mate@demo.test" : TeamMate.Username,
            _ => "pipeline-client",
        };
        var draft = new PromotionRequest(requester, owner, team, Policy(target, tier), PromotionRequestState.Pending, [], at);
        var outcome = PromotionWorkflow.Open(draft, random.Next(3) == 0 ? Failing : Passing);
        var opened = draft.After(Assert.IsType<WorkflowTransition>(outcome));
        if (opened.State == PromotionRequestState.Approved)
        {
            Assert.Equal(0, opened.Policy.TotalApprovals);
        }
        return opened;
    }

    private static void AssertInvariants(PromotionRequest request, int step)
    {
        var approvals = request.Decisions.Where(d => d.Verdict == Verdict.Approve).ToList();
        Assert.True(approvals.Select(d => d.Approver).Distinct(StringComparer.OrdinalIgnoreCase).Count() == approvals.Count,
            $"step {step}: someone approved twice");
        Assert.True(request.Decisions.Count(d => d.Verdict == Verdict.Reject) <= 1, $"step {step}: more than one rejection");
        foreach (var decision in request.Decisions)
        {
            var person = ByName[decision.Approver];
            Assert.True(person.Has(decision.Role), $"step {step}: {decision.Approver} decided as {decision.Role} without holding it");
            Assert.False(person.Has(Roles.Admin) || person.Has(Roles.Auditor), $"step {step}: {decision.Approver} is an Admin or Auditor");
            Assert.NotEqual(request.Requester, decision.Approver, StringComparer.OrdinalIgnoreCase);
            Assert.NotEqual(request.ModelOwner, decision.Approver, StringComparer.OrdinalIgnoreCase);
            if (request.TargetStage == Stage.Production)
            {
                Assert.NotEqual(request.OwningTeam, person.Team);
            }
        }
        foreach (var slot in request.Policy.RequiredApprovals)
        {
            Assert.True(approvals.Count(d => d.Role == slot.Role) <= slot.Count, $"step {step}: more {slot.Role} approvals than slots");
        }
        Assert.True(approvals.All(d => request.Policy.RequiredApprovals.Any(r => r.Role == d.Role)), $"step {step}: an approval filled no slot");
        if (request.State == PromotionRequestState.Approved)
        {
            Assert.Empty(ApprovalSlots.Remaining(request.Policy, request.Decisions));
            Assert.Equal(request.Policy.TotalApprovals, approvals.Count);
        }
        if (request.State == PromotionRequestState.Rejected)
        {
            Assert.Equal(Verdict.Reject, request.Decisions[^1].Verdict);
        }
    }
}
