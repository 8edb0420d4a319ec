using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GovernancePortal.Identity;

/// <summary>
/// People sign in with Microsoft.Identity.Web's web-app sign-in (OpenID Connect, authorization code with PKCE and a
/// nonce); pipelines call with Entra access tokens through its web-API bearer scheme (ADR-017). What is the portal's
/// own: the app's credential at the token endpoint, the tenant check, the claim shape, the user upsert and the audit.
/// </summary>
public static class EntraAuthentication
{
    public const string SignInMethod = "entra";

    internal static void AddEntra(this AuthenticationBuilder authentication, IConfigurationSection azureAd, EntraOptions entra,
        CookieSecurePolicy cookieSecurity)
    {
        authentication.Services.AddSingleton<EntraClientCredential>();
        authentication.AddMicrosoftIdentityWebApp(o =>
        {
            azureAd.Bind(o);
            o.Instance = entra.Instance;
            // The code is redeemed by the handler with the app's credential; the answer comes back as a top-level GET,
            // which the Lax correlation and nonce cookies survive.
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.MapInboundClaims = false;
            o.SaveTokens = false;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("profile");
            o.Scope.Add("email");
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = cookieSecurity;
            o.NonceCookie.SecurePolicy = cookieSecurity;
            // Entra ID offers no pushed authorization requests; the request always goes through the browser with its
            // PKCE challenge and nonce, whatever a provider's metadata advertises.
            o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable;
            o.Events.OnAuthorizationCodeReceived = RedeemWithCredentialAsync;
            o.Events.OnTokenResponseReceived = RefreshKeysForUnknownKeyAsync;
            o.Events.OnTokenValidated = CheckSubjectAsync;
            o.Events.OnTicketReceived = RecordSignInAsync;
            o.Events.OnRemoteFailure = HandleRemoteFailureAsync;
            o.Events.OnRedirectToIdentityProviderForSignOut = ReturnToSignInPage;
        }, cookieScheme: null, openIdConnectScheme: IdentityServices.EntraScheme, displayName: "Microsoft Entra ID");

        authentication.AddMicrosoftIdentityWebApi(o =>
        {
            o.MapInboundClaims = false;
            // v2 access tokens carry the client id; tokens requested for the Application ID URI carry that.
            o.TokenValidationParameters.ValidAudiences = [entra.ClientId!, $"api://{entra.ClientId}"];
            o.TokenValidationParameters.NameClaimType = PortalClaims.Name;
            o.TokenValidationParameters.RoleClaimType = PortalClaims.Roles;
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    var identity = (ClaimsIdentity)context.Principal!.Identity!;
                    if (CheckSubject(identity, entra) is { } problem)
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
                    await IdentityServices.WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required",
                        "The bearer token is missing, expired or not issued for this portal.");
                },
                OnForbidden = context => IdentityServices.WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                    "Your roles do not allow this request."),
            };
        }, o =>
        {
            azureAd.Bind(o);
            o.Instance = entra.Instance;
            // The portal's own role policies decide; a token without a role is a 403 there, not a 401 here.
            o.AllowWebApiToBeAuthorizedByACL = true;
        }, IdentityServices.EntraBearerScheme);
    }

    /// <summary>The origin sign-out redirects to (Entra's, or whichever authority the handler was given), or null without Entra.</summary>
    public static string? EntraSignOutOrigin(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.Entra.IsConfigured
            ? new Uri(services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(IdentityServices.EntraScheme).Authority!)
                .GetLeftPart(UriPartial.Authority)
            : null;

    private static async Task RedeemWithCredentialAsync(AuthorizationCodeReceivedContext context)
    {
        var configuration = await context.Options.ConfigurationManager!.GetConfigurationAsync(context.HttpContext.RequestAborted);
        await context.HttpContext.RequestServices.GetRequiredService<EntraClientCredential>()
            .ApplyAsync(context.TokenEndpointRequest!, context.Options.ClientId!, configuration.TokenEndpoint);
    }

    /// <summary>
    /// Entra rolls its signing keys. An id_token signed with a key the cached metadata does not know makes the handler
    /// refuse it and only then refresh; fetching the keys first lets the first sign-in after a rollover succeed.
    /// </summary>
    private static async Task RefreshKeysForUnknownKeyAsync(TokenResponseReceivedContext context)
    {
        var idToken = context.TokenEndpointResponse.IdToken;
        var handler = new JsonWebTokenHandler();
        if (context.Options.ConfigurationManager is not { } manager || string.IsNullOrEmpty(idToken) || !handler.CanReadToken(idToken))
        {
            return;
        }
        var kid = handler.ReadJsonWebToken(idToken).Kid;
        var cancellation = context.HttpContext.RequestAborted;
        var stale = await manager.GetConfigurationAsync(cancellation);
        if (string.IsNullOrEmpty(kid) || stale.SigningKeys.Any(k => k.KeyId == kid))
        {
            return;
        }
        // The manager allows one refresh per RefreshInterval and fetches in the background: wait briefly for the new document.
        manager.RequestRefresh();
        for (var wait = 0; wait < 30 && ReferenceEquals(await manager.GetConfigurationAsync(cancellation), stale); wait++)
        {
            await Task.Delay(100, cancellation);
        }
    }

    private static Task CheckSubjectAsync(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context)
    {
        var entra = context.HttpContext.RequestServices.GetRequiredService<IOptions<PortalAuthenticationOptions>>().Value.Entra;
        if (CheckSubject((ClaimsIdentity)context.Principal!.Identity!, entra) is { } problem)
        {
            context.Fail($"The id_token was refused: {problem}");
        }
        return Task.CompletedTask;
    }

    /// <summary>Why a validated token's subject is unusable here (another tenant, no object id), or null.</summary>
    public static string? CheckSubject(ClaimsIdentity identity, EntraOptions entra)
    {
        var tid = identity.FindFirst(PortalClaims.TenantId)?.Value;
        if (!string.Equals(tid, entra.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            return "it was issued for another tenant.";
        }
        return Guid.TryParse(identity.FindFirst(PortalClaims.ObjectId)?.Value, out _) && Guid.TryParse(tid, out _)
            ? null
            : "its oid or tid is not a GUID.";
    }

    /// <summary>The claim shape the development sign-in builds, from a validated id_token; roles unknown to the portal are dropped.</summary>
    public static ClaimsIdentity PortalIdentity(ClaimsIdentity token)
    {
        var claims = new List<Claim>
        {
            new(PortalClaims.ObjectId, token.FindFirst(PortalClaims.ObjectId)!.Value),
            new(PortalClaims.TenantId, token.FindFirst(PortalClaims.TenantId)!.Value),
            new(PortalClaims.Name, token.FindFirst(PortalClaims.Name)?.Value ?? token.FindFirst(PortalClaims.PreferredUsername)?.Value ?? ""),
            new(PortalClaims.PreferredUsername, token.FindFirst(PortalClaims.PreferredUsername)?.Value ?? ""),
            new(PortalClaims.SignInMethod, SignInMethod),
        };
        claims.AddRange(token.FindAll(PortalClaims.Roles).Select(c => c.Value).Where(Roles.IsKnown).Distinct()
            .Select(r => new Claim(PortalClaims.Roles, r)));
        return new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, PortalClaims.Name, PortalClaims.Roles);
    }

    /// <summary>
    /// After every check (the nonce is checked after OnTokenValidated): upserts the person and records
    /// <c>user.signed-in</c> in one SaveChanges, before the cookie is issued. A failure here ends on the failure page.
    /// </summary>
    private static async Task RecordSignInAsync(TicketReceivedContext context)
    {
        var http = context.HttpContext;
        try
        {
            var email = context.Principal!.FindFirstValue("email");
            var principal = new ClaimsPrincipal(PortalIdentity((ClaimsIdentity)context.Principal!.Identity!));
            context.Principal = principal;
            var db = http.RequestServices.GetRequiredService<GovernanceDbContext>();
            var clock = http.RequestServices.GetRequiredService<TimeProvider>();
            var oid = Guid.Parse(principal.FindFirstValue(PortalClaims.ObjectId)!);
            var roles = string.Join(',', principal.FindAll(PortalClaims.Roles).Select(c => c.Value));
            var user = await db.Users.SingleOrDefaultAsync(u => u.ObjectId == oid, http.RequestAborted);
            if (user is null)
            {
                user = new UserAccount
                {
                    ObjectId = oid,
                    TenantId = Guid.Parse(principal.FindFirstValue(PortalClaims.TenantId)!),
                    Username = principal.FindFirstValue(PortalClaims.PreferredUsername)!,
                    DisplayName = principal.FindFirstValue(PortalClaims.Name)!,
                };
                db.Users.Add(user);
            }
            user.Username = principal.FindFirstValue(PortalClaims.PreferredUsername)!;
            user.DisplayName = principal.FindFirstValue(PortalClaims.Name)!;
            user.Roles = roles;
            user.Email = email;
            user.LastSignInAt = clock.GetUtcNow();
            db.Audit.Record("user.signed-in", user, new { method = SignInMethod }, HttpAuditContextAccessor.ActorOf(principal));
            await db.SaveChangesAsync(http.RequestAborted);
            if (roles.Length == 0)
            {
                // Signed in, but every page would refuse them: say so once instead of bouncing through a refusal.
                context.ReturnUri = "/account/access-denied";
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await FailAsync(http, $"The sign-in could not be recorded: {ex.GetType().Name}.");
            context.HandleResponse();
        }
    }

    /// <summary>Any failed sign-in (provider error, bad state, refused id_token) ends on the sign-in page, audited.</summary>
    private static async Task HandleRemoteFailureAsync(RemoteFailureContext context)
    {
        await FailAsync(context.HttpContext, Describe(context.Failure));
        context.HandleResponse();
    }

    private static async Task FailAsync(HttpContext http, string reason)
    {
        var denied = http.Request.Query["error"] == "access_denied";
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraAuthentication));
        logger.LogWarning("Entra ID sign-in failed: {Reason}", reason);
        try
        {
            var db = http.RequestServices.GetRequiredService<GovernanceDbContext>();
            // A failed upsert of the person must not ride along with the failure event.
            db.ChangeTracker.Clear();
            db.Audit.Record("user.sign-in-failed", "SignIn", SignInMethod,
                new { method = SignInMethod, reason, error = ProviderError(http.Request) }, AuditActor.System);
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not audit a failed Entra ID sign-in.");
        }
        http.Response.Redirect($"/account/sign-in?error={(denied ? "entra-denied" : "entra-failed")}");
    }

    /// <summary>Entra's end-session endpoint sends the browser back to the sign-in page registered for that.</summary>
    private static Task ReturnToSignInPage(RedirectContext context)
    {
        var request = context.Request;
        context.ProtocolMessage.ClientId = context.Options.ClientId;
        context.ProtocolMessage.PostLogoutRedirectUri = $"{request.Scheme}://{request.Host}{request.PathBase}{AccountEndpoints.SignedOutPath}";
        // Sent from here: the handler would add a state for its own signed-out callback, which this redirect does not use.
        context.Response.Redirect(context.ProtocolMessage.CreateLogoutRequestUrl());
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>A failure in words an operator reads in the audit trail (the library's own messages hide details as PII).</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenInvalidAudienceException => "The id_token was refused: it was issued for another application (audience).",
        SecurityTokenInvalidIssuerException => "The id_token was refused: it was issued by another authority or tenant (issuer).",
        SecurityTokenExpiredException => "The id_token was refused: it has expired.",
        SecurityTokenNotYetValidException => "The id_token was refused: it is not valid yet.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The id_token was refused: its signature does not verify.",
        OpenIdConnectProtocolInvalidNonceException => "The id_token was refused: its nonce is not the one this sign-in sent.",
        null => "unknown reason.",
        _ when failure.Message.Contains("message.State", StringComparison.Ordinal) => $"The sign-in's state was missing or invalid: {failure.Message}",
        _ => failure.Message,
    };

    /// <summary>The provider's error code on the callback (access_denied, ...), cut short: it is whatever the query says.</summary>
    private static string? ProviderError(HttpRequest request) =>
        request.Query["error"].ToString() is { Length: > 0 } error ? error[..Math.Min(error.Length, 64)] : null;
}
