using MudBlazor.Services;

namespace GovernancePortal.Components.Layout;

public static class LayoutServices
{
    /// <summary>The UI stack's services: MudBlazor's (ADR-020).</summary>
    public static IServiceCollection AddPortalUi(this IServiceCollection services) => services.AddMudServices();
}
