using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace GovernancePortal.Identity;

public static class IdentityServices
{
    public const string PortalScheme = "Portal";

    public static void AddPortalIdentity(this IHostApplicationBuilder builder)
    {
        var azureAd = builder.Configuration.GetSection(EntraOptions.Section);
        builder.Services.AddOptions<PortalAuthenticationOptions>().BindConfiguration(PortalAuthenticationOptions.Section)
            .Configure(o => azureAd.Bind(o.Entra));
        builder.Services.AddScoped<ApiKeyService>();
        builder.Services.AddScoped<ApiKeyAdministration>();
        // Read at registration: a remote scheme is consulted on every request, so it exists only when configured.
        var entra = azureAd.Get<EntraOptions>() ?? new();
        // Behind a TLS-terminating proxy the request may look like http; outside Development the cookies are Secure anyway.
        var cookieSecurity = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        var authentication = builder.Services.AddAuthentication(PortalScheme)
            .AddPolicyScheme(PortalScheme, "Cookie for pages; API key or Entra bearer token for the API", o =>
                o.ForwardDefaultSelector = context => !IsApiRequest(context.Request)
                    ? CookieAuthenticationDefaults.AuthenticationScheme
                    : entra.IsConfigured && HasBearerToken(context.Request)
                        ? EntraBearerScheme
                        : ApiKeyAuthenticationHandler.SchemeName)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "gp.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = cookieSecurity;
                o.LoginPath = "/account/sign-in";
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/account/access-denied";
                // The ticket is kept in the database and its lifetime set by the Sessions section (ADR-024).
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);
        if (entra.IsConfigured)
        {
            authentication.AddEntra(azureAd, entra, cookieSecurity);
        }
        builder.Services.AddAuthorization(Policies.Configure);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();
        builder.Services.AddCascadingAuthenticationState();
    }

    public const string EntraScheme = "Entra";
    public const string EntraBearerScheme = "EntraBearer";

    public static bool IsApiRequest(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    internal static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }
}

/// <summary>Counts every refused authorization into its audit event (one per identity, route and minute; ADR-023), then answers as usual.</summary>
internal sealed class AuditedAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            await context.RequestServices.GetRequiredService<AuthorizationRefusals>().CountAsync(context, context.RequestAborted);
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
