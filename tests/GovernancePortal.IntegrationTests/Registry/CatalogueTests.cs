using GovernancePortal.Testing;

namespace GovernancePortal.Registry;

public abstract class CatalogueTests(PortalFactory portal)
{
    private static IEnumerable<string> ModelNames(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll("table.data-table tbody td:first-child a").Select(a => a.TextContent);

    [Fact]
    public async Task The_catalogue_lists_the_demo_portfolio_sorted_by_name()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models");

        var names = ModelNames(page).ToList();
        Assert.Equal(12, names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal("Showing 1–12 of 12", page.QuerySelector("[data-testid=pager-summary]")!.TextContent.Trim());
    }

    [Fact]
    public async Task Filters_and_sort_live_in_the_url()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models?risk=High&data=ProtectedHealthInformation&sort=name&dir=desc");

        Assert.Equal(["Sepsis early warning", "Chest X-ray triage", "30-day readmission risk"], ModelNames(page));
        Assert.Equal("descending", page.QuerySelector("th[aria-sort=descending]") is { } th ? th.GetAttribute("aria-sort") : null);
        Assert.Equal("High", page.QuerySelector("#risk option[selected]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Search_matches_name_key_description_and_tags()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        Assert.Equal(["Card fraud (real time)"], ModelNames(await client.GetDocumentAsync("/models?q=FRAUD-card")));
        Assert.Equal(["Store demand forecast"], ModelNames(await client.GetDocumentAsync("/models?q=supply-chain")));
        Assert.Empty(ModelNames(await client.GetDocumentAsync("/models?q=%3Cscript%3Ealert(1)%3C/script%3E")));
    }

    [Fact]
    public async Task Unknown_filter_values_are_ignored_rather_than_failing()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models?risk=Extreme&stage=42&sort=drop%20table&page=-3");

        Assert.Equal(12, ModelNames(page).Count());
    }

    [Fact]
    public async Task A_model_page_lists_its_versions_newest_first()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models/credit-default-pd");

        Assert.Equal(["2.0.0", "1.2.0", "1.1.0", "1.0.0"], page.QuerySelectorAll("#versions-heading ~ .table-wrap tbody td:first-child").Select(td => td.TextContent));
    }
}

public sealed class CatalogueTestsOnSqlite(SqlitePortal portal) : CatalogueTests(portal), IClassFixture<SqlitePortal>;

public sealed class CatalogueTestsOnPostgreSql(PostgreSqlPortal portal) : CatalogueTests(portal), IClassFixture<PostgreSqlPortal>;
