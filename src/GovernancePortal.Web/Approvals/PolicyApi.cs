using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public sealed record PolicyResponse(
    Stage TargetStage, RiskTier RiskTier, int Version, IReadOnlyList<RequiredApproval> RequiredApprovals, int MinimumCardCompleteness,
    bool MetricThresholdsMustPass, bool AllowsSeveralProduction, double RequestExpiryDays, IReadOnlyList<Stage> AllowedFromStages,
    bool RequireApplicableChecklistsSignedOff, IReadOnlyList<string> RequiredChecklistTemplates, string CreatedBy, DateTimeOffset CreatedAt,
    string ChangeNote, IReadOnlyList<PolicyFieldChange> Changes);

public sealed record RequiredApprovalBody(string? Role, int? Count);

/// <summary>
/// A whole policy, as PUT replaces it; <c>basedOnVersion</c> is the version the edit started from. <c>requiredChecklistTemplates</c>
/// came later and may be left out, which keeps the current list.
/// </summary>
public sealed record PolicyEditBody(
    int? BasedOnVersion, string? ChangeNote, IReadOnlyList<RequiredApprovalBody>? RequiredApprovals, int? MinimumCardCompleteness,
    bool? MetricThresholdsMustPass, bool? AllowsSeveralProduction, int? RequestExpiryDays, IReadOnlyList<Stage>? AllowedFromStages,
    bool? RequireApplicableChecklistsSignedOff, IReadOnlyList<string>? RequiredChecklistTemplates = null);

/// <summary><c>/api/v1/policies</c>: promotion policies, read by everyone, changed by compliance officers and admins.</summary>
public static class PolicyApi
{
    public static RouteGroupBuilder MapPolicyApi(this RouteGroupBuilder api)
    {
        var policies = api.MapGroup("/policies").WithTags("Approvals");
        policies.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListPolicies").Produces<List<PolicyResponse>>();
        policies.MapGet("/{stage}/{tier}/versions", VersionsAsync).RequireAuthorization(Policies.Reader).WithName("ListPolicyVersions")
            .Produces<List<PolicyResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
        policies.MapPut("/{stage}/{tier}", EditAsync).RequireAuthorization(Policies.PolicyEditor).WithName("EditPolicy")
            .Accepts<PolicyEditBody>("application/json").Produces<PolicyResponse>().ProducesValidationProblem()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<IResult> ListAsync(PromotionPolicyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.CurrentAllAsync(cancellationToken)).Select(r => Response(r, null)).ToList());

    internal static async Task<IResult> VersionsAsync(string stage, string tier, PromotionPolicyStore store, CancellationToken cancellationToken)
    {
        if (!PolicyPages.TryParse(stage, tier, out var target, out var risk))
        {
            return NoSuchPolicy(stage, tier);
        }
        var history = await store.HistoryAsync(target, risk, cancellationToken);
        return TypedResults.Ok(history.Select((row, i) => Response(row, i + 1 < history.Count ? history[i + 1] : null)).ToList());
    }

    internal static async Task<IResult> EditAsync(string stage, string tier, HttpRequest request, ClaimsPrincipal user, PromotionPolicyStore store,
        RegistryService registry, CancellationToken cancellationToken)
    {
        if (!PolicyPages.TryParse(stage, tier, out var target, out var risk))
        {
            return NoSuchPolicy(stage, tier);
        }
        var body = await ApiJson.ReadAsync<PolicyEditBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var b = body.Value!;
        var missing = new Dictionary<string, string[]>();
        void Require(object? value, string field)
        {
            if (value is null)
            {
                missing[field] = ["Required: PUT replaces the whole policy."];
            }
        }
        Require(b.BasedOnVersion, "basedOnVersion");
        Require(b.ChangeNote, PolicyEditing.ChangeNoteField);
        Require(b.RequiredApprovals, PolicyFields.RequiredApprovals);
        Require(b.MinimumCardCompleteness, PolicyFields.MinimumCardCompleteness);
        Require(b.MetricThresholdsMustPass, PolicyFields.MetricThresholdsMustPass);
        Require(b.AllowsSeveralProduction, PolicyFields.AllowsSeveralProduction);
        Require(b.RequestExpiryDays, RequestExpiryDaysField);
        Require(b.AllowedFromStages, PolicyFields.AllowedFromStages);
        Require(b.RequireApplicableChecklistsSignedOff, PolicyFields.RequireApplicableChecklistsSignedOff);
        foreach (var (approval, index) in (b.RequiredApprovals ?? []).Select((a, i) => (a, i)))
        {
            Require(approval?.Role, $"{PolicyFields.RequiredApprovals}[{index}].role");
            Require(approval?.Count, $"{PolicyFields.RequiredApprovals}[{index}].count");
        }
        if (missing.Count > 0)
        {
            return TypedResults.ValidationProblem(missing, title: "The policy is incomplete.");
        }
        var edit = new PolicyEdit(target, risk, b.BasedOnVersion!.Value, b.ChangeNote,
            b.RequiredApprovals!.Select(a => new RequiredApproval(a.Role!, a.Count!.Value)).ToList(), b.MinimumCardCompleteness!.Value,
            b.MetricThresholdsMustPass!.Value, b.AllowsSeveralProduction!.Value, ExpiryOf(b.RequestExpiryDays!.Value),
            b.AllowedFromStages!, b.RequireApplicableChecklistsSignedOff!.Value, b.RequiredChecklistTemplates);
        var result = await store.SaveAsync(await registry.CallerAsync(user, cancellationToken), edit, cancellationToken);
        if (result.Value is { } saved)
        {
            var previous = (await store.HistoryAsync(target, risk, cancellationToken)).FirstOrDefault(r => r.Version == saved.Version - 1);
            return TypedResults.Ok(Response(saved, previous));
        }
        var failure = result.Failure!;
        // The API speaks of expiry in days.
        return (failure with
        {
            Errors = failure.Errors?.ToDictionary(e => e.Key == PolicyFields.RequestExpiry ? RequestExpiryDaysField : e.Key, e => e.Value),
        }).ToProblem();
    }

    public const string RequestExpiryDaysField = "requestExpiryDays";

    /// <summary>Days as a time span; beyond the allowed range only "too long" or "not positive" matters, and a huge count must not overflow.</summary>
    public static TimeSpan ExpiryOf(int days) =>
        TimeSpan.FromDays(Math.Clamp(days, 0, PromotionPolicy.MaximumRequestExpiry.Days + 1));

    public static PolicyResponse Response(PromotionPolicyVersion row, PromotionPolicyVersion? previous)
    {
        var policy = row.Policy();
        return new PolicyResponse(policy.TargetStage, policy.RiskTier, policy.Version, policy.RequiredApprovals, policy.MinimumCardCompleteness,
            policy.MetricThresholdsMustPass, policy.AllowsSeveralProduction, policy.RequestExpiry.TotalDays, policy.AllowedFromStages,
            policy.RequireApplicableChecklistsSignedOff, policy.RequiredChecklistTemplates, row.CreatedBy, row.CreatedAt, row.ChangeNote,
            previous is null ? [] : PromotionPolicyDiff.Compare(previous.Policy(), policy));
    }

    private static IResult NoSuchPolicy(string stage, string tier) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
        detail: $"There is no policy for '{stage}'/'{tier}'. Stages: staging, production; tiers: {string.Join(", ", Enum.GetNames<RiskTier>().Select(n => n.ToLowerInvariant()))}.");
}
