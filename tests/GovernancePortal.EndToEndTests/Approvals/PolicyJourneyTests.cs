namespace GovernancePortal.Approvals;

[Collection(BrowserCollection.Name)]
public sealed class PolicyJourneyTests(BrowserFixture browser)
{
    // Production/Minimal: no other browser test requests it, so editing it leaves the neighbours' expectations alone.
    [Fact]
    public async Task An_officer_edits_a_policy_from_the_approvals_area_and_reads_the_change_in_its_history()
    {
        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.GotoAsync("/approvals");
        await officer.WaitForCircuitAsync();
        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=policies-link]"), url => url.EndsWith("/approvals/policies"));
        await officer.Page.Locator("[data-testid=policy-Production-Minimal]").WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await officer.ScreenshotAsync("policies-list");

        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=policy-Production-Minimal] [data-testid=edit-policy]"),
            url => url.EndsWith("/approvals/policies/Production/Minimal/edit"));
        await officer.Page.Locator("[data-testid=save-policy]").ClickAsync();
        Assert.Contains("Say what changed", await officer.Page.Locator(".mud-input-error").First.InnerTextAsync());
        await officer.CheckAccessibilityAsync();
        await officer.ScreenshotAsync("policy-edit-errors");

        await officer.Page.Locator("#completeness").FillAsync("55");
        await officer.Page.Locator("#expiry").FillAsync("10");
        await officer.Page.Locator("#change-note").FillAsync("Minimal-risk releases: a slightly fuller card, quicker expiry.");
        await officer.Page.Locator("[data-testid=save-policy]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        Assert.Contains("Publish version 2?", await officer.Page.Locator(".mud-dialog").First.InnerTextAsync());
        await officer.ScreenshotAsync("policy-publish-confirm");
        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=confirm-ok]"), url => url.EndsWith("/versions"));

        Assert.Contains("Saved as version 2", await officer.Page.Locator(".mud-snackbar").First.InnerTextAsync());
        var latest = officer.Page.Locator("[data-testid=policy-version-2]");
        Assert.Contains("quicker expiry", await latest.Locator("[data-testid=change-note]").InnerTextAsync());
        Assert.Equal(["minimumCardCompleteness", "requestExpiry"],
            await latest.Locator("[data-testid=policy-changes] tr[data-field]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.field)"));
        await officer.CheckAccessibilityAsync();
        await officer.ScreenshotAsync("policy-history");

        // The demo's churn model went to Production under version 1; its request still says so.
        await officer.GotoAsync("/production");
        await officer.WaitForCircuitAsync();
        await officer.ClickToInteractiveAsync(officer.Page.Locator("[data-testid=production-table] tr", new() { HasText = "Retail customer churn" })
            .Locator("[data-testid=approved] a"), url => url.Contains("/approvals/"));
        Assert.Contains("version 1", await officer.Page.Locator("[data-testid=request-policy]").InnerTextAsync());
        Assert.Contains("now at version 2", await officer.Page.Locator("[data-testid=policy-superseded]").InnerTextAsync());
        await officer.ScreenshotAsync("policy-request-keeps-its-version");
        Assert.Empty(officer.Problems);
    }
}
