using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public sealed record CloseReviewBody(string? Findings);

public sealed record RetrospectiveResponse(
    Guid Id, Guid RollbackId, string Model, string FromVersion, string ToVersion, ReviewState Status, DateTimeOffset OpenedAt, string RollbackReason,
    string StartedBy, string StartedRole, string? ConfirmedBy, string? Findings, string? ClosedBy, DateTimeOffset? ClosedAt);

/// <summary>
/// <c>/api/v1/retrospectives</c>: the reviews confirmed rollbacks open, read by everyone and closed with findings by an
/// independent ComplianceOfficer; the same <see cref="RollbackService"/> as the retrospective page judges and records it.
/// </summary>
public static class RetrospectiveApi
{
    public static RouteGroupBuilder MapRetrospectiveApi(this RouteGroupBuilder api)
    {
        var reviews = api.MapGroup("/retrospectives").WithTags("Rollbacks");
        reviews.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).WithName("ListRetrospectives")
            .Produces<List<RetrospectiveResponse>>().ProducesValidationProblem();
        reviews.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetRetrospective")
            .Produces<RetrospectiveResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        reviews.MapPost("/{id:guid}/close", CloseAsync).RequireAuthorization(Policies.Approver).WithName("CloseRetrospective")
            .Accepts<CloseReviewBody>("application/json").Produces<RetrospectiveResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    /// <summary>Oldest first, as the approvals inbox lists open ones.</summary>
    internal static async Task<IResult> ListAsync(GovernanceDbContext db, string? status, CancellationToken cancellationToken)
    {
        var query = db.RetrospectiveReviews.AsNoTracking();
        if (status is not null)
        {
            if (!Enum.TryParse<ReviewState>(status, true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["status"] = [$"Use one of {string.Join(", ", Enum.GetNames<ReviewState>().Select(n => n.ToLowerInvariant()))}."],
                });
            }
            query = query.Where(r => r.State == parsed);
        }
        var ids = await query.OrderBy(r => r.OpenedAt).ThenBy(r => r.Id).Select(r => r.Id).Take(500).ToListAsync(cancellationToken);
        var items = new List<RetrospectiveResponse>();
        foreach (var id in ids)
        {
            items.Add((await ResponseAsync(db, id, cancellationToken))!);
        }
        return TypedResults.Ok(items);
    }

    internal static async Task<IResult> GetAsync(Guid id, GovernanceDbContext db, CancellationToken cancellationToken) =>
        await ResponseAsync(db, id, cancellationToken) is { } found ? TypedResults.Ok(found) : NotFound();

    internal static async Task<IResult> CloseAsync(Guid id, HttpRequest request, ClaimsPrincipal user, GovernanceDbContext db, RollbackService rollbacks,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<CloseReviewBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await rollbacks.CloseReviewAsync(await registry.CallerAsync(user, cancellationToken), id, body.Value!.Findings, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(db, id, cancellationToken));
    }

    public static async Task<RetrospectiveResponse?> ResponseAsync(GovernanceDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var v = await db.RetrospectiveReviews.AsNoTracking().Include(x => x.Rollback).ThenInclude(r => r.Model)
            .Include(x => x.Rollback).ThenInclude(r => r.FromVersion).Include(x => x.Rollback).ThenInclude(r => r.ToVersion)
            .SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (v is null)
        {
            return null;
        }
        var r = v.Rollback;
        return new RetrospectiveResponse(v.Id, r.Id, r.Model.Key, r.FromVersion.Number.ToString(), r.ToVersion.Number.ToString(), v.State, v.OpenedAt, r.Reason,
            r.StartedBy, r.StartedRole, r.DecidedBy, v.Findings, v.ClosedBy, v.ClosedAt);
    }

    private static IResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such retrospective.");
}
