using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AngleSharp.Html.Dom;
using GovernancePortal.Identity;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace GovernancePortal.Testing;

/// <summary>
/// The portal with Entra ID sign-in (and no development sign-in) against a real OIDC provider. The provider reaches the
/// portal only through the test's browser; the portal's back channel (discovery, keys, token endpoint) is real HTTP.
/// </summary>
/// <param name="portalAddresses">Where browsers reach the portal: the provider sends them back there.</param>
public class EntraPortal(TestDatabase database, params string[] portalAddresses) : PortalFactory(database)
{
    private OidcProvider? _provider;

    public OidcProvider Provider => _provider ?? throw new InvalidOperationException("The provider has not started.");

    /// <summary>Rewrites the id_token of the next token responses (re-signed by the provider), to test what the portal refuses.</summary>
    public IdTokenTamperer Tamperer { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _provider = await OidcProvider.StartAsync(portalAddresses is [] ? ["http://localhost"] : portalAddresses, PortalJwks);
        Tamperer.Provider = _provider;
    }

    /// <summary>The public keys the provider takes client assertions from; null: the portal uses its client secret.</summary>
    protected virtual object? PortalJwks => null;

    /// <summary>The app's credential, as an operator configures it (the AzureAd section).</summary>
    protected virtual void ConfigureCredential(IWebHostBuilder builder)
    {
        builder.UseSetting("AzureAd:ClientCredentials:0:SourceType", "ClientSecret");
        builder.UseSetting("AzureAd:ClientCredentials:0:ClientSecret", OidcProvider.PortalClientSecret);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Authentication:DevelopmentSignIn", "false");
        builder.UseSetting("AzureAd:TenantId", OidcProvider.TenantId.ToString());
        builder.UseSetting("AzureAd:ClientId", OidcProvider.PortalClientId);
        ConfigureCredential(builder);
        // Test-only: the provider is not Entra. Identity.Web would build an Entra authority from Instance and TenantId,
        // fetch metadata over https only, and validate issuers against Entra's own metadata.
        builder.ConfigureTestServices(services =>
        {
            services.Configure<OpenIdConnectOptions>(IdentityServices.EntraScheme, o =>
            {
                PointAtProvider(o);
                o.BackchannelHttpHandler = Tamperer.Handler;
            });
            services.Configure<JwtBearerOptions>(IdentityServices.EntraBearerScheme, PointAtProvider);
        });
    }

    private void PointAtProvider(OpenIdConnectOptions oidc)
    {
        var issuer = Provider.Issuer;
        (oidc.Authority, oidc.MetadataAddress, oidc.RequireHttpsMetadata) = (issuer, $"{issuer}/.well-known/openid-configuration", false);
        (oidc.TokenValidationParameters.ValidIssuer, oidc.TokenValidationParameters.IssuerValidator) = (issuer, null);
    }

    private void PointAtProvider(JwtBearerOptions bearer)
    {
        var issuer = Provider.Issuer;
        (bearer.Authority, bearer.MetadataAddress, bearer.RequireHttpsMetadata) = (issuer, $"{issuer}/.well-known/openid-configuration", false);
        (bearer.TokenValidationParameters.ValidIssuer, bearer.TokenValidationParameters.IssuerValidator) = (issuer, null);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}

public sealed class SqliteEntraPortal() : EntraPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlEntraPortal() : EntraPortal(TestDatabase.PostgreSql);

/// <summary>Passes the portal's back-channel calls through, rewriting the id_token in token responses when asked.</summary>
public sealed class IdTokenTamperer
{
    public OidcProvider? Provider { get; set; }

    /// <summary>Changes the id_token's claims; null leaves them alone.</summary>
    public Action<JsonObject>? Claims { get; set; }

    /// <summary>Signs the id_token with the provider's next key (published or not).</summary>
    public bool SignWithNextKey { get; set; }

    public HttpMessageHandler Handler => new TamperingHandler(this);

    public void Reset()
    {
        Claims = null;
        SignWithNextKey = false;
    }

    private sealed class TamperingHandler(IdTokenTamperer owner) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri?.AbsolutePath != "/token" || !response.IsSuccessStatusCode || (owner.Claims is null && !owner.SignWithNextKey))
            {
                return response;
            }
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!.AsObject();
            var idToken = body["id_token"]!.GetValue<string>();
            var claims = JsonNode.Parse(Base64UrlEncoder.Decode(idToken.Split('.')[1]))!.AsObject();
            owner.Claims?.Invoke(claims);
            body["id_token"] = await owner.Provider!.SignAsync(claims, owner.SignWithNextKey);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
                RequestMessage = request,
            };
        }
    }
}

/// <summary>
/// A browser going through the Entra sign-in: the portal client (TestServer) and a client for the provider, each with
/// its own cookies, following redirects by hand so a test can stop or tamper at any step.
/// </summary>
public sealed class EntraBrowser(EntraPortal portal, PortalClient? client = null) : IDisposable
{
    private readonly HttpClient _idp = new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });

    public PortalClient Portal { get; } = client ?? PortalClient.Anonymous(portal);

    /// <summary>The authorization request the portal sent the browser to (from GET /account/sign-in/entra).</summary>
    public Uri? AuthorizationRequest { get; private set; }

    /// <summary>Starts at the portal, signs in (or cancels) at the provider, and returns the callback the provider sends back.</summary>
    public async Task<Uri> AuthorizeAsync(string? username, string returnUrl = "/")
    {
        var start = await Portal.Http.GetAsync($"/account/sign-in/entra?returnUrl={Uri.EscapeDataString(returnUrl)}");
        if (start.StatusCode != HttpStatusCode.Redirect || start.Headers.Location is not { IsAbsoluteUri: true } authorize)
        {
            throw new InvalidOperationException($"The challenge answered {(int)start.StatusCode} {start.Headers.Location}.");
        }
        AuthorizationRequest = authorize;
        var (page, callback) = await FollowAtProviderAsync(authorize, HttpMethod.Get, null);
        if (callback is not null)
        {
            return callback;
        }
        var form = page!.QuerySelector(username is null ? "form[action$='/abort']" : "form[action$='/login']") as IHtmlFormElement
            ?? throw new InvalidOperationException($"The provider's page has no sign-in form: {page.DocumentElement.OuterHtml}");
        var fields = username is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["login"] = username };
        (page, callback) = await FollowAtProviderAsync(new Uri(authorize, form.GetAttribute("action")), HttpMethod.Post, new FormUrlEncodedContent(fields));
        return callback ?? throw new InvalidOperationException($"The provider did not send the browser back: {page!.DocumentElement.OuterHtml}");
    }

    /// <summary>The whole sign-in; returns the portal's answer to the callback.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string? username, string returnUrl = "/") =>
        await Portal.Http.GetAsync((await AuthorizeAsync(username, returnUrl)).PathAndQuery);

    private async Task<(IHtmlDocument? Page, Uri? Callback)> FollowAtProviderAsync(Uri url, HttpMethod method, HttpContent? content)
    {
        for (var hop = 0; hop < 10; hop++)
        {
            using var request = new HttpRequestMessage(method, url) { Content = content };
            using var response = await _idp.SendAsync(request);
            if (response.Headers.Location is { } location)
            {
                var next = new Uri(url, location);
                if (next.Authority != url.Authority)
                {
                    return (null, next);
                }
                (url, method, content) = (next, HttpMethod.Get, null);
                continue;
            }
            var html = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{method} {url} at the provider answered {(int)response.StatusCode}: {html}");
            }
            return (PortalClient.Parse(html), null);
        }
        throw new InvalidOperationException("The provider redirected too often.");
    }

    public void Dispose() => _idp.Dispose();
}

/// <summary>
/// The portal authenticating at the token endpoint with a certificate (a client assertion) instead of a secret, the
/// certificate given as an operator would (AzureAd:ClientCredentials, Base64Encoded). The provider knows only its public key.
/// </summary>
public sealed class CertificateEntraPortal() : EntraPortal(TestDatabase.Sqlite), IDisposable
{
    private readonly X509Certificate2 _certificate = CreateCertificate();

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=governance-portal-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    protected override object? PortalJwks
    {
        get
        {
            var parameters = _certificate.GetRSAPublicKey()!.ExportParameters(false);
            return new
            {
                keys = new[]
                {
                    new
                    {
                        kty = "RSA", use = "sig", alg = "RS256", kid = _certificate.Thumbprint,
                        n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent),
                    },
                },
            };
        }
    }

    protected override void ConfigureCredential(IWebHostBuilder builder)
    {
        builder.UseSetting("AzureAd:ClientCredentials:0:SourceType", "Base64Encoded");
        builder.UseSetting("AzureAd:ClientCredentials:0:Base64EncodedValue", Convert.ToBase64String(_certificate.Export(X509ContentType.Pkcs12)));
    }

    void IDisposable.Dispose() => _certificate.Dispose();
}
