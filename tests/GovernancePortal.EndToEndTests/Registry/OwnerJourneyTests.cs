using Microsoft.Playwright;

namespace GovernancePortal.Registry;

/// <summary>
/// The owner's journey through the pages (issue 13, item 7): register a model and a version through the forms, fill every
/// card section, read the gates on the version page, request Staging and, once an officer approved it, Production.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OwnerJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_owner_registers_a_model_and_version_fills_the_card_and_takes_it_through_the_gates_to_production()
    {
        var key = $"journey-{Guid.NewGuid():N}"[..16];
        var versionPath = $"/models/{key}/versions/1.0.0";
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner@demo.test");

        // Register the model through the form.
        await owner.GotoAsync("/models/new");
        await owner.WaitForCircuitAsync();
        await FillAsync(owner, "#model-key", key);
        await FillAsync(owner, "#model-name", "Savings goal forecast");
        await FillAsync(owner, "#model-description", "Forecasts whether a customer reaches a savings goal on time.");
        await ChooseAsync(owner, "[data-testid=model-risk]", "Limited");
        await FillAsync(owner, "#model-use-case", "Savings coaching");
        await FillAsync(owner, "#model-tags", "savings, retail");
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-register-model");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=register]"), url => url.EndsWith($"/models/{key}"));
        await Assertions.Expect(owner.Page.Locator(".mud-snackbar").First).ToContainTextAsync("registered. Register its first version next.");
        await Assertions.Expect(owner.Page.Locator("dd[data-testid=owner]")).ToHaveTextAsync("owner@demo.test");
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-model-registered");

        // Register its first version.
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=register-version]"), url => url.EndsWith($"/models/{key}/versions/new"));
        await FillAsync(owner, "#version-number", "1.0.0");
        await ChooseAsync(owner, "[data-testid=version-kind]", "Improved model (MINOR)");
        await FillAsync(owner, "#version-reason", "First release, trained on two years of savings accounts.");
        await FillAsync(owner, "#version-uri", $"s3://ml-artifacts/{key}/1.0.0/model.tar.gz");
        await FillAsync(owner, "#version-sha", new string('e', 64));
        await FillAsync(owner, "#version-repo", "https://git.example.com/ml/savings-goal");
        await FillAsync(owner, "#version-metrics", "auc, 0.83, holdout-2026q3, overall, 0.75, higher");
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-register-version");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=register]"), url => url.EndsWith($"{versionPath}?tab=card"));
        // The model's snackbar may still be showing: look for this one among them.
        await Assertions.Expect(owner.Page.Locator(".mud-snackbar", new() { HasText = "Version 1.0.0 registered in Development" })).ToHaveCountAsync(1);

        // Fill every card section, following the offer of the next one, and come back to the card on the version page.
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=edit-card]"), url => url.EndsWith($"{versionPath}/card"));
        foreach (var info in ModelCardSections.All)
        {
            await Assertions.Expect(owner.Page.Locator("#section-heading")).ToHaveTextAsync(info.Title);
            await CardEditorJourneyTests.FillAsync(owner, info);
            await owner.Page.GetByRole(AriaRole.Button, new() { Name = "Save section" }).ClickAsync();
            await Assertions.Expect(owner.Page.Locator("[data-testid=saved]")).ToContainTextAsync($"{info.Title} saved as revision");
            var next = ModelCardSections.Next(info.Section);
            await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=next-section]"),
                url => next is { } n ? url.EndsWith($"section={n}", StringComparison.Ordinal) : url.EndsWith($"{versionPath}?tab=card", StringComparison.Ordinal));
        }
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-version-card-filled");

        // The gates on the version page, then the request to Staging.
        await owner.Page.GetByRole(AriaRole.Tab, new() { Name = "Gates and approvals" }).ClickAsync();
        await owner.Page.WaitForURLAsync(url => url.EndsWith($"{versionPath}?tab=gates"));
        var staging = owner.Page.Locator("[data-testid=gates-Staging]");
        await Assertions.Expect(staging.Locator("li.gate-block")).ToHaveCountAsync(0);
        Assert.True(await staging.Locator("li.gate-pass").CountAsync() > 0);
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-version-gates");
        var stagingRequest = await RequestAsync(owner, versionPath, "Staging");
        await ApproveAsync(stagingRequest, "compliance@demo.test");

        // In Staging now, the gates to Production, and the request.
        await owner.GotoAsync($"{versionPath}?tab=gates");
        await owner.WaitForCircuitAsync();
        await Assertions.Expect(owner.Page.Locator("dl.facts").First).ToContainTextAsync("Staging");
        await Assertions.Expect(owner.Page.Locator("[data-testid=gates-Production] li.gate-block")).ToHaveCountAsync(0);
        Assert.Contains("Approved", await owner.Page.Locator("[data-testid=version-request]").First.InnerTextAsync());
        await owner.ScreenshotAsync("owner-version-gates-to-production");
        var productionRequest = await RequestAsync(owner, versionPath, "Production");
        await ApproveAsync(productionRequest, "compliance2@demo.test");

        await owner.GotoAsync($"{versionPath}?tab=history");
        await owner.WaitForCircuitAsync();
        await Assertions.Expect(owner.Page.Locator("dl.facts").First).ToContainTextAsync("Production");
        var history = await owner.Page.Locator("[data-testid=stage-change]").AllInnerTextsAsync();
        Assert.Equal(3, history.Count);
        Assert.Contains("compliance2@demo.test", history[2]);
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("owner-version-in-production");
        Assert.True(owner.Problems.Count == 0, string.Join(Environment.NewLine, owner.Problems));
    }

    /// <summary>From the gates tab: the request link, a justification, submit; returns the request page's address.</summary>
    private static async Task<string> RequestAsync(BrowserSession owner, string versionPath, string stage)
    {
        await owner.ClickToInteractiveAsync(owner.Page.Locator($"[data-testid=request-{stage}]"), url => url.EndsWith($"{versionPath}/promote?target={stage}"));
        await owner.Page.Locator("#justification").FillAsync($"Backtests on the last four quarters support {stage}.");
        await owner.Page.Keyboard.PressAsync("Tab");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=submit-request]"), url => url.Contains("/approvals/"));
        await Assertions.Expect(owner.Page.Locator(".mud-snackbar", new() { HasText = $"Promotion to {stage} requested" })).ToHaveCountAsync(1);
        return owner.Page.Url;
    }

    /// <summary>Another persona, in a browser of their own, approves the request on its page.</summary>
    private async Task ApproveAsync(string request, string officer)
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync(officer);
        await session.Page.GotoAsync(request);
        await session.WaitForCircuitAsync();
        await session.Page.Locator("#comment").FillAsync($"Evidence reviewed by {officer}.");
        await session.Page.Locator("[data-testid=approve]").ClickAsync();
        await session.Page.Locator("[data-testid=confirm-ok]").ClickAsync();
        await session.Page.Locator("[data-testid=request-state]", new() { HasText = "Approved" }).WaitForAsync();
        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }

    /// <summary>Types into a text field and leaves it, so that MudBlazor hands the value to the circuit.</summary>
    private static async Task FillAsync(BrowserSession session, string selector, string text)
    {
        await session.Page.Locator(selector).FillAsync(text);
        await session.Page.Keyboard.PressAsync("Tab");
    }

    /// <summary>Opens a MudSelect and picks the option with that text.</summary>
    private static async Task ChooseAsync(BrowserSession session, string field, string option)
    {
        await session.Page.Locator($"{field} .mud-select .mud-input-control").First.ClickAsync();
        await session.Page.Locator(".mud-popover-open .mud-list-item").GetByText(option, new() { Exact = true }).ClickAsync();
        await Assertions.Expect(session.Page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
    }
}
