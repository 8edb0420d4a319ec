using System.Net;
using System.Net.Sockets;
using GovernancePortal.Testing;
using Microsoft.Playwright;

namespace GovernancePortal.Identity;

/// <summary>The portal on Kestrel with Entra ID sign-in against the test OIDC provider, and headless Chromium.</summary>
public sealed class EntraBrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public EntraBrowserFixture()
    {
        // The provider must know the portal's redirect URI before either starts, so the port is chosen here.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Portal = new EntraPortal(TestDatabase.Sqlite, BaseUrl);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public EntraPortal Portal { get; }
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Portal.InitializeAsync();
        Portal.UseKestrel(Port);
        Portal.StartServer();
        (_playwright, Browser) = await BrowserFixture.LaunchChromiumAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await ((IAsyncLifetime)Portal).DisposeAsync();
    }
}

public sealed class EntraSignInJourneyTests(EntraBrowserFixture fixture) : IClassFixture<EntraBrowserFixture>
{
    [Fact]
    public async Task A_person_signs_in_through_the_providers_login_page_lands_where_they_were_going_and_signs_out_of_both()
    {
        await using var session = await BrowserFixture.NewSessionAsync(fixture.Browser, fixture.BaseUrl);
        var page = session.Page;

        await session.GotoAsync("/models");
        Assert.StartsWith(fixture.BaseUrl + "/account/sign-in", page.Url);
        await session.ScreenshotAsync("entra-sign-in");
        await session.ClickAndWaitAsync(page.Locator("[data-testid=sign-in-entra]"), url => url.StartsWith(fixture.Portal.Provider.Issuer + "/interaction/"));
        await page.Locator("#login").SelectOptionAsync(OidcProvider.Owner.Username);
        await session.ScreenshotAsync("entra-provider-login");
        await session.ClickAndWaitAsync(page.Locator("#sign-in"), url => url == fixture.BaseUrl + "/models");

        Assert.Equal(OidcProvider.Owner.Name, await page.Locator("[data-testid=user-name]").InnerTextAsync());
        Assert.Equal([Roles.ModelOwner], await page.Locator("[data-testid=user-role]").AllInnerTextsAsync());
        await session.ScreenshotAsync("entra-signed-in-models");

        // Sign-out posts, then redirects to the provider: the page's CSP form-action must allow that origin.
        await session.ClickAndWaitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }),
            url => url.StartsWith(fixture.Portal.Provider.Issuer + "/session/end", StringComparison.Ordinal));
        await session.ScreenshotAsync("entra-provider-sign-out");
        await session.ClickAndWaitAsync(page.Locator("button[name=logout][value=yes]"),
            url => url == fixture.BaseUrl + "/account/sign-in?signedOut=1");
        Assert.Contains("You have signed out.", await page.Locator("body").InnerTextAsync());

        // The Entra session is gone too: signing in again asks for the account again. Cancelling there says so.
        await session.ClickAndWaitAsync(page.Locator("[data-testid=sign-in-entra]"), url => url.StartsWith(fixture.Portal.Provider.Issuer + "/interaction/"));
        await session.ClickAndWaitAsync(page.Locator("#cancel"), url => url == fixture.BaseUrl + "/account/sign-in?error=entra-denied");
        Assert.Contains("You are not signed in.", await page.Locator("body").InnerTextAsync());
        await session.ScreenshotAsync("entra-sign-in-cancelled");
        Assert.DoesNotContain(session.Problems, p => p.Contains(fixture.BaseUrl, StringComparison.Ordinal));
    }
}
