using GovernancePortal.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using GovernancePortal.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Hosting;

// The endpoint list does not depend on the database provider, so this runs once, on SQLite.
public sealed class EndpointAuthorizationTests(SqlitePortal portal) : IClassFixture<SqlitePortal>
{
    // Framework-internal endpoints that an application cannot annotate: the development static-file fallback and
    // Blazor's redirect helper for enhanced navigation (unused here). The fallback policy still covers them.
    private static readonly string[] FrameworkEndpoints = ["Fallback {**path:file}", "Blazor Opaque Redirection"];

    [Fact]
    public void Every_endpoint_declares_an_authorization_policy_or_explicit_anonymous_access()
    {
        _ = portal.Server;
        var endpoints = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => !FrameworkEndpoints.Contains(e.DisplayName))
            .Where(e => !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
            .Select(e => $"{e.RoutePattern.RawText} ({e.DisplayName})")
            .ToList();

        Assert.True(endpoints.Count > 10, $"Only {endpoints.Count} endpoints were found; the enumeration is broken.");
        Assert.Empty(undeclared);
    }

    [Fact]
    public void Anonymous_endpoints_are_only_sign_in_health_error_the_public_checkpoint_key_calendar_feeds_and_static_files()
    {
        _ = portal.Server;
        var anonymous = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => e.RoutePattern.RawText!)
            // Static files are literal paths with a dot; a route with a parameter is the portal's own, dot or not.
            .Where(p => !p.Contains('.') || p.Contains('{'))
            .Distinct()
            .Order()
            .ToList();

        Assert.Equal(
            ["/account/sign-in", "/account/sign-in/entra", "/account/sign-in/persona", "/api/v1/audit/checkpoint-key", "/calendar/{token}.ics", "/error", "/health/live", "/health/ready", "/not-found"],
            anonymous);
    }

    [Fact]
    public void Webhook_subscriptions_and_their_pages_are_for_admins_only()
    {
        _ = portal.Server;
        var webhooks = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/webhooks") || e.RoutePattern.RawText!.StartsWith("/admin/webhooks"))
            .ToList();

        Assert.Equal(9, webhooks.Count);
        Assert.All(webhooks, e => Assert.Equal([Policies.Admin],
            e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null).Distinct()));
    }
}
