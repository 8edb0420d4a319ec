namespace GovernancePortal.Registry;

public static class RegistryPages
{
    /// <summary>The reads behind the model, version and card pages.</summary>
    public static IServiceCollection AddRegistryPages(this IServiceCollection services)
    {
        services.AddScoped<RegistryReads>();
        return services;
    }
}
