using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace GovernancePortal.Approvals;

[Collection(BrowserCollection.Name)]
public sealed class ApprovalJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_high_risk_version_reaches_production_with_two_officers_and_the_trail_shows_every_step()
    {
        const string version = "/models/sepsis-early-warning/versions/1.2.0";
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner2@demo.test");

        // First try: the thin card blocks, and the page says why.
        await owner.GotoAsync(version + "/promote?target=Production");
        await owner.WaitForCircuitAsync();
        Assert.Contains("blocked: model card completeness", await owner.Page.Locator("[data-testid=gates]").InnerTextAsync());
        Assert.Equal(0, await owner.Page.Locator("[data-testid=submit-request]").CountAsync());
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("approval-blocked-gates");

        // The owner's pipeline completes the card (the sepsis card, which is complete), then the owner asks again.
        var key = await Testing.TestApiKeys.IssueAsync(browser.Portal, "owner2@demo.test", "e2e-card");
        using var pipeline = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        pipeline.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName, key.Secret);
        var card = JsonDocument.Parse(await pipeline.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await pipeline.PutAsync($"/api/v1{version}/card", new StringContent(card, Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        // The High-risk Production policy also asks for every applicable checklist signed off (ADR-031): the owner's pipeline
        // answers them and an officer signs them off through the API (the checklist journey goes through those pages).
        using var checklistOfficer = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        checklistOfficer.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName,
            (await Testing.TestApiKeys.IssueAsync(browser.Portal, "compliance@demo.test", "e2e-checklists")).Secret);
        await Compliance.ChecklistCalls.SignOffApplicableAsync(pipeline, checklistOfficer, "sepsis-early-warning", "1.2.0");
        await owner.GotoAsync(version + "/promote?target=Production");
        await owner.WaitForCircuitAsync();
        await owner.Page.Locator("#justification").FillAsync("Shadow evaluation at two sites met the sensitivity target.");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=submit-request]"), url => url.Contains("/approvals/"));
        var request = owner.Page.Url;
        Assert.Contains("Promotion to Production requested", await owner.Page.Locator(".mud-snackbar").First.InnerTextAsync());
        Assert.Contains("2 more ComplianceOfficers", await owner.Page.Locator("[data-testid=still-needed]").InnerTextAsync());
        // The owner is told up front that they cannot decide, and the server refuses their pipeline's attempt all the same.
        Assert.Equal(0, await owner.Page.Locator("[data-testid=approve]").CountAsync());
        Assert.Contains("You made this request", await owner.Page.Locator("[data-testid=cannot-decide]").InnerTextAsync());
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("approval-requested");
        var ownApproval = await pipeline.PostAsync($"/api/v1/promotions/{request.Split('/').Last()}/decisions",
            new StringContent("""{"decision":"approve"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, ownApproval.StatusCode);
        Assert.Contains("You made this request", await ownApproval.Content.ReadAsStringAsync());

        // An officer finds on the request everything the decision rests on.
        await using (var reviewer = await browser.NewSessionAsync())
        {
            await reviewer.SignInAsync("compliance@demo.test");
            await reviewer.Page.GotoAsync(request);
            await reviewer.WaitForCircuitAsync();
            Assert.Contains("1.1.0", await reviewer.Page.Locator("[data-testid=metrics]").InnerTextAsync());
            Assert.True(await reviewer.Page.Locator("[data-testid=compliance] tbody tr").CountAsync() > 0);
            Assert.True(await reviewer.Page.Locator("[data-testid=card-sections]").IsVisibleAsync());
            Assert.True(await reviewer.Page.Locator("[data-testid=lineage]").IsVisibleAsync());
            await reviewer.CheckAccessibilityAsync();
            await reviewer.ScreenshotAsync("approval-request-evidence");
            Assert.Empty(reviewer.Problems);
        }

        foreach (var officer in new[] { "compliance@demo.test", "compliance2@demo.test" })
        {
            await using var session = await browser.NewSessionAsync();
            await session.SignInAsync(officer);
            await session.GotoAsync("/approvals");
            await session.WaitForCircuitAsync();
            // The row names the model and links it, its version and the request, not only the date.
            var row = session.Page.Locator("[data-testid=inbox] tr", new() { HasText = "Sepsis early warning" });
            Assert.Equal("/models/sepsis-early-warning", await row.Locator("[data-testid=model-link]").GetAttributeAsync("href"));
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"approval-inbox-{officer.Split('@')[0]}");
            await session.ClickToInteractiveAsync(row.Locator("[data-testid=request-title]"), url => url == request);
            await session.Page.Locator("#comment").FillAsync($"Reviewed by {officer}.");
            await session.Page.Locator("[data-testid=approve]").ClickAsync();
            await session.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"approval-confirm-{officer.Split('@')[0]}");
            await session.Page.Locator("[data-testid=confirm-ok]").ClickAsync();
            await session.Page.Locator("[data-testid=timeline]", new() { HasText = $"Reviewed by {officer}." }).WaitForAsync();
            await session.ScreenshotAsync($"approval-decided-by-{officer.Split('@')[0]}");
            Assert.Empty(session.Problems);
        }
        await owner.Page.GotoAsync(request);
        Assert.Contains("Approved", await owner.Page.Locator("[data-testid=request-state]").InnerTextAsync());

        await owner.GotoAsync(version + "?tab=history");
        await owner.WaitForCircuitAsync();
        Assert.Contains("Production", await owner.Page.Locator(".facts").First.InnerTextAsync());
        // The version's own stage history names both approving officers of the Production step.
        var production = owner.Page.Locator("[data-testid=stage-change]").Last;
        Assert.Contains("Production", await production.InnerTextAsync());
        Assert.Contains("compliance@demo.test", await production.InnerTextAsync());
        Assert.Contains("compliance2@demo.test", await production.InnerTextAsync());
        await owner.Page.Locator("[data-testid=stage-history]").ScrollIntoViewIfNeededAsync();
        await owner.ScreenshotAsync("approval-version-stage-history");
        // The version it replaced is back in Staging, and says why.
        await owner.GotoAsync("/models/sepsis-early-warning/versions/1.1.0?tab=history");
        Assert.Contains("Staging", await owner.Page.Locator(".facts").First.InnerTextAsync());
        Assert.Contains("Moved back", await owner.Page.Locator("[data-testid=stage-change]").Last.InnerTextAsync());
        await using var auditor = await browser.NewSessionAsync();
        await auditor.SignInAsync("auditor@demo.test");
        await auditor.GotoAsync("/models/sepsis-early-warning");
        await auditor.WaitForCircuitAsync();
        await auditor.ClickToInteractiveAsync(auditor.Page.Locator("[data-testid=model-audit-history]"), url => url.Contains("/audit?q=sepsis-early-warning"));
        // The demo's own history of the model fills the first page; this request's events are found by its id.
        await auditor.GotoAsync($"/audit?q={request.Split('/').Last()}");
        await auditor.WaitForCircuitAsync();
        var actions = await auditor.Page.Locator("[data-testid=event-action]").AllInnerTextsAsync();
        Assert.Contains("promotion.requested", actions);
        Assert.Equal(2, actions.Count(a => a == "promotion.approved-by"));
        Assert.Contains("promotion.approved", actions);
        Assert.Contains("version.stage-changed", actions);
        await auditor.ScreenshotAsync("approval-audit-trail");
        Assert.Empty(owner.Problems);
    }
}
