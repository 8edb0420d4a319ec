using Microsoft.Playwright;

namespace GovernancePortal.Audit;

[Collection(BrowserCollection.Name)]
public sealed class AuditJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_auditor_goes_from_a_model_to_its_history_opens_an_event_verifies_and_exports()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("auditor@demo.test");

        await session.GotoAsync("/models/sepsis-early-warning");
        await session.WaitForCircuitAsync();
        await session.ClickToInteractiveAsync(session.Page.Locator("[data-testid=model-audit-history]"), url => url.Contains("/audit?q=sepsis-early-warning"));
        await session.ScreenshotAsync("auditor-audit-trail");
        // The model's history runs to many pages (its demo story); the registrations are found by action.
        await session.GotoAsync("/audit?q=sepsis-early-warning&action=version.registered");
        await session.WaitForCircuitAsync();
        var actions = await session.Page.Locator("[data-testid=event-action]").AllInnerTextsAsync();
        Assert.Equal(3, actions.Count(a => a == "version.registered"));
        // Subjects by name, never by id.
        var subjects = await session.Page.Locator("[data-testid=subject-link]").AllInnerTextsAsync();
        Assert.Contains("sepsis-early-warning 1.1.0", subjects);
        Assert.DoesNotContain(subjects, s => Guid.TryParse(s.Split(' ')[^1], out _));
        await session.GotoAsync("/audit?q=sepsis-early-warning&action=model.registered");
        await session.WaitForCircuitAsync();
        actions = await session.Page.Locator("[data-testid=event-action]").AllInnerTextsAsync();
        Assert.Equal(1, actions.Count(a => a == "model.registered"));

        var registered = session.Page.Locator("tr", new() { Has = session.Page.Locator("[data-testid=event-action]", new() { HasTextString = "model.registered" }) });
        await session.ClickToInteractiveAsync(registered.Locator("[data-testid=event-link]"), url => url.Contains("/audit/events/"));
        await session.Page.Locator("[data-testid=change][data-field=key]").WaitForAsync();
        Assert.Contains("model.registered", await session.Page.Locator("h1").InnerTextAsync());
        Assert.Equal("sepsis-early-warning", (await session.Page.Locator("[data-testid=change][data-field=key] [data-testid=after]").InnerTextAsync()).Trim());
        Assert.Equal("/models/sepsis-early-warning", await session.Page.Locator("[data-testid=event-subject] a").GetAttributeAsync("href"));
        await session.ScreenshotAsync("auditor-audit-event");
        await session.Page.Locator("[data-testid=raw-toggle] input").ClickAsync();
        Assert.Contains("\"after\": \"sepsis-early-warning\"", await session.Page.Locator("[data-testid=payload]").InnerTextAsync());
        await session.ScreenshotAsync("auditor-audit-event-raw");
        await session.CheckAccessibilityAsync();

        await session.GotoAsync("/audit/verify");
        await session.WaitForCircuitAsync();
        // Before the outcome's snackbar, which fades in over the page.
        await session.CheckAccessibilityAsync();
        var runs = await session.Page.Locator("[data-testid=verification-run]").CountAsync();
        await session.Page.Locator("[data-testid=verify-now]").ClickAsync();
        await session.Page.Locator(".mud-snackbar", new() { HasTextString = "Valid:" }).WaitForAsync();
        await session.Page.Locator("[data-testid=verification-run]").Nth(runs).WaitForAsync();
        await session.ScreenshotAsync("auditor-audit-verify");

        await session.GotoAsync("/audit?action=model.registered");
        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.Locator("[data-testid=export-csv]").ClickAsync());
        var path = await download.PathAsync();
        var lines = await File.ReadAllLinesAsync(path!);
        Assert.Equal(13, lines.Length); // header and the twelve demo models
        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }

    [Fact]
    public async Task The_trail_pages_through_the_address_and_back_returns_to_the_page_before()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("auditor@demo.test");
        await session.GotoAsync("/audit?size=25");
        await session.WaitForCircuitAsync();
        var first = await session.Page.Locator("[data-testid=event-link]").First.InnerTextAsync();

        await session.Page.Locator("[data-testid=pages] button", new() { HasTextString = "2" }).First.ClickAsync();
        await session.Page.WaitForURLAsync(url => url.Contains("page=2") && url.Contains("size=25"));
        await session.Page.Locator("[data-testid=shown]", new() { HasTextString = "26–50" }).WaitForAsync();
        Assert.Equal(long.Parse(first) - 25, long.Parse(await session.Page.Locator("[data-testid=event-link]").First.InnerTextAsync()));

        await session.Page.GoBackAsync();
        await session.Page.Locator("[data-testid=shown]", new() { HasTextString = "1–25" }).WaitForAsync();
        Assert.Equal(first, await session.Page.Locator("[data-testid=event-link]").First.InnerTextAsync());
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task At_360_pixels_the_trail_and_an_event_fit_the_screen()
    {
        await using var session = await browser.NewSessionAsync(360, 780);
        await session.SignInAsync("auditor@demo.test");
        await session.GotoAsync("/audit?q=credit-default-pd");
        await session.WaitForCircuitAsync();
        await session.ScreenshotAsync("mobile-audit-trail");
        Assert.True(await session.Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);

        await session.GotoAsync("/audit/events/" + await session.Page.Locator("[data-testid=event-link]").First.InnerTextAsync());
        await session.WaitForCircuitAsync();
        await session.ScreenshotAsync("mobile-audit-event");
        Assert.True(await session.Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        Assert.Empty(session.Problems);
    }
}
