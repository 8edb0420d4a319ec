using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Identity;
using GovernancePortal.Registry;

namespace GovernancePortal.Retirement;

public sealed record SuccessorBody(string? Model, string? Version);

public sealed record PlanBody(DateOnly? PlannedDate, RetirementReason? Reason, SuccessorBody? Successor, string? NoSuccessorReason, string? Note, List<string>? Notify);

public sealed record CancelBody(string? Reason);

public sealed record RetirementResponse(
    string Model, string Version, DateOnly PlannedDate, RetirementStatus Status, RetirementReason Reason, SuccessorBody? Successor, string? NoSuccessorReason,
    string Note, IReadOnlyList<string> Notify, string Owner, string? CancelReason, DateTimeOffset? RetiredAt, DateOnly? RetentionUntil, string? RetentionBasis,
    string CreatedBy, DateTimeOffset CreatedAt, string UpdatedBy, DateTimeOffset UpdatedAt)
{
    public static RetirementResponse Of(PlanView v) => new(v.ModelKey, v.Version, v.Plan.PlannedDate, v.Status, v.Plan.Reason,
        v.SuccessorModel is null ? null : new SuccessorBody(v.SuccessorModel, v.SuccessorVersion), v.Plan.NoSuccessorReason, v.Plan.Note, v.Plan.NotifyList,
        v.Owner, v.Plan.CancelReason, v.Plan.RetiredAt, v.Plan.RetentionUntil, v.Plan.RetentionBasis, v.Plan.CreatedBy, v.Plan.CreatedAt, v.Plan.UpdatedBy, v.Plan.UpdatedAt);
}

/// <summary>Retirement plans over <c>/api/v1</c> (issue 15, item 7).</summary>
public static class RetirementApi
{
    public static RouteGroupBuilder MapRetirementApi(this RouteGroupBuilder api)
    {
        var plan = api.MapGroup("/models/{key}/versions/{version}/retirement").WithTags("Retirement");
        plan.MapGet("", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetRetirementPlan")
            .Produces<RetirementResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        plan.MapPut("", PutAsync).RequireAuthorization(Policies.ModelOwner).WithName("PlanRetirement")
            .Accepts<PlanBody>("application/json").Produces<RetirementResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        plan.MapPost("/cancel", CancelAsync).RequireAuthorization(Policies.ModelOwner).WithName("CancelRetirement")
            .Accepts<CancelBody>("application/json").Produces<RetirementResponse>()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/retirements", ListAsync).RequireAuthorization(Policies.Reader).WithTags("Retirement").WithName("ListRetirements")
            .Produces<List<RetirementResponse>>().ProducesValidationProblem();
        return api;
    }

    internal static async Task<IResult> GetAsync(string key, string version, RetirementService retirements, CancellationToken cancellationToken) =>
        await retirements.GetAsync(key, version, cancellationToken) is { } found
            ? TypedResults.Ok(RetirementResponse.Of(found))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{key} {version} has no retirement plan.");

    internal static async Task<IResult> PutAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, RegistryService registry,
        RetirementService retirements, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<PlanBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var b = body.Value!;
        var input = new PlanInput(b.PlannedDate, b.Reason, b.Successor is null ? null : new SuccessorRef(b.Successor.Model, b.Successor.Version),
            b.NoSuccessorReason, b.Note, b.Notify);
        var result = await retirements.PlanAsync(await registry.CallerAsync(user, cancellationToken), key, version, input, cancellationToken);
        return await RespondAsync(result, key, version, retirements, cancellationToken);
    }

    internal static async Task<IResult> CancelAsync(string key, string version, HttpRequest request, ClaimsPrincipal user, RegistryService registry,
        RetirementService retirements, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<CancelBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var result = await retirements.CancelAsync(await registry.CallerAsync(user, cancellationToken), key, version, body.Value!.Reason, cancellationToken);
        return await RespondAsync(result, key, version, retirements, cancellationToken);
    }

    internal static async Task<IResult> ListAsync(string? from, string? to, string? status, RetirementService retirements, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        DateOnly? Date(string name, string? text)
        {
            if (text is null)
            {
                return null;
            }
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", out var date))
            {
                return date;
            }
            errors[name] = ["Give a date as YYYY-MM-DD."];
            return null;
        }
        var (fromDate, toDate) = (Date("from", from), Date("to", to));
        RetirementStatus? wanted = null;
        if (status is not null)
        {
            wanted = Enum.GetValues<RetirementStatus>().Cast<RetirementStatus?>().FirstOrDefault(s => Name(s!.Value) == status);
            if (wanted is null)
            {
                errors["status"] = [$"Use one of {string.Join(", ", Enum.GetValues<RetirementStatus>().Select(Name))}."];
            }
        }
        if (fromDate > toDate)
        {
            errors["to"] = ["'to' must not be before 'from'."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var plans = await retirements.ListAsync(fromDate, toDate, cancellationToken);
        return TypedResults.Ok(plans.Where(p => wanted is null || p.Status == wanted).Select(RetirementResponse.Of).ToList());
    }

    public static string Name(RetirementStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    private static async Task<IResult> RespondAsync(Result<RetirementPlan> result, string key, string version, RetirementService retirements,
        CancellationToken cancellationToken) =>
        result.Failure is { } failure
            ? failure.ToProblem()
            : TypedResults.Ok(RetirementResponse.Of((await retirements.GetAsync(key, version, cancellationToken))!));
}
