using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Reviews;

public sealed record ReviewAnswerBody(string? Question, bool? Answer, string? Comment);

public sealed record ReviewAnswersBody(List<ReviewAnswerBody>? Answers);

public sealed record ReviewDecisionBody(string? Comment);

public sealed record ReviewPolicyBody(int? BasedOnVersion, int? IntervalMonths, bool? BlocksPromotionsWhenOverdue, string? ChangeNote);

/// <summary>A model's review in the list: what <c>GET /api/v1/reviews</c> answers.</summary>
public sealed record ReviewListItem(string Model, string Version, DateOnly DueDate, string Status, DateTimeOffset? LastReviewedAt, string RiskTier, string Owner,
    string State);

/// <summary>A model's review in full: the list's fields, the policy, and the answers and decision of the review now due.</summary>
public sealed record ReviewResponse(string Model, string Version, DateOnly DueDate, string Status, DateTimeOffset? LastReviewedAt, string RiskTier, string Owner,
    string State, DateOnly CycleStart, int PolicyVersion, int IntervalMonths, bool BlocksPromotionsWhenOverdue, IReadOnlyList<ReviewAnswer> Answers,
    string? AnsweredBy, DateTimeOffset? AnsweredAt, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionComment)
{
    public static ReviewResponse Of(ReviewStanding s) => new(s.ModelKey, s.Version, s.DueDate, s.StatusName, s.LastReviewedAt, s.RiskTier.ToString(), s.Owner,
        ReviewApi.StateName(s), s.CycleStart, s.Policy.Version, s.Policy.IntervalMonths ?? 0, s.Policy.BlocksPromotionsWhenOverdue, s.Answers,
        s.Current?.AnsweredBy, s.Current?.AnsweredAt, s.Current?.DecidedBy, s.Current?.DecidedAt, s.Current?.DecisionComment);
}

public sealed record ReviewPolicyResponse(string RiskTier, int Version, int? IntervalMonths, bool BlocksPromotionsWhenOverdue, string CreatedBy, DateTimeOffset CreatedAt,
    string ChangeNote)
{
    public static ReviewPolicyResponse Of(ReviewPolicyVersion p) =>
        new(p.RiskTier.ToString(), p.Version, p.IntervalMonths, p.BlocksPromotionsWhenOverdue, p.CreatedBy, p.CreatedAt, p.ChangeNote);
}

/// <summary>Periodic reviews over <c>/api/v1</c> (issue 15, items 4 and 7), the answers and sign-off beside the checklist endpoints.</summary>
public static class ReviewApi
{
    public static readonly IReadOnlyList<string> Statuses = ["upcoming", "due", "overdue"];

    public static RouteGroupBuilder MapReviewApi(this RouteGroupBuilder api)
    {
        api.MapGet("/reviews", ListAsync).RequireAuthorization(Policies.Reader).WithTags("Reviews").WithName("ListReviews")
            .Produces<List<ReviewListItem>>().ProducesValidationProblem();
        var review = api.MapGroup("/models/{key}/versions/{version}/review").WithTags("Reviews");
        review.MapGet("", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetReview")
            .Produces<ReviewResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        review.MapPut("/answers", AnswerAsync).RequireAuthorization(Policies.ModelOwner).WithName("AnswerReview")
            .Accepts<ReviewAnswersBody>("application/json").Produces<ReviewResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        review.MapPost("/sign-off", (string key, string version, HttpRequest request, ClaimsPrincipal user, RegistryService registry, ReviewService reviews,
                CancellationToken ct) => DecideAsync(key, version, true, request, user, registry, reviews, ct))
            .RequireAuthorization(Policies.Approver).WithName("SignOffReview")
            .Accepts<ReviewDecisionBody>("application/json").Produces<ReviewResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        review.MapPost("/return", (string key, string version, HttpRequest request, ClaimsPrincipal user, RegistryService registry, ReviewService reviews,
                CancellationToken ct) => DecideAsync(key, version, false, request, user, registry, reviews, ct))
            .RequireAuthorization(Policies.Approver).WithName("ReturnReview")
            .Accepts<ReviewDecisionBody>("application/json").Produces<ReviewResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        var policies = api.MapGroup("/review-policies").WithTags("Reviews");
        policies.MapGet("", PoliciesAsync).RequireAuthorization(Policies.Reader).WithName("ListReviewPolicies").Produces<List<ReviewPolicyResponse>>();
        policies.MapPut("/{tier}", EditPolicyAsync).RequireAuthorization(Policies.PolicyEditor).WithName("EditReviewPolicy")
            .Accepts<ReviewPolicyBody>("application/json").Produces<ReviewPolicyResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    public static string StateName(ReviewStanding s) => s.Current?.State switch
    {
        PeriodicReviewState.Answered => "answered",
        PeriodicReviewState.Returned => "returned",
        _ => "open",
    };

    internal static async Task<IResult> ListAsync(string? status, ReviewService reviews, CancellationToken cancellationToken)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"Use one of {string.Join(", ", Statuses)}."] });
        }
        var standings = await reviews.StandingsAsync(cancellationToken);
        return TypedResults.Ok(standings.Where(s => status is null || s.StatusName == status)
            .Select(s => new ReviewListItem(s.ModelKey, s.Version, s.DueDate, s.StatusName, s.LastReviewedAt, s.RiskTier.ToString(), s.Owner, StateName(s))).ToList());
    }

    internal static async Task<IResult> GetAsync(string key, string version, ReviewService reviews, CancellationToken cancellationToken) =>
        await reviews.StandingAsync(key, cancellationToken) is { } standing && standing.Version == version
            ? TypedResults.Ok(ReviewResponse.Of(standing))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"{key} {version} has no periodic review: only a model's version in Production is reviewed, when its risk tier's policy schedules reviews.");

    internal static async Task<IResult> AnswerAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, RegistryService registry, ReviewService reviews,
        CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ReviewAnswersBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var answers = body.Value!.Answers?.Select(a => new ReviewAnswer(a.Question!, a.Answer, a.Comment)).ToList();
        var result = await reviews.AnswerAsync(await registry.CallerAsync(user, cancellationToken), key, version, answers, cancellationToken);
        return await RespondAsync(result.Failure, key, reviews, cancellationToken);
    }

    private static async Task<IResult> DecideAsync(string key, string version, bool signOff, HttpRequest request, ClaimsPrincipal user, RegistryService registry,
        ReviewService reviews, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<ReviewDecisionBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await reviews.DecideAsync(await registry.CallerAsync(user, cancellationToken), key, version, signOff, body.Value!.Comment, cancellationToken);
        return await RespondAsync(result.Failure, key, reviews, cancellationToken);
    }

    internal static async Task<IResult> PoliciesAsync(ReviewPolicyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.CurrentAllAsync(cancellationToken)).Select(ReviewPolicyResponse.Of).ToList());

    internal static async Task<IResult> EditPolicyAsync(string tier, HttpRequest request, ClaimsPrincipal user, RegistryService registry, ReviewPolicyStore store,
        CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<RiskTier>(tier, ignoreCase: true, out var riskTier) || !Enum.IsDefined(riskTier) || int.TryParse(tier, out _))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no risk tier '{tier}'.");
        }
        var body = await ApiJson.ReadAsync<ReviewPolicyBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var b = body.Value!;
        if (b.BasedOnVersion is null || b.BlocksPromotionsWhenOverdue is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [b.BasedOnVersion is null ? "basedOnVersion" : "blocksPromotionsWhenOverdue"] = ["Required."],
            });
        }
        var result = await store.SaveAsync(await registry.CallerAsync(user, cancellationToken),
            new ReviewPolicyEdit(riskTier, b.BasedOnVersion.Value, b.IntervalMonths, b.BlocksPromotionsWhenOverdue.Value, b.ChangeNote), cancellationToken);
        return result.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(ReviewPolicyResponse.Of(result.Value!));
    }

    private static async Task<IResult> RespondAsync(Failure? failure, string key, ReviewService reviews, CancellationToken cancellationToken) =>
        failure is not null ? failure.ToProblem() : TypedResults.Ok(ReviewResponse.Of((await reviews.StandingAsync(key, cancellationToken))!));
}
