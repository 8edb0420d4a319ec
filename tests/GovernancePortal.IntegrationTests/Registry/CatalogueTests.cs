using System.Net;
using GovernancePortal.Testing;

namespace GovernancePortal.Registry;

public abstract class CatalogueTests(PortalFactory portal)
{
    // The catalogue grid itself is tested in bUnit (CataloguePageTests) and in Chromium (CatalogueJourneyTests): it loads in the circuit.

    [Fact]
    public async Task A_model_page_lists_its_versions_newest_first()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models/credit-default-pd?tab=versions");

        Assert.Equal(["2.0.0", "1.2.0", "1.1.0", "1.0.0"], page.QuerySelectorAll("[data-testid=versions] tbody td:first-child").Select(td => td.TextContent.Trim()));
    }

    [Fact]
    public async Task A_version_page_compares_metrics_with_production_and_shows_lineage()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/models/credit-default-pd/versions/2.0.0");

        var metrics = page.QuerySelector("[data-testid=metrics]")!;
        Assert.Contains("1.2.0", metrics.QuerySelector("p")!.TextContent);
        var auc = metrics.QuerySelectorAll("tbody tr").First(r => r.QuerySelector("td")!.TextContent.StartsWith("auc") && r.Children[2].TextContent == "overall");
        Assert.Equal("+0.02", auc.QuerySelector(".trend")!.TextContent);
        Assert.Contains("trend-better", auc.QuerySelector(".trend")!.ClassList);
        Assert.Equal("Pass", auc.QuerySelector(".badge")!.TextContent);
        var lineage = page.QuerySelector("[data-testid=lineage]")!;
        Assert.Equal("1.2.0", lineage.QuerySelector("[data-testid=parent-version]")!.TextContent);
        Assert.Equal("none", lineage.QuerySelector("[data-testid=derived-versions]")!.TextContent.Trim());
        var parent = await client.GetDocumentAsync("/models/credit-default-pd/versions/1.2.0");
        Assert.Equal(["2.0.0"], parent.QuerySelectorAll("[data-testid=derived-versions] a").Select(a => a.TextContent));
    }

    [Fact]
    public async Task Production_now_lists_each_production_version_with_its_owner()
    {
        var client = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var page = await client.GetDocumentAsync("/production");

        var rows = page.QuerySelectorAll("[data-testid=production-table] tbody tr").ToList();
        Assert.Equal(9, rows.Count);
        var sepsis = rows.Single(r => r.TextContent.Contains("Sepsis early warning"));
        Assert.Equal("1.1.0", sepsis.Children[1].TextContent.Trim());
        Assert.Contains("owner2@demo.test", sepsis.Children[3].TextContent);
        Assert.Contains("by compliance@demo.test, compliance2@demo.test (policy v1)", sepsis.QuerySelector("[data-testid=approved]")!.TextContent);
        var churn = rows.Single(r => r.TextContent.Contains("Retail customer churn"));
        Assert.Contains("by compliance@demo.test (policy v1)", churn.QuerySelector("[data-testid=approved]")!.TextContent);
    }

    [Fact]
    public async Task Unknown_models_versions_and_audit_events_get_the_404_page()
    {
        var client = await PortalClient.SignedInAsync(portal, "auditor@demo.test");

        foreach (var (path, heading) in new[]
        {
            ("/models/no-such-model", "Not found"), ("/models/credit-default-pd/versions/9.9.9", "Not found"),
            ("/models/credit-default-pd/versions/not-a-version", "Not found"), ("/audit/events/99999999", "Not found"),
        })
        {
            var response = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(heading, PortalClient.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("h1")!.TextContent);
        }
    }
}

public sealed class CatalogueTestsOnSqlite(SqlitePortal portal) : CatalogueTests(portal), IClassFixture<SqlitePortal>;

public sealed class CatalogueTestsOnPostgreSql(PostgreSqlPortal portal) : CatalogueTests(portal), IClassFixture<PostgreSqlPortal>;
