using System.Globalization;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

/// <summary>What a promotion is judged on, gathered by the caller at the moment of judging.</summary>
public sealed record PromotionCandidate(
    Stage CurrentStage,
    Stage TargetStage,
    RiskTier RiskTier,
    int CardCompleteness,
    IReadOnlyList<string> MissingCardSections,
    IReadOnlyList<MeasuredMetric> Metrics,
    bool AnotherVersionInProduction)
{
    /// <summary>Every checklist template that applies to the version, signed off or not; judged when the policy asks for it.</summary>
    public IReadOnlyList<ChecklistSignOff> Checklists { get; init; } = [];

    /// <summary>The templates that do not apply to the version, with why; a policy may name one of them.</summary>
    public IReadOnlyList<ChecklistNotApplicable> InapplicableChecklists { get; init; } = [];

    /// <summary>For a decommissioning: the version's retirement plan as the successor gate needs it; null when none is planned.</summary>
    public RetirementCandidate? Retirement { get; init; }

    /// <summary>The model's periodic review when its review policy blocks promotions while it is overdue; null otherwise.</summary>
    public PeriodicReviewCandidate? PeriodicReview { get; init; }
}

/// <summary>When the model's periodic review falls due, whether that has passed, and the review policy version that blocks (ADR-026).</summary>
public sealed record PeriodicReviewCandidate(DateOnly DueDate, bool Overdue, int PolicyVersion);

/// <summary>
/// The retirement plan of a version being decommissioned: its successor (name and stage) or why it has none. A plan
/// already cancelled counts as no plan.
/// </summary>
public sealed record RetirementCandidate(string? Successor, Stage? SuccessorStage, string? NoSuccessorReason);

/// <summary>A checklist template that does not apply to the candidate, and the reason for a person ("HIPAA does not apply: …").</summary>
public sealed record ChecklistNotApplicable(string TemplateId, string Title, string Reason);

/// <summary>
/// Where one applicable checklist stands for the candidate: signed off, or the items still missing, each named for a
/// person ("HIPAA item hipaa-164-312-b-audit-controls (45 CFR §164.312(b)): unanswered").
/// </summary>
public sealed record ChecklistSignOff(string TemplateId, string Title, bool SignedOff, IReadOnlyList<string> Missing);

/// <summary>One gate and why it passed or blocked; the explanation is written for a person and starts with "passed:" or "blocked:".</summary>
/// <param name="Missing">For a blocked checklist gate, every item still missing (also named in the explanation), so a page can list them.</param>
public sealed record GateResult(string Name, bool Passed, string Explanation,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? Missing = null);

public static class GateNames
{
    public const string Policy = "Policy";
    public const string RiskTier = "Risk tier";
    public const string Route = "Route";
    public const string CardCompleteness = "Model card completeness";
    public const string MetricThresholds = "Metric thresholds";
    public const string ProductionChampion = "Production champion";
    public const string Checklists = "Checklists";
    public const string Successor = "Successor";
    public const string PeriodicReview = "Periodic review";

    /// <summary>Gates no edit to the card, metrics or checklists can fix; a request is not opened while one blocks.</summary>
    public static readonly IReadOnlyList<string> Structural = [Policy, RiskTier, Route];

    public static string MetricThreshold(MeasuredMetric metric) => $"{MetricThresholds}: {Describe(metric)}";

    public static string Checklist(ChecklistSignOff checklist) => $"{Checklists}: {checklist.Title}";

    internal static string Describe(MeasuredMetric m) =>
        string.IsNullOrEmpty(m.Slice) || m.Slice == "overall" ? $"{m.Name} on {m.Dataset}" : $"{m.Name} on {m.Dataset}/{m.Slice}";
}

/// <summary>Judges a candidate against a policy. Pure: the same inputs give the same results in the same order.</summary>
public static class GateEvaluation
{
    public static IReadOnlyList<GateResult> Evaluate(PromotionPolicy policy, PromotionCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(candidate);

        // Nothing else matters for a prohibited practice, and listing "passed" gates beside it would mislead; switching it
        // off is the one move it may make.
        if ((candidate.RiskTier == RiskTier.Prohibited || policy.RiskTier == RiskTier.Prohibited) && candidate.TargetStage != Stage.Retired)
        {
            return [Blocked(GateNames.RiskTier,
                $"the model is Prohibited under the EU AI Act Art. 5; it can never be promoted to {candidate.TargetStage}")];
        }
        var results = new List<GateResult>();
        results.Add(policy.TargetStage == candidate.TargetStage && policy.RiskTier == candidate.RiskTier
            ? Passed(GateNames.Policy, $"judged under the {policy.TargetStage}/{policy.RiskTier} policy, version {policy.Version}")
            : Blocked(GateNames.Policy,
                $"the {policy.TargetStage}/{policy.RiskTier} policy was given for a promotion to {candidate.TargetStage} of a {candidate.RiskTier}-risk model"));
        results.Add(Route(policy, candidate));
        if (candidate.TargetStage == Stage.Retired)
        {
            results.Add(Successor(candidate));
            results.AddRange(Checklists(policy, candidate));
            return results;
        }
        results.Add(Completeness(policy, candidate));
        results.AddRange(Thresholds(policy, candidate));
        results.AddRange(Checklists(policy, candidate));
        if (candidate.TargetStage == Stage.Production)
        {
            results.Add(Champion(policy, candidate));
        }
        if (candidate.PeriodicReview is { } review)
        {
            results.Add(review.Overdue
                ? Blocked(GateNames.PeriodicReview, $"the model's periodic review was due on {review.DueDate:yyyy-MM-dd} and is overdue; "
                    + $"the review policy (version {review.PolicyVersion}) holds promotions until it is signed off")
                : Passed(GateNames.PeriodicReview, $"the model's periodic review is due on {review.DueDate:yyyy-MM-dd}"));
        }
        return results;
    }

    public static bool Blocks(IEnumerable<GateResult> results) => results.Any(r => !r.Passed);

    public static bool Passes(IEnumerable<GateResult> results) => !Blocks(results);

    /// <summary>The explanations of the gates that block, in evaluation order.</summary>
    public static IReadOnlyList<string> Blocking(IEnumerable<GateResult> results) =>
        results.Where(r => !r.Passed).Select(r => r.Explanation).ToList();

    /// <summary>Whether approving moves the current Production champion out rather than running beside it.</summary>
    public static bool ReplacesProductionChampion(PromotionPolicy policy, PromotionCandidate candidate) =>
        candidate.TargetStage == Stage.Production && candidate.AnotherVersionInProduction && !policy.AllowsSeveralProduction;

    private static GateResult Route(PromotionPolicy policy, PromotionCandidate candidate)
    {
        var from = candidate.CurrentStage;
        var to = candidate.TargetStage;
        if (from == to)
        {
            return Blocked(GateNames.Route, $"the version is already in {to}");
        }
        if (policy.AllowedFromStages.Contains(from))
        {
            return Passed(GateNames.Route, $"promotion from {from} to {to} is allowed");
        }
        var allowed = policy.AllowedFromStages.Count == 0 ? "no stage" : string.Join(" or ", policy.AllowedFromStages);
        var hint = policy.AllowedFromStages.Count == 1
            ? $"promote to {policy.AllowedFromStages[0]} first"
            : $"this policy allows it from {allowed}";
        // A step backwards needs a different hint than "promote first".
        if (policy.AllowedFromStages.All(s => s < from) || from is Stage.Retired or Stage.Archived)
        {
            hint = $"this policy allows it from {allowed} only";
        }
        return Blocked(GateNames.Route, $"promotion from {from} to {to} is not allowed; {hint}");
    }

    // Retiring keeps the business running only if something takes over, or if the plan says why nothing needs to.
    private static GateResult Successor(PromotionCandidate candidate) => candidate.Retirement switch
    {
        null => Blocked(GateNames.Successor, "no retirement plan names a successor or says why there is none; plan the retirement first"),
        { Successor: { } successor, SuccessorStage: Stage.Production } => Passed(GateNames.Successor, $"the successor {successor} is in Production"),
        { Successor: { } successor, SuccessorStage: var stage } =>
            Blocked(GateNames.Successor, $"the successor {successor} is in {stage}; it must be in Production before this version retires"),
        { NoSuccessorReason: var reason } => Passed(GateNames.Successor, $"no successor, accepted with its reason: {reason}"),
    };

    private static GateResult Completeness(PromotionPolicy policy, PromotionCandidate candidate)
    {
        var score = candidate.CardCompleteness;
        var minimum = policy.MinimumCardCompleteness;
        if (minimum <= 0)
        {
            return Passed(GateNames.CardCompleteness, $"model card completeness {score}; this policy sets no minimum");
        }
        if (score >= minimum)
        {
            return Passed(GateNames.CardCompleteness, $"model card completeness {score} meets the required {minimum}");
        }
        var missing = candidate.MissingCardSections.Count == 0 ? "" : $" (missing: {string.Join(", ", candidate.MissingCardSections)})";
        return Blocked(GateNames.CardCompleteness, $"model card completeness {score} is below the required {minimum}{missing}");
    }

    private static IEnumerable<GateResult> Thresholds(PromotionPolicy policy, PromotionCandidate candidate)
    {
        var withThreshold = candidate.Metrics
            .Where(m => m.Threshold is not null)
            .OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Dataset, StringComparer.Ordinal)
            .ThenBy(m => m.Slice == "overall" ? "" : m.Slice, StringComparer.Ordinal)
            .ToList();
        var failing = withThreshold.Where(m => !MeetsThreshold(m)).ToList();
        if (!policy.MetricThresholdsMustPass)
        {
            var note = failing.Count == 0 ? "" : $" ({failing.Count} of {withThreshold.Count} thresholds fail)";
            return [Passed(GateNames.MetricThresholds, $"metric thresholds are not required by this policy{note}")];
        }
        if (withThreshold.Count == 0)
        {
            return [Passed(GateNames.MetricThresholds, "no metric declares a threshold")];
        }
        if (failing.Count == 0)
        {
            return [Passed(GateNames.MetricThresholds, withThreshold.Count == 1
                ? "the 1 metric threshold passes"
                : $"all {withThreshold.Count} metric thresholds pass")];
        }
        // One result per failing metric, so each blocked line names one thing to fix.
        return failing.Select(m => Blocked(GateNames.MetricThreshold(m),
            $"metric {GateNames.Describe(m)} is {Number(m.Value)}, {(m.HigherIsBetter ? "below" : "above")} its threshold {Number(m.Threshold!.Value)}"));
    }

    // NaN never meets a threshold: both comparisons are false.
    private static bool MeetsThreshold(MeasuredMetric m) =>
        m.Threshold is not { } t || (m.HigherIsBetter ? m.Value >= t : m.Value <= t);

    private static IEnumerable<GateResult> Checklists(PromotionPolicy policy, PromotionCandidate candidate)
    {
        var named = policy.RequiredChecklistTemplates.Distinct(StringComparer.Ordinal).ToList();
        if (!policy.RequireApplicableChecklistsSignedOff && named.Count == 0)
        {
            return [Passed(GateNames.Checklists, "this policy does not require checklist sign-offs")];
        }
        var judged = policy.RequireApplicableChecklistsSignedOff
            ? candidate.Checklists
            : candidate.Checklists.Where(c => named.Contains(c.TemplateId, StringComparer.Ordinal)).ToList();
        // One result per template, so each blocked line names one assessment to finish.
        var lines = judged.Select(c => (c.Title, Result: c.SignedOff
            ? Passed(GateNames.Checklist(c), $"{c.Title} is signed off")
            : Blocked(GateNames.Checklist(c), $"{c.Title} is not signed off; missing: {Summarise(c.Missing)}") with { Missing = c.Missing.Count > 0 ? c.Missing : null })).ToList();
        foreach (var id in named.Where(id => !candidate.Checklists.Any(c => c.TemplateId == id)))
        {
            lines.Add(candidate.InapplicableChecklists.FirstOrDefault(c => c.TemplateId == id) is { } skipped
                ? (skipped.Title, Passed($"{GateNames.Checklists}: {skipped.Title}", $"{skipped.Title} is named by this policy and does not apply to this model. {skipped.Reason}"))
                // Saving refuses unknown ids; a template missing when judged is a library fault, and nobody can sign it off.
                : (id, Blocked($"{GateNames.Checklists}: {id}", $"checklist template '{id}', named by this policy, is not in the checklist library")));
        }
        if (lines.Count == 0)
        {
            return [Passed(GateNames.Checklists, "no checklist template applies to this model")];
        }
        return lines.OrderBy(l => l.Title, StringComparer.Ordinal).Select(l => l.Result);
    }

    private static string Summarise(IReadOnlyList<string> missing)
    {
        if (missing.Count == 0)
        {
            return "the sign-off by a compliance officer";
        }
        // Every item, however many: the issue asks the gate to name each one the owner still has to answer.
        return string.Join("; ", missing);
    }

    private static GateResult Champion(PromotionPolicy policy, PromotionCandidate candidate)
    {
        if (!candidate.AnotherVersionInProduction)
        {
            return Passed(GateNames.ProductionChampion, "no other version is in Production; this one becomes the champion");
        }
        // Informational: replacing the champion is how a model is upgraded, so it never blocks.
        return Passed(GateNames.ProductionChampion, policy.AllowsSeveralProduction
            ? "another version is in Production and stays there; this policy allows several (shadow/canary)"
            : "another version is in Production; this one replaces it as the champion");
    }

    private static string Number(double value) =>
        double.IsFinite(value) ? value.ToString("0.00##", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    private static GateResult Passed(string name, string why) => new(name, true, "passed: " + why);

    private static GateResult Blocked(string name, string why) => new(name, false, "blocked: " + why);
}
