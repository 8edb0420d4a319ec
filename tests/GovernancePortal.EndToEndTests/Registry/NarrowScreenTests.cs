namespace GovernancePortal.Registry;

[Collection(BrowserCollection.Name)]
public sealed class NarrowScreenTests(BrowserFixture browser)
{
    /// <summary>At 360 px a table row becomes a stack of labelled cells; each label must stay inside its own cell.</summary>
    [Fact]
    public async Task At_360_px_each_cell_label_of_the_production_table_stays_in_its_cell()
    {
        await using var session = await browser.NewSessionAsync(width: 360, height: 780);
        await session.SignInAsync("viewer@demo.test");
        await session.GotoAsync("/production");

        var overlaps = await session.Page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=production-table] td[data-label]')].flatMap(td => {
                const cell = td.getBoundingClientRect();
                const label = getComputedStyle(td, '::before');
                const bottom = cell.top + parseFloat(getComputedStyle(td).paddingTop) + parseFloat(label.height);
                return bottom > cell.bottom + 0.5 ? [`${td.dataset.label}: label ends at ${bottom}, its cell at ${cell.bottom}`] : [];
            })
            """);

        await session.ScreenshotAsync("production-360px");
        Assert.NotEmpty(await session.Page.Locator("[data-testid=production-table] td[data-label='Card completeness']").AllAsync());
        Assert.Empty(overlaps);
        Assert.Empty(session.Problems);
    }
}
