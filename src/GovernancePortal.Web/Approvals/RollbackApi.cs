using System.Security.Claims;
using GovernancePortal.Api;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public sealed record RollbackBody(string? Reason);

public sealed record RollbackResponse(
    Guid Id, string Model, string FromVersion, string ToVersion, RollbackState Status, bool Expired, string Reason, string StartedBy, string StartedRole,
    DateTimeOffset StartedAt, DateTimeOffset ExpiresAt, string? DecidedBy, DateTimeOffset? DecidedAt, Guid? RetrospectiveId);

/// <summary>Emergency rollbacks: one person starts with a reason, a second from the other side confirms.</summary>
public static class RollbackApi
{
    public static RouteGroupBuilder MapRollbackApi(this RouteGroupBuilder api)
    {
        api.MapPost("/models/{key}/rollbacks", StartAsync).RequireAuthorization(Policies.RollbackParticipant).WithTags("Rollbacks").WithName("StartRollback")
            .Accepts<RollbackBody>("application/json").Produces<RollbackResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        var rollbacks = api.MapGroup("/rollbacks").WithTags("Rollbacks");
        rollbacks.MapGet("/{id:guid}", GetAsync).RequireAuthorization(Policies.Reader).WithName("GetRollback");
        rollbacks.MapPost("/{id:guid}/confirm", ConfirmAsync).RequireAuthorization(Policies.RollbackParticipant).WithName("ConfirmRollback")
            .Produces<RollbackResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        rollbacks.MapPost("/{id:guid}/cancel", CancelAsync).RequireAuthorization(Policies.RollbackParticipant).WithName("CancelRollback")
            .Produces<RollbackResponse>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    internal static async Task<IResult> StartAsync(string key, HttpRequest request, ClaimsPrincipal user, GovernanceDbContext db, RollbackService rollbacks,
        RegistryService registry, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadAsync<RollbackBody>(request, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var outcome = await rollbacks.StartAsync(await registry.CallerAsync(user, cancellationToken), key, body.Value!.Reason, cancellationToken);
        return outcome.Failure is { } failure
            ? failure.ToProblem()
            : TypedResults.Created($"/api/v1/rollbacks/{outcome.Rollback!.Id}", await ResponseAsync(db, outcome.Rollback.Id, DateTimeOffset.MinValue, cancellationToken));
    }

    internal static async Task<IResult> GetAsync(Guid id, GovernanceDbContext db, TimeProvider clock, CancellationToken cancellationToken) =>
        await ResponseAsync(db, id, clock.GetUtcNow(), cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such rollback.");

    internal static async Task<IResult> ConfirmAsync(Guid id, ClaimsPrincipal user, GovernanceDbContext db, RollbackService rollbacks, RegistryService registry,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var outcome = await rollbacks.ConfirmAsync(await registry.CallerAsync(user, cancellationToken), id, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(db, id, clock.GetUtcNow(), cancellationToken));
    }

    internal static async Task<IResult> CancelAsync(Guid id, ClaimsPrincipal user, GovernanceDbContext db, RollbackService rollbacks, RegistryService registry,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var outcome = await rollbacks.CancelAsync(await registry.CallerAsync(user, cancellationToken), id, cancellationToken);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.Ok(await ResponseAsync(db, id, clock.GetUtcNow(), cancellationToken));
    }


    public static async Task<RollbackResponse?> ResponseAsync(GovernanceDbContext db, Guid id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var r = await db.Rollbacks.AsNoTracking().Include(x => x.Model).Include(x => x.FromVersion).Include(x => x.ToVersion)
            .SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (r is null)
        {
            return null;
        }
        var review = await db.RetrospectiveReviews.AsNoTracking().Where(v => v.RollbackId == id).Select(v => (Guid?)v.Id).SingleOrDefaultAsync(cancellationToken);
        var state = RollbackRules.StateAt(r.State, r.ExpiresAt, now);
        return new RollbackResponse(r.Id, r.Model.Key, r.FromVersion.Number.ToString(), r.ToVersion.Number.ToString(), state,
            state == RollbackState.Expired, r.Reason, r.StartedBy, r.StartedRole, r.StartedAt, r.ExpiresAt, r.DecidedBy, r.DecidedAt, review);
    }
}
