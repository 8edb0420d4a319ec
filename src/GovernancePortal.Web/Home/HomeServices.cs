namespace GovernancePortal.Home;

public static class HomeServices
{
    public static IServiceCollection AddHome(this IServiceCollection services) => services.AddScoped<HomeQueries>();
}
