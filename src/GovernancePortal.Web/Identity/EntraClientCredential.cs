using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Abstractions;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace GovernancePortal.Identity;

/// <summary>
/// Authenticates the portal at the token endpoint when it redeems an authorization code: with the client secret, or
/// with a certificate (loaded by Microsoft.Identity.Web.Certificate from any source its <c>ClientCredentials</c>
/// describe) as a signed client assertion (RFC 7523), which is what Entra ID accepts for certificate credentials.
/// </summary>
public sealed class EntraClientCredential(IOptions<PortalAuthenticationOptions> options, ILogger<DefaultCredentialsLoader> logger, TimeProvider clock)
{
    public const string JwtBearerAssertion = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    private static readonly TimeSpan AssertionLifetime = TimeSpan.FromMinutes(5);
    private readonly DefaultCredentialsLoader _loader = new(logger);

    public async Task ApplyAsync(OpenIdConnectMessage tokenRequest, string clientId, string tokenEndpoint)
    {
        var credential = options.Value.Entra.Credential
            ?? throw new InvalidOperationException("AzureAd has no client credential (checked at startup).");
        if (credential.SourceType == CredentialSource.ClientSecret)
        {
            tokenRequest.ClientSecret = credential.ClientSecret;
            return;
        }
        // Loads once and keeps the certificate in the description (Identity.Web's own cache).
        await _loader.LoadCredentialsIfNeededAsync(credential, null);
        var certificate = credential.Certificate
            ?? throw new InvalidOperationException($"The client certificate ({credential.SourceType}) could not be loaded.");
        tokenRequest.ClientSecret = null;
        tokenRequest.ClientAssertionType = JwtBearerAssertion;
        tokenRequest.ClientAssertion = Assertion(certificate, clientId, tokenEndpoint, clock.GetUtcNow());
    }

    /// <summary>iss and sub the client id, aud the token endpoint, a fresh jti, five minutes; the header names the certificate (x5t).</summary>
    public static string Assertion(X509Certificate2 certificate, string clientId, string tokenEndpoint, DateTimeOffset now) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenEndpoint,
            Claims = new Dictionary<string, object> { ["sub"] = clientId, ["jti"] = Guid.NewGuid().ToString() },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + AssertionLifetime).UtcDateTime,
            SigningCredentials = new X509SigningCredentials(certificate, SecurityAlgorithms.RsaSha256),
        });
}
