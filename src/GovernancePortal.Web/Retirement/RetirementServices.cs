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
        return services;
    }

    public static RouteGroupBuilder MapRetirement(this RouteGroupBuilder api) => api.MapRetirementApi();
}
