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
        await session.ClickAndWaitAsync(session.Page.Locator("[data-testid=model-audit-history]"), url => url.Contains("/audit?q=sepsis-early-warning"));
        await session.ScreenshotAsync("auditor-audit-trail");
        // The model's history runs to many pages (its demo story); the registrations are found by action.
        await session.GotoAsync("/audit?q=sepsis-early-warning&action=version.registered");
        var actions = await session.Page.Locator("table.data-table tbody td:nth-child(4)").AllInnerTextsAsync();
        Assert.Equal(3, actions.Count(a => a == "version.registered"));
        await session.GotoAsync("/audit?q=sepsis-early-warning&action=model.registered");
        actions = await session.Page.Locator("table.data-table tbody td:nth-child(4)").AllInnerTextsAsync();
        Assert.Equal(1, actions.Count(a => a == "model.registered"));

        await session.ClickAndWaitAsync(session.Page.Locator("table.data-table tbody tr", new() { HasText = "model.registered" }).Locator("td").First.Locator("a"),
            url => url.Contains("/audit/events/"));
        Assert.Contains("model.registered", await session.Page.Locator("h1").InnerTextAsync());
        Assert.Contains("sepsis-early-warning", await session.Page.Locator("[data-testid=payload]").InnerTextAsync());
        await session.ScreenshotAsync("auditor-audit-event");

        await session.GotoAsync("/audit/verify");
        await session.ClickAndWaitAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Verify now" }), url => url == browser.BaseUrl + "/audit/verify");
        Assert.StartsWith("Valid:", (await session.Page.Locator("[data-testid=status-message]").InnerTextAsync()).Trim());
        await session.ScreenshotAsync("auditor-audit-verify");

        await session.GotoAsync("/audit?action=model.registered");
        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.Locator("[data-testid=export-csv]").ClickAsync());
        var path = await download.PathAsync();
        var lines = await File.ReadAllLinesAsync(path!);
        Assert.Equal(13, lines.Length); // header and the twelve demo models
        Assert.Empty(session.Problems);
    }
}
