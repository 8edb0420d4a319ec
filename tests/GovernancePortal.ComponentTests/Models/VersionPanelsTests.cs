using Bunit;
using GovernancePortal.Registry;

namespace GovernancePortal.Models;

/// <summary>The version panels the version page and the promotion request page share.</summary>
public sealed class VersionPanelsTests : BunitTest
{
    private static ModelVersion Version(int minor, Stage stage, string? parent = null, string? runUrl = null) => new()
    {
        ModelId = Guid.Empty, Major = 1, Minor = minor, ChangeReason = "Retrained.", ArtifactUri = "s3://a/model.tar.gz", ArtifactSha256 = new string('a', 64),
        RegisteredBy = "owner@demo.test", Stage = stage, CodeRepository = "https://git.example.test/risk/pd", CodeCommit = "4f1c2e9",
        DataSnapshotId = "loans-2026-10", PipelineRunId = "run-88", PipelineRunUrl = runUrl, ParentVersion = parent,
    };

    [Fact]
    public void Metrics_sit_beside_production_with_change_trend_and_threshold()
    {
        var candidate = Version(2, Stage.Staging);
        var production = Version(1, Stage.Production);
        var rows = MetricComparison.Compare(
            [new("auc", "holdout", "overall", 0.84, 0.75, true), new("ece", "holdout", "overall", 0.07, 0.06, false), new("recall", "holdout", "overall", 0.5, null, true)],
            [new("auc", "holdout", "overall", 0.81, 0.75, true), new("ece", "holdout", "overall", 0.05, 0.06, false)]);

        var page = Render<MetricsPanel>(new() { ["Key"] = "pd", ["Version"] = candidate, ["Production"] = production, ["Rows"] = rows });

        Assert.Equal("/models/pd/versions/1.1.0", page.Find("[data-testid=metrics] p a").GetAttribute("href"));
        var cells = page.FindAll("tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["0.84", "0.81"], cells[0][3..5]);
        Assert.NotEmpty(page.FindAll("tbody tr:nth-child(1) .trend-better"));
        Assert.StartsWith("+0.03", cells[0][5], StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("tbody tr:nth-child(2) .trend-worse"));
        Assert.Contains("Fail", cells[1][6], StringComparison.Ordinal);
        Assert.Equal(["–", "–", "none"], new[] { cells[2][4], cells[2][5], cells[2][6] });
    }

    [Fact]
    public void The_version_in_production_is_compared_with_nothing_and_says_so()
    {
        var production = Version(1, Stage.Production);
        var page = Render<MetricsPanel>(new() { ["Key"] = "pd", ["Version"] = production, ["Production"] = production, ["Rows"] = Array.Empty<MetricComparisonRow>() });

        Assert.Contains("This is the version in production now.", page.Markup, StringComparison.Ordinal);
        Assert.Contains("No metrics recorded", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Lineage_links_parent_and_derived_versions_and_only_http_run_urls()
    {
        var page = Render<LineagePanel>(new()
        {
            ["Key"] = "pd", ["Version"] = Version(2, Stage.Staging, parent: "1.1.0", runUrl: "javascript:alert(1)"), ["Derived"] = new[] { "1.3.0" },
        });

        Assert.Equal("/models/pd/versions/1.1.0", page.Find("[data-testid=parent-version]").GetAttribute("href"));
        Assert.Equal("/models/pd/versions/1.3.0", page.Find("[data-testid=derived-versions] a").GetAttribute("href"));
        Assert.Contains("4f1c2e9", page.Find("[data-testid=lineage]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(page.FindAll("a"), a => a.GetAttribute("href")!.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("run-88", page.Find("[data-testid=lineage]").TextContent, StringComparison.Ordinal);
    }
}
