using System.Globalization;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public enum PromotionRequestState
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
    Withdrawn = 3,
    Expired = 4,
}

public enum Verdict
{
    Approve = 0,
    Reject = 1,
}

/// <summary>One approver's decision; <paramref name="Role"/> is the slot it fills (for a rejection, the role it was made in).</summary>
public sealed record PromotionDecision(string Approver, string Role, Verdict Verdict, string? Comment, DateTimeOffset At);

/// <summary>A promotion request as the workflow needs it. Usernames compare case-insensitively, teams exactly.</summary>
public sealed record PromotionRequest(
    string Requester,
    string ModelOwner,
    string OwningTeam,
    PromotionPolicy Policy,
    PromotionRequestState State,
    IReadOnlyList<PromotionDecision> Decisions,
    DateTimeOffset CreatedAt)
{
    public Stage TargetStage => Policy.TargetStage;

    /// <summary>The first instant at which the request is no longer open.</summary>
    public DateTimeOffset ExpiresAt => CreatedAt + Policy.RequestExpiry;

    public bool IsTerminal => State != PromotionRequestState.Pending;

    /// <summary>The request after an accepted transition: its new state, with its decision (if any) appended.</summary>
    public PromotionRequest After(WorkflowTransition transition) => this with
    {
        State = transition.State,
        Decisions = transition.Decision is null ? Decisions : [.. Decisions, transition.Decision],
    };
}

public abstract record PromotionAction;

public sealed record ApproveAction(Caller By, IReadOnlyList<GateResult> Gates, string? Comment = null) : PromotionAction;

public sealed record RejectAction(Caller By, string Reason) : PromotionAction;

public sealed record WithdrawAction(Caller By) : PromotionAction;

/// <summary>The scheduler's expiry sweep.</summary>
public sealed record ExpireAction : PromotionAction;

/// <summary>Gates judged again after the card, metrics or checklist sign-offs changed; approves a request whose slots are all filled.</summary>
public sealed record RecheckAction(IReadOnlyList<GateResult> Gates) : PromotionAction;

public enum RefusalKind
{
    SeparationOfDuties = 0,
    NotAllowed = 1,
    AlreadyDecided = 2,
    Expired = 3,
    /// <summary>The request is not ready for this action yet: gates judged again while approvals are still missing.</summary>
    NotYet = 4,
}

/// <summary>What one person may do on a pending request; <paramref name="WhyNotApprove"/> says why when they may not approve.</summary>
public sealed record DecisionRights(bool MayApprove, bool MayReject, string? WhyNotApprove);

public abstract record WorkflowOutcome(string Message);

/// <summary>Accepted: record <see cref="Decision"/> (when not null) and move to <see cref="State"/>, which may be unchanged.</summary>
public sealed record WorkflowTransition(PromotionRequestState State, PromotionDecision? Decision, string Message) : WorkflowOutcome(Message);

/// <summary>Refused: nothing changes. A refusal of kind Expired on a still-Pending request means the expiry sweep is due.</summary>
public sealed record WorkflowRefusal(RefusalKind Kind, string Message) : WorkflowOutcome(Message);

/// <summary>
/// The promotion request state machine. Pure: it decides, the caller records. Gate results are passed in, judged by
/// <see cref="GateEvaluation"/> at the moment of the action.
/// </summary>
public static class PromotionWorkflow
{
    /// <summary>
    /// Whether a new request may be opened, and in which state: Approved at once when the policy asks for no approvals
    /// and every gate passes, otherwise Pending. Refused while a gate no edit can fix (policy, risk tier, route) blocks.
    /// </summary>
    public static WorkflowOutcome Open(PromotionRequest request, IReadOnlyList<GateResult> gates)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(gates);
        var structural = gates.Where(g => !g.Passed && GateNames.Structural.Contains(g.Name, StringComparer.Ordinal)).ToList();
        if (structural.Count > 0)
        {
            return new WorkflowRefusal(RefusalKind.NotAllowed, "This promotion cannot be requested: " + string.Join("; ", structural.Select(g => g.Explanation)));
        }
        return Settle(request, request.Decisions, gates, "Request opened.");
    }

    public static WorkflowOutcome Apply(PromotionRequest request, PromotionAction action, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(action);
        if (action is ExpireAction && request.State == PromotionRequestState.Pending)
        {
            return now >= request.ExpiresAt
                ? new WorkflowTransition(PromotionRequestState.Expired, null, $"Expired at {Time(request.ExpiresAt)} without a decision.")
                : new WorkflowRefusal(RefusalKind.NotAllowed, $"This request is open until {Time(request.ExpiresAt)}.");
        }
        if (Closed(request, now) is { } closed)
        {
            return closed;
        }
        return action switch
        {
            ApproveAction a => Approve(request, a, now),
            RejectAction r => Reject(request, r, now),
            WithdrawAction w => Withdraw(request, w),
            RecheckAction c => ApprovalSlots.Remaining(request.Policy, request.Decisions) is { Count: > 0 } open
                ? new WorkflowRefusal(RefusalKind.NotYet,
                    $"This request still {ApprovalSlots.Describe(open)}; its gates are judged again at each approval.")
                : Settle(request, request.Decisions, c.Gates, "Gates judged again."),
            _ => throw new ArgumentOutOfRangeException(nameof(action), action.GetType().Name, "Unknown action."),
        };
    }

    // Decided, withdrawn, expired, or past its expiry and waiting for the sweep: nothing more can happen to it.
    private static WorkflowRefusal? Closed(PromotionRequest request, DateTimeOffset now) => request.State switch
    {
        PromotionRequestState.Expired => new(RefusalKind.Expired, $"This request expired at {Time(request.ExpiresAt)}; open a new one."),
        not PromotionRequestState.Pending => new(RefusalKind.AlreadyDecided, $"This request is already {request.State}; nothing more can be decided on it."),
        _ when now >= request.ExpiresAt => new(RefusalKind.Expired, $"This request expired at {Time(request.ExpiresAt)}; open a new one."),
        _ => null,
    };

    /// <summary>Null when <paramref name="caller"/> may decide (approve or reject) on the request; otherwise why not.</summary>
    public static string? WhyCannotDecide(PromotionRequest request, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        // Holding Admin or Auditor disqualifies even beside ComplianceOfficer: the product says they are not approvers.
        if (caller.Has(Roles.Admin))
        {
            return "An Admin is not an approver.";
        }
        if (caller.Has(Roles.Auditor))
        {
            return "An Auditor never decides; auditors change nothing.";
        }
        if (SamePerson(caller.Username, request.Requester))
        {
            return "You made this request; someone else must decide on it.";
        }
        if (SamePerson(caller.Username, request.ModelOwner))
        {
            return "You own this model; someone outside its team must decide on its promotion.";
        }
        if (request.TargetStage == Stage.Production && caller.Team is not null && string.Equals(caller.Team, request.OwningTeam, StringComparison.Ordinal))
        {
            return $"You are in {request.OwningTeam}, the team that owns this model; someone outside it must decide on a promotion to Production.";
        }
        return null;
    }

    /// <summary>
    /// What <paramref name="caller"/> may do on a pending request, with the reason they may not approve: the request page
    /// offers only what the server would accept, and says why not before anyone tries.
    /// </summary>
    public static DecisionRights RightsOf(PromotionRequest request, Caller caller, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        if (Closed(request, now) is { } closed)
        {
            return new DecisionRights(false, false, closed.Message);
        }
        var approveRefusal = WhyCannotApprove(request, caller, gates: null, out _);
        var mayReject = WhyCannotDecide(request, caller) is null && RejectRole(request, caller) is not null;
        return new DecisionRights(approveRefusal is null, mayReject, approveRefusal?.Message);
    }

    private static WorkflowRefusal? WhyCannotApprove(PromotionRequest request, Caller caller, IReadOnlyList<GateResult>? gates, out RequiredApproval? slot)
    {
        slot = null;
        if (WhyCannotDecide(request, caller) is { } why)
        {
            return new WorkflowRefusal(RefusalKind.SeparationOfDuties, why);
        }
        if (request.Decisions.Any(d => d.Verdict == Verdict.Approve && SamePerson(d.Approver, caller.Username)))
        {
            return new WorkflowRefusal(RefusalKind.SeparationOfDuties, "You have already approved this request; another person must fill the next slot.");
        }
        var remaining = ApprovalSlots.Remaining(request.Policy, request.Decisions);
        if (remaining.Count == 0)
        {
            return new WorkflowRefusal(RefusalKind.NotAllowed,
                "Every approval this policy asks for is already given; the request waits for its gates"
                + (gates is null ? "." : ": " + string.Join("; ", GateEvaluation.Blocking(gates).DefaultIfEmpty("none block now; judge them again"))));
        }
        // Slots are filled in policy order, so someone holding two roles fills the first one still open.
        slot = remaining.FirstOrDefault(r => caller.Has(r.Role));
        if (slot is null)
        {
            return new WorkflowRefusal(RefusalKind.NotAllowed,
                $"This request {ApprovalSlots.Describe(remaining)}; you hold {(caller.Roles.Count == 0 ? "no role" : string.Join(", ", caller.Roles))}.");
        }
        return null;
    }

    // Any role the policy asks approvals from may reject, filled or not; compliance officers may always say no,
    // which also covers policies that need no approvals.
    private static IEnumerable<string> RejectRoles(PromotionRequest request) =>
        request.Policy.RequiredApprovals.Select(a => a.Role).Append(Roles.ComplianceOfficer).Distinct(StringComparer.Ordinal);

    private static string? RejectRole(PromotionRequest request, Caller caller) => RejectRoles(request).FirstOrDefault(caller.Has);

    private static WorkflowOutcome Approve(PromotionRequest request, ApproveAction action, DateTimeOffset now)
    {
        var caller = action.By;
        if (WhyCannotApprove(request, caller, action.Gates, out var slot) is { } refusal)
        {
            return refusal;
        }
        var decision = new PromotionDecision(caller.Username, slot!.Role, Verdict.Approve, action.Comment, now);
        return Settle(request, [.. request.Decisions, decision], action.Gates, $"Approved by {caller.Username} as {slot.Role}.", decision);
    }

    private static WorkflowOutcome Reject(PromotionRequest request, RejectAction action, DateTimeOffset now)
    {
        var caller = action.By;
        if (WhyCannotDecide(request, caller) is { } why)
        {
            return new WorkflowRefusal(RefusalKind.SeparationOfDuties, why);
        }
        var role = RejectRole(request, caller);
        if (role is null)
        {
            return new WorkflowRefusal(RefusalKind.NotAllowed, $"Only {string.Join(" or ", RejectRoles(request))} may reject this request.");
        }
        if (string.IsNullOrWhiteSpace(action.Reason))
        {
            return new WorkflowRefusal(RefusalKind.NotAllowed, "A rejection needs a reason the requester can act on.");
        }
        var decision = new PromotionDecision(caller.Username, role, Verdict.Reject, action.Reason.Trim(), now);
        return new WorkflowTransition(PromotionRequestState.Rejected, decision, $"Rejected by {caller.Username} as {role}: {action.Reason.Trim()}");
    }

    private static WorkflowOutcome Withdraw(PromotionRequest request, WithdrawAction action)
    {
        // The owner may withdraw too: requests from a pipeline's API client have no person behind them to do it.
        if (SamePerson(action.By.Username, request.Requester) || SamePerson(action.By.Username, request.ModelOwner))
        {
            return new WorkflowTransition(PromotionRequestState.Withdrawn, null, $"Withdrawn by {action.By.Username}.");
        }
        return new WorkflowRefusal(RefusalKind.NotAllowed, $"Only the requester ({request.Requester}) or the model's owner ({request.ModelOwner}) may withdraw this request.");
    }

    // Approved once no slot is open and every gate passes; otherwise stays Pending and says what it waits for.
    private static WorkflowTransition Settle(PromotionRequest request, IReadOnlyList<PromotionDecision> decisions, IReadOnlyList<GateResult> gates, string done, PromotionDecision? decision = null)
    {
        var remaining = ApprovalSlots.Remaining(request.Policy, decisions);
        var blocking = GateEvaluation.Blocking(gates);
        if (remaining.Count == 0 && blocking.Count == 0)
        {
            return new WorkflowTransition(PromotionRequestState.Approved, decision, $"{done} Every approval is given and every gate passes: the request is Approved.");
        }
        var waits = new List<string>();
        if (remaining.Count > 0)
        {
            waits.Add(ApprovalSlots.Describe(remaining));
        }
        if (blocking.Count > 0)
        {
            waits.Add("waits for its gates: " + string.Join("; ", blocking));
        }
        return new WorkflowTransition(PromotionRequestState.Pending, decision, $"{done} The request stays Pending: it {string.Join(", and ", waits)}.");
    }

    internal static bool SamePerson(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}

/// <summary>Which approvals a request still needs.</summary>
public static class ApprovalSlots
{
    /// <summary>
    /// The open slots in policy order, with how many of each remain. Each distinct person counts once, in the role their
    /// decision names; rejections fill nothing.
    /// </summary>
    public static IReadOnlyList<RequiredApproval> Remaining(PromotionPolicy policy, IEnumerable<PromotionDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var people = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var filled = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in decisions.Where(d => d.Verdict == Verdict.Approve))
        {
            if (people.Add(d.Approver))
            {
                filled[d.Role] = filled.GetValueOrDefault(d.Role) + 1;
            }
        }
        return policy.RequiredApprovals
            .Select(r => r with { Count = r.Count - filled.GetValueOrDefault(r.Role) })
            .Where(r => r.Count > 0)
            .ToList();
    }

    /// <summary>"needs 1 more ComplianceOfficer", "needs 2 more ComplianceOfficers and 1 more ModelOwner", or "needs no more approvals".</summary>
    public static string Describe(IReadOnlyList<RequiredApproval> remaining)
    {
        if (remaining.Count == 0)
        {
            return "needs no more approvals";
        }
        var parts = remaining.Select(r => $"{r.Count} more {r.Role}{(r.Count == 1 ? "" : "s")}").ToList();
        return "needs " + (parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1]);
    }
}
