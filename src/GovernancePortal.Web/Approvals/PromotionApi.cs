using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public sealed record PromotionRequestBody(Stage? TargetStage, string? Justification);

public sealed record DecisionBody(string? Decision, string? Comment);

public sealed record DecisionResponse(string Approver, string Role, Verdict Verdict, string? Comment, DateTimeOffset At);

public sealed record PromotionResponse(
    Guid Id, string Model, string Version, Stage FromStage, Stage TargetStage, PromotionRequestState Status, string Requester, string Justification,
    int PolicyVersion, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? DecidedAt, string StillNeeded,
    IReadOnlyList<GateResult> Gates, IReadOnlyList<DecisionResponse> Decisions);

public sealed record GatesProblem(string Title, IReadOnlyList<GateResult> Gates);

/// <summary><c>/api/v1/promotions</c>: pipelines request promotions; approvers decide.</summary>
public static class PromotionApi
{
    public static RouteGroupBuilder MapPromotionApi(this RouteGroupBuilder api)
    {
        api.MapPost("/models/{key}/versions/{version}/promotions", RequestAsync).RequireAuthorization(Policies.ModelOwner).WithTags("Approvals")
            .WithName("RequestPromotion").Accepts<PromotionRequestBody>("application/json").Produces<PromotionResponse>(StatusCodes.Status201Created)
            .Produces<GatesProblem>(StatusCodes.Status422UnprocessableEntity);
        var promotions = api.MapGroup("/promotions").WithTags("Approvals");
        promotions.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListPromotions");
        promotions.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetPromotion");
        promotions.MapPost("/{id:guid}/decisions", DecideAsync).RequireAuthorization(Policies.PromotionDecider).WithName("DecidePromotion")
            .Accepts<DecisionBody>("application/json").Produces<PromotionResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        promotions.MapPost("/{id:guid}/recheck", RecheckAsync).RequireAuthorization(Policies.PromotionDecider).WithName("RecheckPromotion")
            .Produces<PromotionResponse>().ProducesProblem(StatusCodes.Status409Conflict);
        promotions.MapPost("/{id:guid}/withdraw", WithdrawAsync).RequireAuthorization(Policies.ModelOwner).WithName("WithdrawPromotion");
        return api;
    }

    internal static async Task<IResult> RequestAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, GovernanceDbContext db,
        PromotionService promotions, RegistryService registry, PromotionQueries queries, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, key, version, cancellationToken);
        if (found is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Model '{key}' has no version '{version}'.");
        }
        var body = await ApiJson.ReadAsync<PromotionRequestBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (body.Value!.TargetStage is not { } target)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["targetStage"] = ["Choose staging or production."] });
        }
        var outcome = await promotions.RequestAsync(await registry.CallerAsync(user, cancellationToken), found, target, body.Value.Justification ?? "", cancellationToken);
        if (outcome.Failure is { Kind: FailureKind.Rule })
        {
            return TypedResults.UnprocessableEntity(new GatesProblem(outcome.Failure.Message, outcome.Gates));
        }
        if (outcome.Failure is { } failure)
        {
            return failure.ToProblem();
        }
        return TypedResults.Created($"/api/v1/promotions/{outcome.Promotion!.Id}", await ResponseAsync(queries, outcome.Promotion.Id, cancellationToken));
    }

    internal static async Task<IResult> ListAsync(PromotionQueries queries, string? status, string? stage, CancellationToken cancellationToken)
    {
        PromotionRequestState? statusFilter = null;
        Stage? stageFilter = null;
        if (status is not null)
        {
            if (!Enum.TryParse<PromotionRequestState>(status, true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Use one of {string.Join(", ", Enum.GetNames<PromotionRequestState>())}."] });
            }
            statusFilter = parsed;
        }
        if (stage is not null)
        {
            if (!Enum.TryParse<Stage>(stage, true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["stage"] = [$"Use one of {string.Join(", ", Enum.GetNames<Stage>())}."] });
            }
            stageFilter = parsed;
        }
        // Oldest first, as the inbox lists them; one query for all of them.
        return TypedResults.Ok((await queries.ListAsync(statusFilter, stageFilter, 500, cancellationToken)).Select(d => d.ToResponse()).ToList());
    }

    internal static async Task<IResult> GetAsync(Guid id, PromotionQueries queries, CancellationToken cancellationToken) =>
        await ResponseAsync(queries, id, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such promotion request.");

    internal static async Task<IResult> DecideAsync(Guid id, HttpRequest request, ClaimsPrincipal user, PromotionService promotions,
        RegistryService registry, PromotionQueries queries, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<DecisionBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        Verdict? verdict = body.Value!.Decision?.ToLowerInvariant() switch { "approve" => Verdict.Approve, "reject" => Verdict.Reject, _ => null };
        if (verdict is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["decision"] = ["Use \"approve\" or \"reject\"."] });
        }
        if (body.Value.Comment?.Length > 4000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["comment"] = ["At most 4,000 characters."] });
        }
        // Bad input, not a refusal: without this the workflow's "needs a reason" came back as 403.
        if (verdict == Verdict.Reject && string.IsNullOrWhiteSpace(body.Value.Comment))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["comment"] = ["Say why: a rejection needs a reason the requester can act on."] });
        }
        var outcome = await promotions.DecideAsync(await registry.CallerAsync(user, cancellationToken), id, verdict.Value, body.Value.Comment, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(queries, id, cancellationToken));
    }

    internal static async Task<IResult> RecheckAsync(Guid id, ClaimsPrincipal user, PromotionService promotions, RegistryService registry,
        PromotionQueries queries, CancellationToken cancellationToken)
    {
        var outcome = await promotions.RecheckAsync(await registry.CallerAsync(user, cancellationToken), id, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(queries, id, cancellationToken));
    }

    internal static async Task<IResult> WithdrawAsync(Guid id, ClaimsPrincipal user, PromotionService promotions, RegistryService registry,
        PromotionQueries queries, CancellationToken cancellationToken)
    {
        var outcome = await promotions.WithdrawAsync(await registry.CallerAsync(user, cancellationToken), id, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(queries, id, cancellationToken));
    }

    private static async Task<PromotionResponse?> ResponseAsync(PromotionQueries queries, Guid id, CancellationToken cancellationToken) =>
        (await queries.DetailsAsync(id, cancellationToken))?.ToResponse();
}
