using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GovernancePortal.Identity;
using Microsoft.Playwright;

namespace GovernancePortal.Registry;

[Collection(BrowserCollection.Name)]
public sealed class CardEditorJourneyTests(BrowserFixture browser)
{
    /// <summary>A model of owner@demo.test's team with one version and no card, registered by a pipeline under a key of its own.</summary>
    private async Task<string> RegisterAsync()
    {
        var key = $"card-journey-{Guid.NewGuid():N}"[..24];
        var secret = (await Testing.TestApiKeys.IssueAsync(browser.Portal, "owner@demo.test", $"e2e-{key}")).Secret;
        using var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, secret);
        foreach (var (path, body) in new[]
        {
            ("/api/v1/models", new JsonObject
            {
                ["key"] = key, ["name"] = "Mortgage affordability (journey)", ["owner"] = "owner@demo.test", ["team"] = "Credit Risk Analytics",
                ["riskTier"] = "limited", ["description"] = "Estimates what an applicant can afford to repay.",
            }),
            ($"/api/v1/models/{key}/versions", new JsonObject
            {
                ["version"] = "0.9.0", ["changeKind"] = "improvedModel", ["changeReason"] = "First candidate.", ["artifactUri"] = $"s3://ml/{key}/0.9.0",
                ["artifactSha256"] = new string('b', 64),
            }),
        })
        {
            var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return key;
    }

    [Fact]
    public async Task An_owner_fills_every_card_section_in_turn_by_following_the_offer_of_the_next_one()
    {
        var versionPath = $"/models/{await RegisterAsync()}/versions/0.9.0";
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("owner@demo.test");
        await session.GotoAsync($"{versionPath}/card?section={ModelCardSections.All[0].Section}");
        await session.WaitForCircuitAsync();
        await session.CheckAccessibilityAsync();

        foreach (var info in ModelCardSections.All)
        {
            Assert.Equal(info.Title, await session.Page.Locator("#section-heading").InnerTextAsync());
            await FillAsync(session, info);
            await session.Page.GetByRole(AriaRole.Button, new() { Name = "Save section" }).ClickAsync();
            await Assertions.Expect(session.Page.Locator("[data-testid=saved]")).ToContainTextAsync($"{info.Title} saved as revision");
            if (info.Section == ModelCardSection.EthicalConsiderations)
            {
                await session.CheckAccessibilityAsync();
                await session.ScreenshotAsync("card-editor-saved-ethical-considerations");
            }
            var next = ModelCardSections.Next(info.Section);
            if (next is null)
            {
                await session.ClickToInteractiveAsync(session.Page.Locator("[data-testid=next-section]"), url => url.EndsWith(versionPath + "?tab=card", StringComparison.Ordinal));
                break;
            }
            await session.ClickToInteractiveAsync(session.Page.Locator("[data-testid=next-section]"), url => url.EndsWith($"section={next}", StringComparison.Ordinal));
            if (next is { } following)
            {
                await Assertions.Expect(session.Page.Locator("#section-heading")).ToHaveTextAsync(following.Title());
            }
        }

        var card = session.Page.Locator("[data-testid=model-card]");
        await card.WaitForAsync();
        await session.ScreenshotAsync("card-editor-back-on-the-version");
        await Assertions.Expect(card).ToContainTextAsync("Applicants with irregular income may be under-assessed.");
        await Assertions.Expect(card).ToContainTextAsync("mortgage-analytics@demo.test");
        await Assertions.Expect(card).ToContainTextAsync("The Fairness and bias analysis of the affordability model");
        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }

    [Fact]
    public async Task At_360_px_the_editor_shows_the_section_and_its_form()
    {
        var versionPath = $"/models/{await RegisterAsync()}/versions/0.9.0";
        await using var session = await browser.NewSessionAsync(width: 360, height: 780);
        await session.SignInAsync("owner@demo.test");
        await session.GotoAsync($"{versionPath}/card?section=Contacts");
        await session.WaitForCircuitAsync();

        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("card-editor-360px");
        var width = await session.Page.EvaluateAsync<double>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 360, $"the page is {width} px wide at 360 px");
        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }

    internal static async Task FillAsync(BrowserSession session, ModelCardSectionInfo info)
    {
        var page = session.Page;
        switch (info.Kind)
        {
            case ModelCardSectionKind.RiskList:
                await page.Locator("[data-testid=risk-0-risk] textarea").FillAsync("Applicants with irregular income may be under-assessed.");
                await page.Locator("[data-testid=risk-0-mitigation] textarea").FillAsync("Underwriters review every refusal for self-employed applicants.");
                break;
            case ModelCardSectionKind.ContactList:
                await page.Locator("[data-testid=contact-0-name] input").FillAsync("Mortgage analytics");
                await page.Locator("[data-testid=contact-0-email] input").FillAsync("mortgage-analytics@demo.test");
                await page.Locator("[data-testid=contact-0-role] input").FillAsync("Owner");
                break;
            case ModelCardSectionKind.PlainText:
                await page.Locator("[data-testid=section-text] input, [data-testid=section-text] textarea").First.FillAsync("proprietary");
                break;
            default:
                await page.Locator("[data-testid=section-text] textarea").First.FillAsync($"The {info.Title} of the affordability model, as its owner describes it.");
                break;
        }
        // MudBlazor takes a text field's value on change: leave the field so the value reaches the circuit before saving.
        await page.Keyboard.PressAsync("Tab");
    }
}
