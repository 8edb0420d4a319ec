using GovernancePortal.Jobs;

namespace GovernancePortal.Reviews;

/// <summary>Sends the periodic review reminders that are due (<see cref="ReviewService.SendDueRemindersAsync"/>); each goes once, whichever instance runs it.</summary>
public sealed class ReviewReminderJob(ReviewService reviews) : IPortalJob
{
    public const string Id = "review-reminders";

    public async Task RunAsync(CancellationToken cancellationToken) => await reviews.SendDueRemindersAsync(cancellationToken);
}

public static class ReviewServices
{
    public static IServiceCollection AddReviews(this IServiceCollection services)
    {
        services.AddScoped<ReviewPolicyStore>();
        services.AddScoped<ReviewService>();
        services.AddScoped<ReviewReminderJob>();
        services.AddScoped<Approvals.IReviewCandidates>(sp => sp.GetRequiredService<ReviewService>());
        services.AddScoped<Retirement.IUpcomingSource, UpcomingReviews>();
        return services;
    }

    public static IEndpointRouteBuilder MapReviews(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").MapReviewApi();
        return app;
    }
}

/// <summary>Scheduled periodic reviews as upcoming items beside the retirements.</summary>
public sealed class UpcomingReviews(ReviewService reviews) : Retirement.IUpcomingSource
{
    public const string Kind = "Review";

    public async Task<IReadOnlyList<Retirement.UpcomingItem>> UpcomingAsync(DateOnly until, CancellationToken cancellationToken) =>
        (await reviews.StandingsAsync(cancellationToken)).Where(s => s.DueDate <= until).Select(s => new Retirement.UpcomingItem(Kind, s.DueDate, s.StatusName,
            s.ModelKey, s.ModelName, s.Version, s.Owner, s.Team,
            $"every {s.Policy.IntervalMonths} months ({s.RiskTier} risk); " + ReviewApi.StateName(s) switch
            {
                "answered" => $"answered by {s.Current!.AnsweredBy}, waiting for sign-off",
                "returned" => $"returned by {s.Current!.DecidedBy}",
                _ => s.LastReviewedAt is { } last ? $"last signed off {last.UtcDateTime:yyyy-MM-dd}" : "not reviewed yet",
            },
            ReviewService.Link(s.ModelKey))).ToList();
}
