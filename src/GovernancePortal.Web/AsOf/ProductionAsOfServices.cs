using GovernancePortal.Identity;

namespace GovernancePortal.AsOf;

public sealed record ProductionAsOfItem(string Model, string Version, DateTimeOffset Since, IReadOnlyList<string> ApprovedBy, int? PolicyVersion);

public static class ProductionAsOfServices
{
    public static IServiceCollection AddProductionAsOf(this IServiceCollection services) => services.AddScoped<ProductionAsOf>();

    /// <summary><c>GET /api/v1/production?asOf=</c>: what was in Production at that instant (issue 15, items 6 and 7).</summary>
    public static IEndpointRouteBuilder MapProductionAsOf(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").MapGet("/production", ListAsync).RequireAuthorization(Policies.Reader).WithTags("Registry").WithName("ProductionAsOf")
            .Produces<List<ProductionAsOfItem>>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    internal static async Task<IResult> ListAsync(string? asOf, ProductionAsOf query, CancellationToken cancellationToken)
    {
        if (!ProductionAsOf.TryParseInstant(asOf, out var instant))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Give an instant",
                detail: "asOf must be an ISO 8601 instant with its offset, e.g. 2026-06-30T23:59:59Z.",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["asOf"] = ["Give an ISO 8601 instant, e.g. 2026-06-30T23:59:59Z."] } });
        }
        var rows = await query.AtAsync(instant, cancellationToken);
        return TypedResults.Ok(rows.Select(r => new ProductionAsOfItem(r.Model, r.Version, r.Since, r.ApprovedBy, r.PolicyVersion)).ToList());
    }
}
