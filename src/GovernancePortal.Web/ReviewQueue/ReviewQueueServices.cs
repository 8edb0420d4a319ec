using GovernancePortal.Identity;

namespace GovernancePortal.ReviewQueue;

public sealed record ReviewQueueResponse(IReadOnlyList<QueuedReview> Items, int Total, int Skip, int Take);

public static class ReviewQueueServices
{
    public static IServiceCollection AddReviewQueue(this IServiceCollection services) => services.AddScoped<ChecklistReviewQueue>();

    /// <summary><c>GET /api/v1/reviews-queue?skip=&amp;take=</c>: the same queue for tools, to compliance officers only.</summary>
    public static RouteGroupBuilder MapReviewQueueApi(this RouteGroupBuilder api)
    {
        api.MapGet("/reviews-queue", ListAsync).RequireAuthorization(Policies.Approver).WithTags("Compliance").WithName("ListReviewQueue")
            .Produces<ReviewQueueResponse>().ProducesValidationProblem();
        return api;
    }

    internal static async Task<IResult> ListAsync(ChecklistReviewQueue queue, string? skip, string? take, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var from = Parse(skip, 0, 0, int.MaxValue, "skip", errors);
        var size = Parse(take, 25, 1, ChecklistReviewQueue.MaxPageSize, "take", errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var slice = await queue.PageAsync(from, size, cancellationToken);
        return TypedResults.Ok(new ReviewQueueResponse(slice.Items, slice.Total, from, size));
    }

    private static int Parse(string? text, int fallback, int min, int max, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }
        if (int.TryParse(text, out var value) && value >= min && value <= max)
        {
            return value;
        }
        errors[name] = [$"Use a whole number from {min} to {max}."];
        return fallback;
    }
}
