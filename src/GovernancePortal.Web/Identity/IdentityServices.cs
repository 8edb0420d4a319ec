using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
        // Read at registration: a remote scheme is consulted on every request, so it exists only when configured.
        var entra = builder.Configuration.GetSection(PortalAuthenticationOptions.Section).Get<PortalAuthenticationOptions>()?.Entra ?? new();
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
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/account/sign-in";
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/account/access-denied";
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, null);
        if (entra.IsConfigured)
        {
            builder.Services.AddSingleton<EntraMetadata>();
            authentication.AddEntra(entra);
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

    private static void AddEntra(this AuthenticationBuilder authentication, EntraOptions entra)
    {
        var services = authentication.Services;
        authentication.AddOAuth<EntraOAuthOptions, EntraOAuthHandler>(EntraScheme, "Microsoft Entra ID", o =>
        {
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.Entra = entra;
            o.ClientId = entra.ClientId!;
            o.ClientSecret = entra.ClientSecret ?? "";
            o.CallbackPath = entra.CallbackPath;
            // Placeholders the handler replaces with the discovery document's endpoints.
            o.AuthorizationEndpoint = $"{entra.EffectiveAuthority}/oauth2/v2.0/authorize";
            o.TokenEndpoint = $"{entra.EffectiveAuthority}/oauth2/v2.0/token";
            o.UsePkce = true;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.Scope.Add("email");
            o.SaveTokens = false;
            // The provider posts nothing back; the redirect is a top-level GET, which Lax lets through even over http.
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnRemoteFailure = EntraTokens.HandleRemoteFailureAsync;
        });
        services.AddOptions<EntraOAuthOptions>(EntraScheme).Configure<EntraMetadata>((o, m) => o.ConfigurationManager = m.Manager);

        authentication.AddJwtBearer(EntraBearerScheme, o =>
        {
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = entra.RequireHttpsMetadata;
            o.TokenValidationParameters.ValidAudiences = [entra.ClientId!, $"api://{entra.ClientId}"];
            o.TokenValidationParameters.NameClaimType = PortalClaims.Name;
            o.TokenValidationParameters.RoleClaimType = PortalClaims.Roles;
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var identity = (ClaimsIdentity)context.Principal!.Identity!;
                    if (EntraTokens.CheckSubject(identity, entra) is { } problem)
                    {
                        context.Fail($"The bearer token was refused: {problem}");
                        return Task.CompletedTask;
                    }
                    // An application (client credentials) has no username; the audit trail names its client id instead.
                    if (identity.FindFirst(PortalClaims.PreferredUsername) is null
                        && (identity.FindFirst("azp") ?? identity.FindFirst("appid") ?? identity.FindFirst("client_id")) is { } client)
                    {
                        identity.AddClaim(new Claim(PortalClaims.PreferredUsername, $"app:{client.Value}"));
                    }
                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required",
                        "The bearer token is missing, expired or not issued for this portal.");
                },
                OnForbidden = context => WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                    "Your roles do not allow this request."),
            };
        });
        services.AddOptions<JwtBearerOptions>(EntraBearerScheme).Configure<EntraMetadata>((o, m) => o.ConfigurationManager = m.Manager);
    }

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
    }
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
