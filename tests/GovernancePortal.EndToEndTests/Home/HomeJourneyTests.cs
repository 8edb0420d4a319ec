using Microsoft.Playwright;

namespace GovernancePortal.Home;

/// <summary>Each persona's home page in Chromium: interactive, their own part of it, charts drawn, no console errors.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HomeJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("viewer@demo.test", "[data-testid=home-stakeholder]", "Model cards in production")]
    [InlineData("owner@demo.test", "[data-testid=home-owner]", "Your models")]
    [InlineData("compliance@demo.test", "[data-testid=home-compliance]", "Approvals waiting, by age")]
    [InlineData("auditor@demo.test", "[data-testid=home-audit]", "Events per day, last 14 days")]
    [InlineData("admin@demo.test", "[data-testid=home-stakeholder]", "Versions by risk tier and stage")]
    public async Task Each_persona_lands_on_their_own_home_page(string username, string work, string heading)
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync(username);
        await session.WaitForCircuitAsync();
        // The drawer settles once the circuit has measured the screen.
        await session.Page.Locator("nav.app-nav").WaitForAsync();

        Assert.True(await session.Page.Locator(work).First.IsVisibleAsync(), $"{username} does not see {work}");
        Assert.True(await session.Page.GetByRole(AriaRole.Heading, new() { Name = heading }).IsVisibleAsync());
        await session.ScreenshotAsync($"home-{username.Split('@')[0]}");

        // From the home page to the catalogue and back, by the drawer.
        await session.ClickDrawerLinkAsync(session.Page.Locator("nav.app-nav").GetByRole(AriaRole.Link, new() { Name = "Models", Exact = true }), "/models");
        await session.ClickDrawerLinkAsync(session.Page.Locator("nav.app-nav").GetByRole(AriaRole.Link, new() { Name = "Overview", Exact = true }), "/");
        await session.WaitForCircuitAsync();
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task Dark_mode_is_switched_once_and_kept_on_static_and_interactive_pages()
    {
        await using var session = await browser.NewSessionAsync(width: 1280, height: 900);
        await session.SignInAsync("owner2@demo.test");
        await session.WaitForCircuitAsync();

        await session.ClickAndWaitAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark mode" }), url => url == browser.BaseUrl + "/");
        await session.WaitForCircuitAsync();
        Assert.Equal(1, await session.Page.Locator(".portal-shell.theme-dark").CountAsync());
        await session.ScreenshotAsync("home-owner2-dark");

        await session.GotoAsync("/models");
        Assert.Equal(1, await session.Page.Locator(".portal-shell.theme-dark").CountAsync());
        await session.ScreenshotAsync("models-dark");

        await session.ClickAndWaitAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Switch to light mode" }), url => url == browser.BaseUrl + "/models");
        Assert.Equal(1, await session.Page.Locator(".portal-shell.theme-light").CountAsync());
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task The_reconnect_dialog_says_when_the_server_no_longer_knows_the_page_and_keeps_it()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("viewer@demo.test");
        await session.WaitForCircuitAsync();
        await session.Page.EvaluateAsync("() => { window.__samePage = true; }");
        var dialog = session.Page.Locator("#components-reconnect-modal");
        Assert.False(await dialog.IsVisibleAsync());

        // blazor.web.js raises this event on the dialog when a circuit is lost and when the server refuses it; the
        // dialog's own script (loaded as a file under the CSP) must show it and, when refused, say so without reloading.
        await session.Page.EvaluateAsync("() => document.getElementById('components-reconnect-modal').dispatchEvent(new CustomEvent('components-reconnect-state-changed', { detail: { state: 'show' } }))");
        await dialog.WaitForAsync();
        await session.Page.EvaluateAsync("() => document.getElementById('components-reconnect-modal').dispatchEvent(new CustomEvent('components-reconnect-state-changed', { detail: { state: 'rejected' } }))");
        var refused = dialog.Locator("p.components-resume-failed-visible");
        await refused.WaitForAsync();
        Assert.Contains("What you typed on this page has not been saved", await refused.InnerTextAsync());
        await session.ScreenshotAsync("reconnect-rejected");

        Assert.True(await session.Page.EvaluateAsync<bool>("() => window.__samePage === true"));
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task On_a_small_screen_the_static_pages_show_the_navigation_as_a_row()
    {
        await using var session = await browser.NewSessionAsync(width: 360, height: 780);
        await session.SignInAsync("compliance@demo.test");
        await session.WaitForCircuitAsync();
        await session.ScreenshotAsync("mobile-home-compliance");

        // The access-denied page stays static (it answers without a circuit).
        await session.GotoAsync("/account/access-denied");
        Assert.True(await session.Page.Locator("nav.app-nav").GetByRole(AriaRole.Link, new() { Name = "Models", Exact = true }).IsVisibleAsync());
        Assert.True(await session.Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await session.ScreenshotAsync("mobile-static-page");
        Assert.Empty(session.Problems);
    }
}
