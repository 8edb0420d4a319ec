using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>How many people holding <paramref name="Role"/> must approve.</summary>
public sealed record RequiredApproval(string Role, int Count);

/// <summary>
/// What a promotion to one stage at one risk tier needs. Policies are versioned data: a request records the
/// <see cref="Version"/> it was judged under. Sign-offs are the checklist gate's (<see cref="RequireApplicableChecklistsSignedOff"/>
/// and <see cref="RequiredChecklistTemplates"/>): whether a checklist applies follows from the model's own facts (HIPAA when
/// it touches PHI), never from the policy.
/// </summary>
public sealed record PromotionPolicy
{
    public static readonly TimeSpan DefaultRequestExpiry = TimeSpan.FromDays(14);
    public static readonly TimeSpan MaximumRequestExpiry = TimeSpan.FromDays(365);
    public const int MaximumApprovalsPerRole = 10;

    /// <summary>Roles that may fill an approval slot; Admins and Auditors never approve, Viewers only read.</summary>
    public static readonly IReadOnlyList<string> ApproverRoles = [Roles.ComplianceOfficer, Roles.ModelOwner];

    public required int Version { get; init; }
    public required Stage TargetStage { get; init; }
    public required RiskTier RiskTier { get; init; }
    public IReadOnlyList<RequiredApproval> RequiredApprovals { get; init; } = [];

    /// <summary>0–100, compared with the model card's completeness score.</summary>
    public int MinimumCardCompleteness { get; init; }

    /// <summary>Every metric that declares a threshold must meet it.</summary>
    public bool MetricThresholdsMustPass { get; init; }

    /// <summary>Shadow/canary: the version joins the Production champion instead of replacing it.</summary>
    public bool AllowsSeveralProduction { get; init; }

    public TimeSpan RequestExpiry { get; init; } = DefaultRequestExpiry;
    public IReadOnlyList<Stage> AllowedFromStages { get; init; } = [];

    /// <summary>Every compliance checklist that applies to the model must be signed off; officers turn it on per policy.</summary>
    public bool RequireApplicableChecklistsSignedOff { get; init; }

    /// <summary>
    /// Checklist templates (library ids such as "hipaa") that must be signed off when they apply to the version: named
    /// one by one, whatever <see cref="RequireApplicableChecklistsSignedOff"/> says.
    /// </summary>
    public IReadOnlyList<string> RequiredChecklistTemplates { get; init; } = [];

    public int TotalApprovals => RequiredApprovals.Sum(a => a.Count);

    /// <summary>Why this policy cannot be used as written; empty when it can.</summary>
    public IReadOnlyList<string> Problems() => FieldProblems().Select(p => p.Message).ToList();

    /// <summary>
    /// As <see cref="Problems"/>, each tied to the field it concerns (camel-case property names, as the API spells them),
    /// so forms and problem details can point at it.
    /// </summary>
    public IReadOnlyList<PolicyProblem> FieldProblems()
    {
        var problems = new List<PolicyProblem>();
        void Add(string field, string message) => problems.Add(new PolicyProblem(field, message));
        if (Version < 1)
        {
            Add(PolicyFields.Version, "The version must be 1 or more.");
        }
        if (TargetStage is not (Stage.Staging or Stage.Production or Stage.Retired))
        {
            Add(PolicyFields.TargetStage, $"Policies promote to Staging or Production, or retire, not {TargetStage}.");
        }
        if (MinimumCardCompleteness is < 0 or > 100)
        {
            Add(PolicyFields.MinimumCardCompleteness, $"The minimum model card completeness must be between 0 and 100, not {MinimumCardCompleteness}.");
        }
        if (RequestExpiry <= TimeSpan.Zero)
        {
            Add(PolicyFields.RequestExpiry, "Requests must expire after a positive time.");
        }
        else if (RequestExpiry > MaximumRequestExpiry)
        {
            // A request waiting longer than a year is judged on evidence nobody remembers.
            Add(PolicyFields.RequestExpiry, $"Requests must expire within {MaximumRequestExpiry.Days} days.");
        }
        if (AllowedFromStages.Count == 0)
        {
            Add(PolicyFields.AllowedFromStages, "At least one stage must be allowed to promote from.");
        }
        if (AllowedFromStages.Contains(TargetStage))
        {
            Add(PolicyFields.AllowedFromStages, $"A version cannot be promoted from {TargetStage} to {TargetStage}.");
        }
        if (AllowedFromStages.Distinct().Count() != AllowedFromStages.Count)
        {
            Add(PolicyFields.AllowedFromStages, "A stage is listed more than once.");
        }
        foreach (var approval in RequiredApprovals)
        {
            if (!ApproverRoles.Contains(approval.Role, StringComparer.Ordinal))
            {
                Add(PolicyFields.RequiredApprovals, $"'{approval.Role}' cannot approve; approvers are {string.Join(" or ", ApproverRoles)}.");
            }
            if (approval.Count < 1)
            {
                Add(PolicyFields.RequiredApprovals, $"{approval.Role} must be asked for at least one approval, not {approval.Count}.");
            }
            else if (approval.Count > MaximumApprovalsPerRole)
            {
                Add(PolicyFields.RequiredApprovals, $"{approval.Role} can be asked for at most {MaximumApprovalsPerRole} approvals, not {approval.Count}.");
            }
        }
        // Two rows for one role would make "needs 1 more" ambiguous.
        foreach (var role in RequiredApprovals.GroupBy(a => a.Role, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Add(PolicyFields.RequiredApprovals, $"{role.Key} is listed more than once.");
        }
        if (RequiredChecklistTemplates.Any(string.IsNullOrWhiteSpace))
        {
            Add(PolicyFields.RequiredChecklistTemplates, "A checklist template id is blank.");
        }
        foreach (var template in RequiredChecklistTemplates.Where(t => !string.IsNullOrWhiteSpace(t)).GroupBy(t => t, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            Add(PolicyFields.RequiredChecklistTemplates, $"Checklist template '{template.Key}' is listed more than once.");
        }
        return problems;
    }

    /// <summary>
    /// As <see cref="FieldProblems()"/>, and each named checklist template must be in <paramref name="checklistLibrary"/>
    /// (template ids): a policy naming a template nobody can sign off would block forever, or pass on a typo.
    /// </summary>
    public IReadOnlyList<PolicyProblem> FieldProblems(IReadOnlyCollection<string> checklistLibrary)
    {
        ArgumentNullException.ThrowIfNull(checklistLibrary);
        var problems = FieldProblems().ToList();
        foreach (var unknown in RequiredChecklistTemplates.Where(t => !string.IsNullOrWhiteSpace(t) && !checklistLibrary.Contains(t, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            var known = checklistLibrary.Count == 0 ? "the library is empty" : $"the library has {string.Join(", ", checklistLibrary.Order(StringComparer.Ordinal))}";
            problems.Add(new PolicyProblem(PolicyFields.RequiredChecklistTemplates, $"'{unknown}' is not a checklist template; {known}."));
        }
        return problems;
    }
}

/// <summary>What is wrong with a policy, and the field (see <see cref="PolicyFields"/>) it concerns.</summary>
public sealed record PolicyProblem(string Field, string Message);

/// <summary>The camel-case names of a policy's fields, as problems and the API name them.</summary>
public static class PolicyFields
{
    public const string Version = "version";
    public const string TargetStage = "targetStage";
    public const string RequiredApprovals = "requiredApprovals";
    public const string MinimumCardCompleteness = "minimumCardCompleteness";
    public const string MetricThresholdsMustPass = "metricThresholdsMustPass";
    public const string AllowsSeveralProduction = "allowsSeveralProduction";
    public const string RequestExpiry = "requestExpiry";
    public const string AllowedFromStages = "allowedFromStages";
    public const string RequireApplicableChecklistsSignedOff = "requireApplicableChecklistsSignedOff";
    public const string RequiredChecklistTemplates = "requiredChecklistTemplates";
}
