using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GovernancePortal.Identity;

/// <summary>
/// The Entra ID metadata (discovery document and signing keys) shared by the sign-in flow, sign-out and the API's
/// bearer tokens. ConfigurationManager caches it and refreshes it daily, or sooner when asked (key rollover).
/// </summary>
public sealed class EntraMetadata : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public EntraMetadata(IOptions<PortalAuthenticationOptions> options)
    {
        Options = options.Value.Entra;
        Manager = new(Options.MetadataAddress, new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(_http) { RequireHttps = Options.RequireHttpsMetadata });
    }

    public EntraOptions Options { get; }

    public ConfigurationManager<OpenIdConnectConfiguration> Manager { get; }

    public void Dispose() => _http.Dispose();
}

public sealed class EntraOAuthOptions : OAuthOptions
{
    public EntraOptions Entra { get; set; } = new();
    public ConfigurationManager<OpenIdConnectConfiguration>? ConfigurationManager { get; set; }
}

/// <summary>
/// The authorization-code flow with PKCE on the shared-framework OAuth handler (ADR-003): endpoints come from the
/// discovery document, a nonce travels in the protected state, and the id_token from the token response is validated
/// before anyone is signed in.
/// </summary>
public sealed class EntraOAuthHandler(IOptionsMonitor<EntraOAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : OAuthHandler<EntraOAuthOptions>(options, logger, encoder)
{
    public const string NonceItem = "entra.nonce";
    private OpenIdConnectConfiguration? _configuration;

    private ConfigurationManager<OpenIdConnectConfiguration> Manager =>
        Options.ConfigurationManager ?? throw new InvalidOperationException("The Entra metadata is not configured.");

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        _configuration = await Manager.GetConfigurationAsync(Context.RequestAborted);
        await base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        // The OAuth handler knows no nonce; keeping it in the properties puts it in the encrypted state, which the
        // correlation cookie ties to this browser.
        var nonce = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        properties.Items[NonceItem] = nonce;
        var url = base.BuildChallengeUrl(properties, redirectUri);
        var parameters = QueryHelpers.ParseQuery(new Uri(url).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        parameters["nonce"] = nonce;
        var endpoint = _configuration?.AuthorizationEndpoint;
        return QueryHelpers.AddQueryString(string.IsNullOrEmpty(endpoint) ? Options.AuthorizationEndpoint : endpoint, parameters);
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        // As the base handler does, but at the token endpoint the discovery document names.
        var configuration = await Manager.GetConfigurationAsync(Context.RequestAborted);
        var parameters = new Dictionary<string, string>
        {
            ["client_id"] = Options.ClientId,
            ["redirect_uri"] = context.RedirectUri,
            ["client_secret"] = Options.ClientSecret,
            ["code"] = context.Code,
            ["grant_type"] = "authorization_code",
        };
        if (context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey, out var verifier) && verifier is not null)
        {
            parameters[OAuthConstants.CodeVerifierKey] = verifier;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, configuration.TokenEndpoint) { Content = new FormUrlEncodedContent(parameters) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Backchannel.SendAsync(request, Context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            var error = TryReadError(body);
            return OAuthTokenResponse.Failed(new AuthenticationFailureException(
                $"The token endpoint answered {(int)response.StatusCode}{(error is null ? "" : $" ({error})")}."));
        }
        return OAuthTokenResponse.Success(JsonDocument.Parse(body));
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(
        ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var idToken = tokens.Response?.RootElement.TryGetProperty("id_token", out var element) == true ? element.GetString() : null;
        if (string.IsNullOrEmpty(idToken))
        {
            throw new AuthenticationFailureException("The token response carries no id_token.");
        }
        properties.Items.Remove(NonceItem, out var nonce);
        var validated = await EntraTokens.ValidateIdTokenAsync(idToken, nonce, Options.Entra, Manager, Context.RequestAborted);
        var principal = new ClaimsPrincipal(EntraTokens.PortalIdentity(validated, Scheme.Name));
        // Here rather than in OnTicketReceived: a failure here still ends on the failure page, not in a 500.
        if (!await EntraTokens.RecordSignInAsync(Context, principal))
        {
            // Signed in, but every page would refuse them: say so once instead of bouncing through a refusal.
            properties.RedirectUri = "/account/access-denied";
        }
        return new AuthenticationTicket(principal, properties, Scheme.Name);
    }

    private static string? TryReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) ? error.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class EntraTokens
{
    public const string SignInMethod = "entra";

    /// <summary>Signature, issuer (the configured tenant's), audience (our client id), lifetime, then nonce and tenant.</summary>
    public static async Task<ClaimsIdentity> ValidateIdTokenAsync(string idToken, string? expectedNonce, EntraOptions entra,
        IConfigurationManager<OpenIdConnectConfiguration> manager, CancellationToken cancellationToken)
    {
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var configuration = await manager.GetConfigurationAsync(cancellationToken);
        var result = await handler.ValidateTokenAsync(idToken, Parameters(configuration, entra));
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Entra rolls its signing keys: an unknown kid asks for fresh metadata (the manager allows that once per
            // RefreshInterval). The manager refreshes in the background, so wait a little for the new document.
            var stale = configuration;
            manager.RequestRefresh();
            for (var wait = 0; wait < 30 && ReferenceEquals(configuration, stale); wait++)
            {
                await Task.Delay(100, cancellationToken);
                configuration = await manager.GetConfigurationAsync(cancellationToken);
            }
            if (!ReferenceEquals(configuration, stale))
            {
                result = await handler.ValidateTokenAsync(idToken, Parameters(configuration, entra));
            }
        }
        if (!result.IsValid)
        {
            throw new AuthenticationFailureException($"The id_token was refused: {Describe(result.Exception)}");
        }
        var identity = result.ClaimsIdentity;
        var nonce = identity.FindFirst("nonce")?.Value;
        if (expectedNonce is null || nonce is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            throw new AuthenticationFailureException("The id_token was refused: its nonce is not the one this sign-in sent.");
        }
        return CheckSubject(identity, entra) is { } problem
            ? throw new AuthenticationFailureException($"The id_token was refused: {problem}")
            : identity;
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

    private static TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration, EntraOptions entra) => new()
    {
        ValidIssuer = configuration.Issuer,
        ValidAudience = entra.ClientId,
        IssuerSigningKeys = configuration.SigningKeys,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = TimeSpan.FromMinutes(2),
        NameClaimType = PortalClaims.Name,
        RoleClaimType = PortalClaims.Roles,
    };

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenInvalidAudienceException => "it was issued for another application (audience).",
        SecurityTokenInvalidIssuerException => "it was issued by another authority or tenant (issuer).",
        SecurityTokenExpiredException => "it has expired.",
        SecurityTokenNotYetValidException => "it is not valid yet.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature does not verify.",
        null => "unknown reason.",
        _ => $"{exception.GetType().Name}.",
    };

    /// <summary>The claim shape the development sign-in builds, from a validated id_token; roles unknown to the portal are dropped.</summary>
    public static ClaimsIdentity PortalIdentity(ClaimsIdentity token, string authenticationType)
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
        return new ClaimsIdentity(claims, authenticationType, PortalClaims.Name, PortalClaims.Roles);
    }

    /// <summary>
    /// Upserts the person and records <c>user.signed-in</c> in one SaveChanges, before the cookie is issued.
    /// Returns whether they hold any portal role.
    /// </summary>
    internal static async Task<bool> RecordSignInAsync(HttpContext http, ClaimsPrincipal principal)
    {
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
        user.LastSignInAt = clock.GetUtcNow();
        db.Audit.Record("user.signed-in", user, new { method = SignInMethod }, HttpAuditContextAccessor.ActorOf(principal));
        await db.SaveChangesAsync(http.RequestAborted);
        return roles.Length > 0;
    }

    /// <summary>Any failed sign-in (provider error, bad state, refused id_token) ends on the sign-in page, audited.</summary>
    internal static async Task HandleRemoteFailureAsync(RemoteFailureContext context)
    {
        var http = context.HttpContext;
        var denied = http.Request.Query["error"] == "access_denied";
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraTokens));
        logger.LogWarning("Entra ID sign-in failed: {Reason}", context.Failure?.Message);
        try
        {
            var db = http.RequestServices.GetRequiredService<GovernanceDbContext>();
            // A failed upsert of the person must not ride along with the failure event.
            db.ChangeTracker.Clear();
            db.Audit.Record("user.sign-in-failed", "SignIn", SignInMethod,
                new { method = SignInMethod, reason = context.Failure?.Message ?? "unknown", error = ProviderError(http.Request) }, AuditActor.System);
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not audit a failed Entra ID sign-in.");
        }
        context.Response.Redirect($"/account/sign-in?error={(denied ? "entra-denied" : "entra-failed")}");
        context.HandleResponse();
    }

    /// <summary>The provider's error code on the callback (access_denied, ...), cut short: it is whatever the query says.</summary>
    private static string? ProviderError(HttpRequest request) =>
        request.Query["error"].ToString() is { Length: > 0 } error ? error[..Math.Min(error.Length, 64)] : null;
}
