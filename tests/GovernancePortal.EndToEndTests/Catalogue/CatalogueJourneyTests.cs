using GovernancePortal.Testing;
using Microsoft.Playwright;

namespace GovernancePortal.Catalogue;

/// <summary>A stakeholder's look at what runs and what is registered: "Production now", then the catalogue filtered and sorted, kept across reload and Back.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CatalogueJourneyTests(BrowserFixture browser)
{
    private static Task<IReadOnlyList<string>> NamesAsync(BrowserSession session) =>
        session.Page.Locator("[data-testid=catalogue] [data-testid=model-link]").AllInnerTextsAsync();

    /// <summary>Waits until the grid has loaded rows and shows what <paramref name="settled"/> (a script over the names) expects.</summary>
    private static async Task<IReadOnlyList<string>> SettledAsync(BrowserSession session, string settled, object? argument = null)
    {
        await session.Page.WaitForFunctionAsync($$"""
            arg => {
                const names = [...document.querySelectorAll('[data-testid=catalogue] [data-testid=model-link]')].map(a => a.innerText);
                return !document.querySelector('[data-testid=catalogue-loading], [data-testid=catalogue] .mud-table-loading') && names.length > 0 && ({{settled}});
            }
            """, argument);
        return await NamesAsync(session);
    }

    /// <summary>Waits until the grid shows rows for the address it is at (it loads after the circuit starts).</summary>
    private static async Task<IReadOnlyList<string>> ShownAsync(BrowserSession session)
    {
        await session.WaitForCircuitAsync();
        await session.Page.Locator("[data-testid=catalogue] [data-testid=model-link]").First.WaitForAsync();
        return await NamesAsync(session);
    }

    [Fact]
    public async Task A_stakeholder_goes_from_production_now_to_the_catalogue_filtered_and_sorted_and_the_address_keeps_it()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("viewer@demo.test");
        await session.GotoAsync("/production");
        await session.WaitForCircuitAsync();
        Assert.True(await session.Page.Locator("[data-testid=production-table] tbody tr").CountAsync() > 0);
        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("catalogue-production-now");
        Assert.True(await session.Page.EvaluateAsync<bool>("() => { const t = document.querySelector('[data-testid=production-table] .mud-table-container'); return t.scrollWidth <= t.clientWidth; }"),
            "At 1280 px every column of Production now fits without scrolling sideways.");

        // High risk only, through the filter.
        await session.ClickToInteractiveAsync(session.Page.Locator("nav.app-nav").GetByRole(AriaRole.Link, new() { Name = "Models", Exact = true }),
            url => url == browser.BaseUrl + "/models");
        var all = await ShownAsync(session);
        await session.ScreenshotAsync("catalogue-1280px");
        var overflow = await session.Page.EvaluateAsync<string?>("""
            () => { const t = document.querySelector('[data-testid=catalogue] .mud-table-container');
                    return t.scrollWidth <= t.clientWidth ? null
                      : `${t.scrollWidth} px of columns in ${t.clientWidth} px: ` + [...t.querySelectorAll('thead th')].map(h => `${h.textContent.trim()} ${Math.round(h.getBoundingClientRect().width)}`).join(', '); }
            """);
        Assert.True(overflow is null, $"At 1280 px every column of the catalogue fits without scrolling sideways; {overflow}");
        await session.Page.Locator("[data-testid=filter-risk]").ClickAsync();
        await session.Page.GetByRole(AriaRole.Option, new() { Name = "High", Exact = true }).ClickAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + "/models?risk=High");
        var high = await SettledAsync(session, "names.length < arg", all.Count);
        Assert.NotEmpty(high);
        Assert.Equal(high.Order(StringComparer.CurrentCulture), high);

        // Sorted by name, descending, from the column header.
        await session.Page.GetByRole(AriaRole.Columnheader, new() { Name = "Model" }).Locator(".sortable-column-header").ClickAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + "/models?risk=High&sort=name&dir=desc");
        Assert.Equal(high.Reverse(), await SettledAsync(session, "names[0] !== arg", high[0]));
        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("catalogue-high-risk-descending");

        // A reload shows the same rows, the filter still chosen.
        await session.Page.ReloadAsync();
        Assert.Equal(high.Reverse(), await ShownAsync(session));
        Assert.Contains("High", await session.Page.Locator("[data-testid=filter-risk]").InnerTextAsync());

        // Back returns to the ascending list, then to everything.
        await session.Page.GoBackAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + "/models?risk=High");
        Assert.Equal(high, await SettledAsync(session, "names[0] === arg", high[0]));
        await session.Page.GoBackAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + "/models");
        Assert.Equal(all, await SettledAsync(session, "names.length === arg", all.Count));

        // A row opens its model.
        var first = session.Page.Locator("[data-testid=catalogue] [data-testid=model-link]").First;
        var href = await first.GetAttributeAsync("href");
        await first.ClickAsync();
        await session.Page.WaitForURLAsync(browser.BaseUrl + href);
        await session.Page.Locator("h1").First.WaitForAsync();
        Assert.Empty(session.Problems);
    }

    [Fact]
    public async Task At_360_px_the_card_completeness_and_thresholds_of_a_production_row_do_not_overlap()
    {
        await using var session = await browser.NewSessionAsync(width: 360, height: 780);
        await session.SignInAsync("viewer@demo.test");
        await session.GotoAsync("/production");
        await session.WaitForCircuitAsync();

        // Every row's "Card completeness" and "Thresholds" cells (and their labels) are boxes that share no area.
        var overlaps = await session.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=production-table] tbody tr')].flatMap((tr, i) => {
                const card = tr.querySelector('[data-testid=completeness]').getBoundingClientRect();
                const thresholds = tr.querySelector('[data-testid=thresholds]').getBoundingClientRect();
                const apart = card.bottom <= thresholds.top + 0.5 || thresholds.bottom <= card.top + 0.5
                    || card.right <= thresholds.left + 0.5 || thresholds.right <= card.left + 0.5;
                return apart && card.height > 0 && thresholds.height > 0 ? [] : [`row ${i}: card ${JSON.stringify(card)} thresholds ${JSON.stringify(thresholds)}`];
            })
            """);
        var labels = await session.Page.Locator("[data-testid=production-table] td[data-label='Card completeness']").CountAsync();

        await session.ScreenshotAsync("catalogue-production-now-360px");
        await session.Page.Locator("[data-testid=production-table] tbody tr").First.ScreenshotAsync(new()
        {
            Path = Path.Combine(RepositoryPaths.Artifacts("screenshots"), "catalogue-production-now-360px-first-row.png"),
        });
        Assert.True(labels > 0);
        Assert.True(overlaps.Length == 0, string.Join(Environment.NewLine, overlaps));
        Assert.True(await session.Page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360);
        await session.CheckAccessibilityAsync();

        await session.GotoAsync("/models");
        await ShownAsync(session);
        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("catalogue-360px");
        Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
    }
}
