using GovernancePortal.Jobs;

namespace GovernancePortal.Retirement;

/// <summary>Sends the retirement reminders that are due (<see cref="RetirementService.SendDueRemindersAsync"/>); each goes once, whichever instance runs it.</summary>
public sealed class RetirementReminderJob(RetirementService retirements) : IPortalJob
{
    public const string Id = "retirement-reminders";

    public async Task RunAsync(CancellationToken cancellationToken) => await retirements.SendDueRemindersAsync(cancellationToken);
}

public static class RetirementServices
{
    public static IServiceCollection AddRetirement(this IServiceCollection services)
    {
        services.AddOptions<RetirementOptions>().BindConfiguration(RetirementOptions.Section);
        services.AddScoped<RetirementService>();
        services.AddScoped<RetirementReminderJob>();
        services.AddScoped<RetirementLookups>();
        services.AddScoped<UpcomingList>();
        services.AddScoped<IUpcomingSource, UpcomingRetirements>();
        services.AddScoped<RetirementDecommissioning>();
        services.AddScoped<Approvals.IPromotionObserver>(sp => sp.GetRequiredService<RetirementDecommissioning>());
        services.AddScoped<Approvals.IRetirementCandidates>(sp => sp.GetRequiredService<RetirementDecommissioning>());
        return services;
    }

    /// <summary>The API under <c>/api/v1</c>, and the upcoming list as CSV for people at <c>/retirements.csv</c>.</summary>
    public static IEndpointRouteBuilder MapRetirement(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").MapRetirementApi();
        app.MapGet("/retirements.csv", ExportAsync).RequireAuthorization(Identity.Policies.Reader).ExcludeFromDescription();
        return app;
    }

    private static async Task ExportAsync(HttpContext http, UpcomingList upcoming, string? days, string? status, string? team, string? q,
        string? kind)
    {
        var filter = new UpcomingFilter(int.TryParse(days, out var d) && UpcomingFilter.Windows.Contains(d) ? d : UpcomingFilter.DefaultDays, status, team, q,
            UpcomingFilter.Kinds.Contains(kind) ? kind : null);
        var items = await upcoming.ListAsync(filter, http.RequestAborted);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"retirements-and-reviews-{upcoming.Today:yyyy-MM-dd}.csv\"";
        await UpcomingList.WriteCsvAsync(items, http.Response.Body, http.RequestAborted);
    }
}
