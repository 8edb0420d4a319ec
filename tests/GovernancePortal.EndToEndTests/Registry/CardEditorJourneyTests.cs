namespace GovernancePortal.Registry;

[Collection(BrowserCollection.Name)]
public sealed class CardEditorJourneyTests(BrowserFixture browser)
{
    private const string VersionPath = "/models/mortgage-affordability/versions/0.9.0";

    [Fact]
    public async Task An_owner_fills_every_card_section_in_turn_by_following_the_offer_of_the_next_one()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("owner@demo.test");
        await session.GotoAsync($"{VersionPath}/card?section={ModelCardSections.All[0].Section}");

        foreach (var info in ModelCardSections.All)
        {
            Assert.Equal(info.Title, await session.Page.Locator("#section-heading").InnerTextAsync());
            await FillAsync(session, info);
            await session.ClickAndWaitAsync(session.Page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Save section" }),
                url => url.Contains($"section={info.Section}", StringComparison.Ordinal));
            Assert.Contains($"{info.Title} saved as revision", await session.Page.Locator("[data-testid=status-message]").InnerTextAsync());
            if (info.Section == ModelCardSection.EthicalConsiderations)
            {
                await session.ScreenshotAsync("card-editor-saved-ethical-considerations");
            }
            var next = ModelCardSections.Next(info.Section);
            await session.ClickAndWaitAsync(session.Page.Locator("[data-testid=next-section]"),
                url => next is { } n ? url.EndsWith($"section={n}", StringComparison.Ordinal) : url.EndsWith(VersionPath, StringComparison.Ordinal));
        }

        var card = await session.Page.Locator("[data-testid=model-card]").InnerTextAsync();
        Assert.Contains("Applicants with irregular income may be under-assessed.", card);
        Assert.Contains("mortgage-analytics@demo.test", card);
        Assert.Contains("The Fairness and bias analysis of the affordability model", card);
        Assert.Empty(session.Problems);
    }

    private static async Task FillAsync(BrowserSession session, ModelCardSectionInfo info)
    {
        var page = session.Page;
        switch (info.Kind)
        {
            case ModelCardSectionKind.RiskList:
                await page.Locator("#risk-0").FillAsync("Applicants with irregular income may be under-assessed.");
                await page.Locator("#mitigation-0").FillAsync("Underwriters review every refusal for self-employed applicants.");
                break;
            case ModelCardSectionKind.ContactList:
                await page.Locator("#contact-name-0").FillAsync("Mortgage analytics");
                await page.Locator("#contact-email-0").FillAsync("mortgage-analytics@demo.test");
                await page.Locator("#contact-role-0").FillAsync("Owner");
                break;
            case ModelCardSectionKind.PlainText:
                await page.Locator("[data-testid=section-text]").FillAsync("proprietary");
                break;
            default:
                await page.Locator("[data-testid=section-text]").FillAsync($"The {info.Title} of the affordability model, as its owner describes it.");
                break;
        }
    }
}
