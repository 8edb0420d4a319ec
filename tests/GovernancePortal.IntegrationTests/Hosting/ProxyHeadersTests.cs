using System.Net;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Hosting;

/// <summary>The portal in Production behind a TLS-terminating proxy it knows (10.0.0.5, or any address in 10.1.0.0/16).</summary>
public sealed class ProxiedPortal() : EntraPortal(TestDatabase.Sqlite, ProxiedPortal.Address)
{
    public const string Address = "https://portal.example.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        using var key = Audit.CheckpointSigner.CreateKey();
        builder.UseSetting("Audit:CheckpointKeyPem", key.ExportPkcs8PrivateKeyPem());
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", "10.0.0.5");
        builder.UseSetting("ForwardedHeaders:KnownNetworks:0", "10.1.0.0/16");
        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ClientAddresses>());
    }

    /// <summary>A browser whose requests reach the portal through <paramref name="from"/>, which says the browser used https.</summary>
    public PortalClient Through(string from)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://portal.example.test") });
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        return new PortalClient(ClientAddresses.From(client, from));
    }

    /// <summary>A browser talking https to the portal directly.</summary>
    public PortalClient OverHttps() =>
        new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri(Address) }));
}

public sealed class ProxyHeadersTests(ProxiedPortal portal) : IClassFixture<ProxiedPortal>
{
    private static string RedirectUri(HttpResponseMessage challenge) =>
        QueryHelpers.ParseQuery(challenge.Headers.Location!.Query)["redirect_uri"].ToString();

    private static IEnumerable<string> Cookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [];

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("10.1.2.3")]
    public async Task A_request_forwarded_as_https_by_a_known_proxy_gets_an_https_redirect_uri_secure_cookies_and_HSTS(string proxy)
    {
        var challenge = await portal.Through(proxy).Http.GetAsync("/account/sign-in/entra");

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Equal("https://portal.example.test/signin-oidc", RedirectUri(challenge));
        Assert.NotEmpty(Cookies(challenge));
        Assert.All(Cookies(challenge), c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.StartsWith("max-age=", challenge.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task Forwarded_headers_from_any_other_address_are_ignored_and_cookies_stay_secure()
    {
        var challenge = await portal.Through("192.0.2.9").Http.GetAsync("/account/sign-in/entra");

        Assert.Equal("http://portal.example.test/signin-oidc", RedirectUri(challenge));
        Assert.False(challenge.Headers.Contains("Strict-Transport-Security"));
        Assert.NotEmpty(Cookies(challenge));
        Assert.All(Cookies(challenge), c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Outside_development_the_session_cookie_is_secure_and_every_https_answer_sends_HSTS()
    {
        using var browser = new EntraBrowser(portal, portal.OverHttps());

        var callback = await browser.SignInAsync(OidcProvider.Owner.Username, "/models");

        var session = Assert.Single(Cookies(callback), c => c.StartsWith("gp.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", session, StringComparison.OrdinalIgnoreCase);
        var models = await browser.Portal.Http.GetAsync("/models");
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.StartsWith("max-age=", models.Headers.GetValues("Strict-Transport-Security").Single());
    }
}
