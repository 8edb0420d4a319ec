using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Identity;

/// <summary>Authenticates <c>X-Api-Key</c>: the caller acts as the key's user, with that user's roles.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeyService.HeaderName, out var values) || values.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }
        var key = await keys.FindActiveAsync(values.ToString(), Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is unknown or revoked.");
        }
        var user = key.User;
        var claims = new List<Claim>
        {
            new(PortalClaims.ObjectId, user.ObjectId.ToString()),
            new(PortalClaims.TenantId, user.TenantId.ToString()),
            new(PortalClaims.Name, user.DisplayName),
            new(PortalClaims.PreferredUsername, user.Username),
            new(PortalClaims.ApiKeyLabel, key.Label),
        };
        claims.AddRange(user.RoleList.Select(r => new Claim(PortalClaims.Roles, r)));
        var identity = new ClaimsIdentity(claims, SchemeName, PortalClaims.Name, PortalClaims.Roles);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required",
            $"Send a valid API key in the {ApiKeyService.HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "Your roles do not allow this request.");

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(Context);
    }
}
