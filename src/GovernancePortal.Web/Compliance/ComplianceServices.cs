using GovernancePortal.Audit;

namespace GovernancePortal.Compliance;

public static class ComplianceServices
{
    public static IServiceCollection AddCompliance(this IServiceCollection services)
    {
        services.AddOptions<ChecklistOptions>().BindConfiguration(ChecklistOptions.Section);
        services.AddScoped<ChecklistLibrarySeeder>();
        services.AddScoped<AssessmentChanges>();
        services.AddScoped<ChecklistReads>();
        services.AddScoped<ChecklistCommands>();
        services.AddScoped<ChecklistEvidence>();
        services.AddScoped<TemplateEditing>();
        services.AddScoped<ComplianceViews>();
        services.AddScoped<ComplianceOperations>();
        return services;
    }
}

/// <summary>
/// How the compliance pages reach the feature's services: each read and each command in a scope of its own, so that
/// every one sees the database as it is now (a circuit outlives any one change, and a DbContext that lived as long would
/// serve what it tracked earlier), and each command attributed to the person acting.
/// </summary>
public sealed class ComplianceOperations(IServiceScopeFactory scopes)
{
    public async Task<T> ReadAsync<TService, T>(Func<TService, Task<T>> read) where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>A change to an assessment through <see cref="ChecklistCommands"/> or <see cref="ChecklistEvidence"/>.</summary>
    public async Task<T> ChecklistsAsync<TService, T>(AuditActor actor, Func<TService, Task<T>> command) where TService : notnull
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<AssessmentChanges>().ActingAs(actor);
        return await command(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<T> TemplatesAsync<T>(AuditActor actor, Func<TemplateEditing, Task<T>> command)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await command(scope.ServiceProvider.GetRequiredService<TemplateEditing>().ActingAs(actor));
    }
}
