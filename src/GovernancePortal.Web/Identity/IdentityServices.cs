using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace GovernancePortal.Identity;

public static class IdentityServices
{
    public const string PortalScheme = "Portal";

    public static void AddPortalIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalAuthenticationOptions>().BindConfiguration(PortalAuthenticationOptions.Section);
        builder.Services.AddScoped<ApiKeyService>();
        builder.Services.AddAuthentication(PortalScheme)
            .AddPolicyScheme(PortalScheme, "Cookie for pages, API key for the API", o =>
                o.ForwardDefaultSelector = context => IsApiRequest(context.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.Cookie.Name = "gp.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/account/sign-in";
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/account/access-denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization(Policies.Configure);
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResultHandler>();
        builder.Services.AddCascadingAuthenticationState();
    }

    public static bool IsApiRequest(HttpRequest request) => request.Path.StartsWithSegments("/api");
}

/// <summary>Writes an audit event for every refused authorization, then answers as usual.</summary>
internal sealed class AuditedAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            var db = context.RequestServices.GetRequiredService<GovernanceDbContext>();
            db.Audit.Record("authorization.refused", "Endpoint", context.Request.Path.Value ?? "/",
                new { method = context.Request.Method, endpoint = context.GetEndpoint()?.DisplayName });
            await db.SaveChangesAsync(context.RequestAborted);
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
