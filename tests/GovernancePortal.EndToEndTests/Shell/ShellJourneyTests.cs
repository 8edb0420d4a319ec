using Microsoft.EntityFrameworkCore;
using GovernancePortal.Identity;
using Microsoft.Playwright;

namespace GovernancePortal.Shell;

[Collection(BrowserCollection.Name)]
public sealed class ShellJourneyTests(BrowserFixture browser)
{
    public static TheoryData<string> Personas => new(DemoPersonas.All.Select(p => p.Username));

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Each_persona_signs_in_and_walks_the_shell_without_errors(string username)
    {
        var persona = DemoPersonas.Find(username)!;
        await using var session = await browser.NewSessionAsync();

        await session.GotoAsync("/");
        Assert.StartsWith(browser.BaseUrl + "/account/sign-in", session.Page.Url);
        await session.ScreenshotAsync("sign-in");
        await session.SignInAsync(username);

        Assert.Equal(persona.DisplayName, await session.Page.Locator("[data-testid=user-name]").InnerTextAsync());
        Assert.Equal([persona.Role], await session.Page.Locator("[data-testid=user-role]").AllInnerTextsAsync());
        var slug = username.Split('@')[0];
        await session.ScreenshotAsync($"{slug}-overview");

        var links = await session.Page.Locator("nav.app-nav a").AllAsync();
        var targets = new List<(string Title, string Href)>();
        foreach (var link in links)
        {
            targets.Add((await link.InnerTextAsync(), (await link.GetAttributeAsync("href"))!));
        }
        Assert.Contains(targets, t => t.Title == "Models");
        Assert.Equal(persona.Role == Roles.Admin, targets.Any(t => t.Title == "Admin"));
        foreach (var (title, href) in targets)
        {
            var link = session.Page.Locator("nav.app-nav").GetByRole(AriaRole.Link, new() { Name = title, Exact = true });
            await session.ClickDrawerLinkAsync(link, href);
            Assert.Equal("page", await session.Page.Locator("nav.app-nav a[aria-current=page]").GetAttributeAsync("aria-current"));
            await session.ScreenshotAsync($"{slug}-{title.ToLowerInvariant()}");
        }

        await session.ClickAndWaitAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }),
            url => url == browser.BaseUrl + "/account/sign-in?signedOut=1");
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task The_catalogue_filters_sorts_and_pages_through_the_url_on_a_small_screen()
    {
        await using var session = await browser.NewSessionAsync(width: 360, height: 780);
        await session.SignInAsync("viewer@demo.test");
        await session.ScreenshotAsync("mobile-overview");

        await session.GotoAsync("/models");
        await session.WaitForCircuitAsync();
        var links = session.Page.Locator("[data-testid=catalogue] [data-testid=model-link]");
        await links.First.WaitForAsync();
        await session.Page.Locator("[data-testid=filter-risk]").ClickAsync();
        await session.Page.GetByRole(AriaRole.Option, new() { Name = "High", Exact = true }).ClickAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + "/models?risk=High");
        // Sorting at this width goes through the address (the column headers are folded away).
        await session.GotoAsync("/models?risk=High&sort=team");
        await session.WaitForCircuitAsync();
        // Other journeys share this portal and may register models, so count what the database holds.
        var high = await browser.Portal.WithDbAsync(db => db.Models.CountAsync(m => m.RiskTier == Registry.RiskTier.High));
        await session.Page.WaitForFunctionAsync("n => document.querySelectorAll('[data-testid=catalogue] [data-testid=model-link]').length === n", high);
        Assert.Contains("High", await session.Page.Locator("[data-testid=filter-risk]").InnerTextAsync());
        await session.ScreenshotAsync("mobile-models-high-risk");
        // Nothing may force sideways scrolling at 360 px.
        Assert.True(await session.Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task An_admin_issues_and_revokes_an_api_key_with_a_confirmation_step()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("admin@demo.test");
        await session.GotoAsync("/admin/api-keys");
        await session.WaitForCircuitAsync();

        await session.Page.Locator("[data-testid=key-user]").ClickAsync();
        await session.Page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "owner@demo.test" }).ClickAsync();
        await session.Page.Locator("[data-testid=key-label] input").FillAsync("e2e-admin-key");
        await session.Page.Locator("[data-testid=create-key-button]").ClickAsync();
        var secret = await session.Page.Locator("[data-testid=issued-secret]").InnerTextAsync();
        Assert.StartsWith("gp_", secret);
        await session.ScreenshotAsync("admin-api-key-issued");

        var row = session.Page.Locator("tr", new() { HasTextString = "e2e-admin-key" });
        await row.Locator("[data-testid=revoke]").ClickAsync();
        var confirm = session.Page.Locator("[data-testid=confirm-revocation-button]");
        await confirm.WaitForAsync();
        Assert.Contains("e2e-admin-key", await session.Page.Locator(".mud-dialog").InnerTextAsync());
        await session.ScreenshotAsync("admin-api-key-confirm");
        await session.CheckAccessibilityAsync();
        await confirm.ClickAsync();

        await session.Page.Locator(".mud-snackbar", new() { HasTextString = "Key 'e2e-admin-key' revoked." }).WaitForAsync();
        await row.Locator("[data-active=false]").WaitForAsync();
        Assert.Equal(0, await row.Locator("[data-testid=revoke]").CountAsync());
        await session.ScreenshotAsync("admin-api-key-revoked");
        Assert.Empty(session.Problems);
    }
}
