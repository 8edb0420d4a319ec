using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace GovernancePortal.Approvals;

[Collection(BrowserCollection.Name)]
public sealed class RollbackJourneyTests(BrowserFixture browser)
{
    private async Task<HttpClient> ApiAsync(string username)
    {
        var key = await Testing.TestApiKeys.IssueAsync(browser.Portal, username, "e2e-rollback");
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName, key.Secret);
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>3.5.1 replaces 3.5.0 in Production the ordinary way, so there is a previous version to restore.</summary>
    private async Task PromoteFraudModelAsync()
    {
        using var pipeline = await ApiAsync("owner@demo.test");
        var card = JsonDocument.Parse(await pipeline.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await pipeline.PutAsync("/api/v1/models/fraud-card-realtime/versions/3.5.1/card", Json(card))).IsSuccessStatusCode);
        var requested = await pipeline.PostAsync("/api/v1/models/fraud-card-realtime/versions/3.5.1/promotions",
            Json("""{"targetStage":"production","justification":"Feature store migration, same model."}"""));
        Assert.True(requested.IsSuccessStatusCode, await requested.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await requested.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        using var officer = await ApiAsync("compliance@demo.test");
        Assert.True((await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json("""{"decision":"approve"}"""))).IsSuccessStatusCode);
    }

    [Fact]
    public async Task An_owner_starts_a_rollback_an_officer_confirms_it_and_closes_the_retrospective()
    {
        await PromoteFraudModelAsync();
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner@demo.test");

        await owner.GotoAsync("/models/fraud-card-realtime");
        await owner.ScreenshotAsync("rollback-model-before");
        await owner.WaitForCircuitAsync();
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=rollback-link]"), url => url.EndsWith("/models/fraud-card-realtime/rollback"));
        Assert.Equal("3.5.1", await owner.Page.Locator("[data-testid=rollback-from]").InnerTextAsync());
        Assert.Equal("3.5.0", await owner.Page.Locator("[data-testid=rollback-to]").InnerTextAsync());
        await owner.Page.Locator("#reason").FillAsync("Decline rate doubled within an hour of the feature store migration.");
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("rollback-start");
        await owner.Page.Locator("[data-testid=start-rollback]").ClickAsync();
        await owner.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await owner.ScreenshotAsync("rollback-start-confirm");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=confirm-ok]"), url => url.Contains("/rollbacks/"));
        var rollback = owner.Page.Url;
        Assert.Contains("Rollback started", await owner.Page.Locator(".mud-snackbar").First.InnerTextAsync());
        await owner.Page.Locator("[data-testid=why-not]").WaitForAsync();
        Assert.Equal(0, await owner.Page.Locator("[data-testid=confirm-rollback]").CountAsync());
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("rollback-waiting-for-officer");

        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance2@demo.test");
        Assert.True(int.Parse(await officer.Page.Locator("[data-testid=unread-count]").InnerTextAsync()) >= 1);
        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=notification-link]"), url => url.EndsWith("/notifications"));
        await officer.ScreenshotAsync("rollback-officer-notifications");
        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=notifications] tr[data-kind='rollback.started'] a").First, url => url == rollback);
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("[data-testid=confirm-rollback]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-ok]").ClickAsync();
        await officer.Page.Locator("[data-testid=retrospective-link]").WaitForAsync();
        Assert.Contains("Rolled back", await officer.Page.Locator(".mud-snackbar").First.InnerTextAsync());
        Assert.Contains("Confirmed", await officer.Page.Locator("[data-testid=rollback-status]").InnerTextAsync());
        await officer.ScreenshotAsync("rollback-confirmed");

        await officer.GotoAsync("/approvals");
        await officer.WaitForCircuitAsync();
        var reviewRow = officer.Page.Locator("[data-testid=open-review-row]", new() { HasText = "Card fraud (real time)" });
        Assert.Equal(1, await reviewRow.CountAsync());
        await officer.CheckAccessibilityAsync();
        await officer.ScreenshotAsync("rollback-inbox-retrospective");
        await officer.ClickToInteractiveAsync(reviewRow.Locator("[data-testid=review-link]"), url => url.Contains("/retrospectives/"));
        await officer.Page.Locator("#findings").FillAsync("The feature store served day-old merchant features; a freshness gate is added to the pipeline.");
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("[data-testid=close-review]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-ok]").ClickAsync();
        Assert.Contains("freshness gate", await officer.Page.Locator("[data-testid=findings]").InnerTextAsync());
        await officer.ScreenshotAsync("rollback-retrospective-closed");

        await owner.GotoAsync("/models/fraud-card-realtime?tab=versions");
        await owner.WaitForCircuitAsync();
        var stages = await owner.Page.Locator("[data-testid=versions] tbody tr").AllInnerTextsAsync();
        Assert.Contains(stages, row => row.Contains("3.5.0") && row.Contains("Production"));
        Assert.Contains(stages, row => row.Contains("3.5.1") && row.Contains("Staging"));
        await owner.ScreenshotAsync("rollback-model-after");
        await owner.GotoAsync("/notifications");
        Assert.True(await owner.Page.Locator("[data-testid=notifications] tr[data-kind='rollback.confirmed']").CountAsync() >= 1);
        await owner.ScreenshotAsync("rollback-owner-notifications");
        Assert.True(owner.Problems.Count == 0, string.Join(Environment.NewLine, owner.Problems));
        Assert.True(officer.Problems.Count == 0, string.Join(Environment.NewLine, officer.Problems));
    }
}
