using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>How many people holding <paramref name="Role"/> must approve.</summary>
public sealed record RequiredApproval(string Role, int Count);

/// <summary>A sign-off the promotion waits for, such as a checklist assessment; <paramref name="Id"/> is what evaluation input names.</summary>
public sealed record RequiredSignOff(string Id, string DisplayName);

/// <summary>
/// What a promotion to one stage at one risk tier needs. Policies are versioned data: a request records the
/// <see cref="Version"/> it was judged under. Sign-offs that depend on the model (HIPAA when it touches PHI) are
/// added by the caller with <c>policy with { RequiredSignOffs = [..] }</c>.
/// </summary>
public sealed record PromotionPolicy
{
    public static readonly TimeSpan DefaultRequestExpiry = TimeSpan.FromDays(14);

    /// <summary>Roles that may fill an approval slot; Admins and Auditors never approve, Viewers only read.</summary>
    public static readonly IReadOnlyList<string> ApproverRoles = [Roles.ComplianceOfficer, Roles.ModelOwner];

    public required int Version { get; init; }
    public required Stage TargetStage { get; init; }
    public required RiskTier RiskTier { get; init; }
    public IReadOnlyList<RequiredApproval> RequiredApprovals { get; init; } = [];
    public IReadOnlyList<RequiredSignOff> RequiredSignOffs { get; init; } = [];

    /// <summary>0–100, compared with the model card's completeness score.</summary>
    public int MinimumCardCompleteness { get; init; }

    /// <summary>Every metric that declares a threshold must meet it.</summary>
    public bool MetricThresholdsMustPass { get; init; }

    /// <summary>Shadow/canary: the version joins the Production champion instead of replacing it.</summary>
    public bool AllowsSeveralProduction { get; init; }

    public TimeSpan RequestExpiry { get; init; } = DefaultRequestExpiry;
    public IReadOnlyList<Stage> AllowedFromStages { get; init; } = [];

    public int TotalApprovals => RequiredApprovals.Sum(a => a.Count);

    /// <summary>Why this policy cannot be used as written; empty when it can.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Version < 1)
        {
            problems.Add("The version must be 1 or more.");
        }
        if (MinimumCardCompleteness is < 0 or > 100)
        {
            problems.Add($"The minimum model card completeness must be between 0 and 100, not {MinimumCardCompleteness}.");
        }
        if (RequestExpiry <= TimeSpan.Zero)
        {
            problems.Add("Requests must expire after a positive time.");
        }
        if (AllowedFromStages.Count == 0)
        {
            problems.Add("At least one stage must be allowed to promote from.");
        }
        if (AllowedFromStages.Contains(TargetStage))
        {
            problems.Add($"A version cannot be promoted from {TargetStage} to {TargetStage}.");
        }
        foreach (var approval in RequiredApprovals)
        {
            if (!ApproverRoles.Contains(approval.Role, StringComparer.Ordinal))
            {
                problems.Add($"'{approval.Role}' cannot approve; approvers are {string.Join(" or ", ApproverRoles)}.");
            }
            if (approval.Count < 1)
            {
                problems.Add($"{approval.Role} must be asked for at least one approval, not {approval.Count}.");
            }
        }
        // Two rows for one role would make "needs 1 more" ambiguous.
        foreach (var role in RequiredApprovals.GroupBy(a => a.Role, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{role.Key} is listed more than once.");
        }
        foreach (var signOff in RequiredSignOffs.GroupBy(s => s.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"The sign-off '{signOff.Key}' is listed more than once.");
        }
        if (RequiredSignOffs.Any(s => string.IsNullOrWhiteSpace(s.Id) || string.IsNullOrWhiteSpace(s.DisplayName)))
        {
            problems.Add("Every sign-off needs an id and a display name.");
        }
        return problems;
    }
}
