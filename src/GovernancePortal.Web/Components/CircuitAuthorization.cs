using GovernancePortal.Identity;
using Microsoft.AspNetCore.Authorization;

namespace GovernancePortal.Components;

public static class CircuitAuthorization
{
    /// <summary>
    /// The circuit hub (/_blazor) is for signed-in people only: only they see interactive pages (sign-in is static), and a
    /// circuit whose cookie has gone cannot reconnect. Pages keep their own policies.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder RequireSignedInCircuits(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText?.StartsWith("/_blazor", StringComparison.Ordinal) == true)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(Policies.SignedIn));
            }
        });
        return builder;
    }
}
