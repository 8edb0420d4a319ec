using Bunit;
using GovernancePortal.Approvals;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Catalogue;

/// <summary>"Production now" over the demo database: each production version with its approval, card and thresholds, read through <see cref="ProductionNow"/>.</summary>
public sealed class ProductionNowPageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_production_version_is_listed_with_its_links_approval_and_thresholds()
    {
        SignIn("viewer@demo.test");
        var inProduction = await DbAsync(db => db.ModelVersions.Include(v => v.Model).Where(v => v.Stage == Stage.Production)
            .Select(v => new { v.Model.Key, v.Model.Name }).ToListAsync());
        Assert.NotEmpty(inProduction);

        var page = Render<ProductionNowPage>(uri: "http://localhost/production");

        await page.WaitForAssertionAsync(() => Assert.Equal(inProduction.Count, page.FindAll("[data-testid=production-table] tbody tr").Count), Patience);
        var rows = page.FindAll("[data-testid=production-table] tbody tr");
        foreach (var version in inProduction)
        {
            Assert.Contains(rows, r => r.QuerySelector($"a[href='/models/{version.Key}']")?.TextContent.Trim() == version.Name);
        }
        Assert.All(rows, r => Assert.NotNull(r.QuerySelector("a[href*='/versions/']")));
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", r.QuerySelector("[data-testid=approved] time")!.GetAttribute("datetime")));
        Assert.Contains(rows, r => r.QuerySelector("[data-testid=approved] a[href^='/approvals/']") is not null);
        Assert.All(rows, r => Assert.Matches(@"no thresholds|\d+ pass|\d+ of \d+ fail", r.QuerySelector("[data-testid=thresholds]")!.TextContent));
        Assert.NotNull(page.Find("[data-testid=as-of-link]"));
    }
}

/// <summary>"Production now" with nothing in production (its own database: the versions are moved back).</summary>
public sealed class ProductionNowEmptyPageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Nothing_in_production_says_so()
    {
        SignIn("viewer@demo.test");
        await DbAsync(async db =>
        {
            foreach (var version in await db.ModelVersions.Where(v => v.Stage == Stage.Production).ToListAsync())
            {
                version.Stage = Stage.Staging;
                db.Audit.Record("test.version-moved-back", version);
            }
            return await db.SaveChangesAsync();
        });

        var page = Render<ProductionNowPage>(uri: "http://localhost/production");

        await page.WaitForAssertionAsync(() => Assert.Contains("Nothing is in production", page.Markup), Patience);
        Assert.Empty(page.FindAll("[data-testid=production-table]"));
    }
}
