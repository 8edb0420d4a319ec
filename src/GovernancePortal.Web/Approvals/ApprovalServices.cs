using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Registry;

namespace GovernancePortal.Approvals;

public static class ApprovalServices
{
    /// <summary>The approvals pages' reads (the workflow services are registered with the registry's).</summary>
    public static IServiceCollection AddApprovals(this IServiceCollection services)
    {
        services.AddScoped<PromotionQueries>();
        services.AddScoped<RollbackQueries>();
        services.AddScoped<VersionGateReads>();
        services.AddScoped<VersionEvidenceReads>();
        return services;
    }
}

/// <summary>
/// Runs an interactive page's read or action in a DI scope of its own. A circuit keeps its scope for as long as the page
/// is open, so one DbContext would serve overlapping renders and keep stale entities; and a circuit has no request to
/// read the person from, so the audit trail is told who acts, and the service is told the caller, from the circuit's user.
/// </summary>
public static class PageScopes
{
    public static async Task<T> ReadAsync<T>(this IServiceScopeFactory scopes, Func<IServiceProvider, Task<T>> read)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await read(scope.ServiceProvider);
    }

    public static async Task<T> ActAsync<T>(this IServiceScopeFactory scopes, ClaimsPrincipal user, Func<IServiceProvider, Caller, Task<T>> act)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetRequiredService<IAuditContextAccessor>() is HttpAuditContextAccessor audit)
        {
            audit.CircuitActor = HttpAuditContextAccessor.ActorOf(user);
        }
        var caller = await scope.ServiceProvider.GetRequiredService<RegistryService>().CallerAsync(user);
        return await act(scope.ServiceProvider, caller);
    }
}
