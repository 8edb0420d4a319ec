using System.Globalization;

namespace GovernancePortal.Approvals;

/// <summary>One field of a policy as a person reads it.</summary>
public sealed record PolicyFieldValue(string Field, string Label, string Value);

/// <summary>A field whose value differs between two versions of a policy.</summary>
public sealed record PolicyFieldChange(string Field, string Label, string Before, string After);

/// <summary>Policies as readable text, field by field, and what changed between two versions.</summary>
public static class PromotionPolicyDiff
{
    /// <summary>The fields an officer edits and reads, in the order pages show them; stage, tier and version identify the policy and are left out.</summary>
    public static IReadOnlyList<PolicyFieldValue> Describe(PromotionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return
        [
            new(PolicyFields.RequiredApprovals, "Required approvals", Approvals(policy.RequiredApprovals)),
            new(PolicyFields.MinimumCardCompleteness, "Minimum card completeness", policy.MinimumCardCompleteness.ToString(CultureInfo.InvariantCulture)),
            new(PolicyFields.MetricThresholdsMustPass, "Metric thresholds must pass", YesNo(policy.MetricThresholdsMustPass)),
            new(PolicyFields.AllowsSeveralProduction, "Several Production versions allowed", YesNo(policy.AllowsSeveralProduction)),
            new(PolicyFields.RequestExpiry, "Requests expire after", Expiry(policy.RequestExpiry)),
            new(PolicyFields.AllowedFromStages, "Promoted from", policy.AllowedFromStages.Count == 0 ? "none" : string.Join(", ", policy.AllowedFromStages)),
            new(PolicyFields.RequireApplicableChecklistsSignedOff, "Applicable checklists signed off", YesNo(policy.RequireApplicableChecklistsSignedOff)),
            // Sorted: the order a template is named in changes nothing it requires.
            new(PolicyFields.RequiredChecklistTemplates, "Named checklists signed off",
                policy.RequiredChecklistTemplates.Count == 0 ? "none" : string.Join(", ", policy.RequiredChecklistTemplates.Order(StringComparer.Ordinal))),
        ];
    }

    /// <summary>The fields whose text differs, in <see cref="Describe"/> order; empty when the two say the same.</summary>
    public static IReadOnlyList<PolicyFieldChange> Compare(PromotionPolicy before, PromotionPolicy after)
    {
        var old = Describe(before);
        var @new = Describe(after);
        return old.Zip(@new)
            .Where(pair => !string.Equals(pair.First.Value, pair.Second.Value, StringComparison.Ordinal))
            .Select(pair => new PolicyFieldChange(pair.First.Field, pair.First.Label, pair.First.Value, pair.Second.Value))
            .ToList();
    }

    /// <summary>"2 ComplianceOfficers and 1 ModelOwner", or "none".</summary>
    public static string Approvals(IReadOnlyList<RequiredApproval> approvals)
    {
        if (approvals.Count == 0)
        {
            return "none";
        }
        var parts = approvals.Select(a => $"{a.Count} {a.Role}{(a.Count == 1 ? "" : "s")}").ToList();
        return parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
    }

    /// <summary>"14 days", "1 day"; a time that is not whole days keeps its hours.</summary>
    public static string Expiry(TimeSpan expiry) =>
        expiry.Ticks % TimeSpan.TicksPerDay == 0
            ? $"{expiry.Days} day{(expiry.Days == 1 ? "" : "s")}"
            : expiry.ToString("c", CultureInfo.InvariantCulture);

    private static string YesNo(bool value) => value ? "yes" : "no";
}
