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
            var checklists = scope.ServiceProvider.GetRequiredService<ChecklistService>();
            var owner2 = new Caller("owner2@demo.test", [Roles.ModelOwner], "Clinical AI");
            Assert.Null((await checklists.AnswerAsync(owner2, "demand-forecast-stores", "4.0.0", "nist-ai-rmf", Item, AnswerValue.No, "Inventory entry pending.", null)).Failure);
            Assert.Null((await checklists.AnswerAsync(owner2, "demand-forecast-stores", "4.0.0", "nist-ai-rmf", "nist-ai-rmf-govern-1-1-legal-requirements",
                AnswerValue.No, "No legal review yet.", null)).Failure);
        }

        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.GotoAsync("/compliance/templates");
        await officer.ScreenshotAsync("templates-list");
        await officer.GotoAsync($"/compliance/templates/nist-ai-rmf/edit?item={Item}");

        // A rule that does not parse is a form error beside its field.
        await officer.Page.Locator("#item-text").FillAsync("Inventory the AI system with its owner, purpose and status");
        await officer.Page.Locator("#item-applies-when").FillAsync("risk is Medium");
        await officer.Page.Locator("#change-note").FillAsync("The inventory names owner, purpose and status (GOVERN 1.6).");
        await officer.Page.Locator("[data-testid=publish]").ClickAsync();
        await officer.Page.WaitForLoadStateAsync();
        Assert.Contains("expected a risk tier", await officer.Page.Locator(".field-invalid .field-error").InnerTextAsync());
        await officer.ScreenshotAsync("template-item-rule-error");

        await officer.Page.Locator("#item-applies-when").FillAsync("");
        await officer.ClickAndWaitAsync(officer.Page.Locator("[data-testid=publish]"), url => url.EndsWith("/compliance/templates/nist-ai-rmf?version=2"));
        Assert.Contains("Published", await officer.Page.Locator("[data-testid=status-message]").InnerTextAsync());
        Assert.Contains("text", await officer.Page.Locator($"[data-testid=diff-{Item}]").InnerTextAsync());
        await officer.ScreenshotAsync("template-version-diff");
        Assert.Empty(officer.Problems);

        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner2@demo.test");
        // The assessment page says a newer version is out and links to the upgrade.
        await owner.GotoAsync("/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf");
        Assert.Contains("version 2 is out", await owner.Page.Locator("[data-testid=upgrade-available]").InnerTextAsync());
        Assert.Equal("/models/demand-forecast-stores/versions/4.0.0/compliance/nist-ai-rmf/upgrade",
            await owner.Page.Locator("[data-testid=upgrade-link]").GetAttributeAsync("href"));
        await owner.Page.Locator("[data-testid=upgrade-available]").ScreenshotAsync(new() { Path = Path.Combine(RepositoryPaths.Artifacts("screenshots"), "assessment-upgrade-available.png") });
        await owner.GotoAsync("/models/demand-forecast-stores/compliance");
        await owner.ScreenshotAsync("compliance-matrix");
        await owner.ClickAndWaitAsync(owner.Page.Locator("[data-testid='upgrade-4.0.0-nist-ai-rmf']"), url => url.EndsWith("/upgrade"));
        Assert.Contains(Item, await owner.Page.Locator("[data-testid=plan-confirm]").InnerTextAsync());
        Assert.Contains("nist-ai-rmf-govern-1-1-legal-requirements", await owner.Page.Locator("[data-testid=plan-keep]").InnerTextAsync());
        await owner.ScreenshotAsync("assessment-upgrade-plan");
        await owner.ClickAndWaitAsync(owner.Page.Locator("[data-testid=upgrade]"), url => url.EndsWith("/compliance/nist-ai-rmf"));
        Assert.Equal(0, await owner.Page.Locator("[data-testid=upgrade-available]").CountAsync());

        await owner.GotoAsync("/models/demand-forecast-stores/compliance");
        Assert.Contains("v2", await owner.Page.Locator("[data-testid='cell-4.0.0-nist-ai-rmf']").InnerTextAsync());
        await owner.GotoAsync("/compliance");
        await owner.ScreenshotAsync("compliance-overview");
    }
}
