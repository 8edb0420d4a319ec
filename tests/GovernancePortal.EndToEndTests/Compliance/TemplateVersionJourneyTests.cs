using GovernancePortal.Identity;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Compliance;

[Collection(BrowserCollection.Name)]
public sealed class TemplateVersionJourneyTests(BrowserFixture browser)
{
    private const string Item = "nist-ai-rmf-govern-1-6-inventory";

    [Fact]
    public async Task An_officer_publishes_a_template_version_and_the_owner_upgrades_an_assessment_to_it()
    {
        // The owner's assessment of NIST AI RMF version 1 for the store forecast, two items answered.
        await using (var scope = browser.Portal.Services.CreateAsyncScope())
        {
            var checklists = scope.ServiceProvider.GetRequiredService<ChecklistCommands>();
            var owner2 = new Caller("owner2@demo.test", [Roles.ModelOwner], "Clinical AI");
            Assert.Null((await checklists.AnswerAsync(owner2, "demand-forecast-stores", "4.0.0", "nist-ai-rmf", Item, AnswerValue.No, "Inventory entry pending.", null)).Failure);
            Assert.Null((await checklists.AnswerAsync(owner2, "demand-forecast-stores", "4.0.0", "nist-ai-rmf", "nist-ai-rmf-govern-1-1-legal-requirements",
                AnswerValue.No, "No legal review yet.", null)).Failure);
        }

        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.GotoAsync("/compliance/templates");
        await officer.WaitForCircuitAsync();
        await officer.CheckAccessibilityAsync();
        await officer.ScreenshotAsync("templates-list");
        await officer.GotoAsync("/compliance/templates/nist-ai-rmf");
        await officer.WaitForCircuitAsync();
        await officer.CheckAccessibilityAsync();
        await officer.GotoAsync($"/compliance/templates/nist-ai-rmf/edit?item={Item}");
        await officer.WaitForCircuitAsync();
        await officer.CheckAccessibilityAsync();

        // A rule that does not parse is a form error beside its field.
        await officer.Page.Locator("[data-testid=item-text] input").FillAsync("Inventory the AI system with its owner, purpose and status");
        await officer.Page.Locator("[data-testid=item-applies-when] input").FillAsync("risk is Medium");
        await officer.Page.Locator("[data-testid=change-note] textarea").FillAsync("The inventory names owner, purpose and status (GOVERN 1.6).");
        await officer.Page.Locator("[data-testid=publish]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await officer.Page.Locator("[data-testid=item-applies-when] .mud-input-helper-text.mud-input-error", new() { HasTextString = "expected a risk tier" }).WaitForAsync();
        await officer.ScreenshotAsync("template-item-rule-error");

        await officer.Page.Locator("[data-testid=item-applies-when] input").FillAsync("");
        await officer.Page.Locator("[data-testid=publish]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await officer.Page.WaitForURLAsync(url => url.EndsWith("/compliance/templates/nist-ai-rmf?version=2"));
        await officer.Page.Locator(".mud-snackbar", new() { HasTextString = "Published" }).WaitForAsync();
        await officer.Page.Locator($"[data-testid=diff-{Item}]", new() { HasTextString = "text" }).WaitForAsync();
        await officer.ScreenshotAsync("template-version-diff");
        Assert.True(officer.Problems.Count == 0, string.Join(Environment.NewLine, officer.Problems));

        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner2@demo.test");
        // The assessment page says a newer version is out and links to the upgrade.
        await owner.GotoAsync("/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf");
        await owner.WaitForCircuitAsync();
        Assert.Contains("version 2 is out", await owner.Page.Locator("[data-testid=upgrade-available]").InnerTextAsync());
        Assert.Equal("/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf/upgrade",
            await owner.Page.Locator("[data-testid=upgrade-link]").GetAttributeAsync("href"));
        await owner.Page.Locator("[data-testid=upgrade-available]").ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts("screenshots"), "assessment-upgrade-available.png") });
        await owner.GotoAsync("/models/demand-forecast-stores/compliance");
        await owner.WaitForCircuitAsync();
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("compliance-matrix");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid='upgrade-4.0.0-nist-ai-rmf']"), url => url.EndsWith("/upgrade"));
        await owner.Page.Locator("[data-testid=plan-confirm]").WaitForAsync();
        await owner.CheckAccessibilityAsync();
        Assert.Contains(Item, await owner.Page.Locator("[data-testid=plan-confirm]").InnerTextAsync());
        Assert.Contains("nist-ai-rmf-govern-1-1-legal-requirements", await owner.Page.Locator("[data-testid=plan-keep]").InnerTextAsync());
        await owner.ScreenshotAsync("assessment-upgrade-plan");
        await owner.Page.Locator("[data-testid=upgrade]").ClickAsync();
        await owner.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await owner.Page.WaitForURLAsync(url => url.EndsWith("/compliance/nist-ai-rmf"));
        await owner.Page.Locator(".mud-snackbar", new() { HasTextString = "Upgraded to" }).WaitForAsync();
        await owner.Page.Locator("[data-testid=assessment-status]").WaitForAsync();
        Assert.Equal(0, await owner.Page.Locator("[data-testid=upgrade-available]").CountAsync());

        await owner.GotoAsync("/models/demand-forecast-stores/compliance");
        await owner.WaitForCircuitAsync();
        Assert.Contains("v2", await owner.Page.Locator("[data-testid='cell-4.0.0-nist-ai-rmf']").InnerTextAsync());
        await owner.GotoAsync("/compliance");
        await owner.WaitForCircuitAsync();
        await owner.CheckAccessibilityAsync();
        await owner.ScreenshotAsync("compliance-overview");
        Assert.True(owner.Problems.Count == 0, string.Join(Environment.NewLine, owner.Problems));
    }
}
