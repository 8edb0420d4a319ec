using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>The request page holds everything an officer needs to decide, for the request's own version.</summary>
public abstract class PromotionEvidenceTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_request_page_shows_metrics_against_production_checklists_card_lineage_and_stage_history()
    {
        var model = await _world.RegisterModelAsync("evidence-page", RiskTier.Limited, PromotionWorld.Owner2);
        var champion = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        await _world.PromoteAsync(model, champion, Stage.Staging);
        await _world.PromoteAsync(model, champion, Stage.Production);
        const string candidate = "1.1.0";
        var registered = await _world.InScopeAsync(sp => sp.GetRequiredService<RegistryService>().RegisterVersionAsync(model.Owner.Caller, model.Key,
            new RegisterVersionRequest(candidate, ChangeKind.ImprovedModel, "More recent applications.", $"s3://ml-artifacts/{model.Key}/{candidate}/model.tar.gz", RegistryTestData.Sha,
                new LineageRequest("https://git.example.test/risk/evidence-page", "4f1c2e9", "applications-2026-10", "sha256:9d2b", "run-8812", null, champion, null),
                [new("auc", 0.84, "holdout", "overall", 0.75, true), new("expected calibration error", 0.05, "holdout", "overall", 0.06, false)],
                PromotionWorld.Card(CardQuality.Adequate))));
        Assert.Null(registered.Failure);
        await _world.PromoteAsync(model, candidate, Stage.Staging);
        // The policy names HIPAA, which does not apply to a model without PHI: the page says so in the policy and the gates.
        var named = await _world.InScopeAsync(async sp =>
        {
            var store = sp.GetRequiredService<PromotionPolicyStore>();
            var current = (await store.CurrentAsync(Stage.Production, RiskTier.Limited))!;
            return await store.SaveAsync(PromotionWorld.Compliance.Caller, new PolicyEdit(Stage.Production, RiskTier.Limited, current.Version, "Name HIPAA.",
                current.RequiredApprovals, current.MinimumCardCompleteness, current.MetricThresholdsMustPass, current.AllowsSeveralProduction,
                current.RequestExpiry, current.AllowedFromStages, current.RequireApplicableChecklistsSignedOff, ["hipaa"]));
        });
        Assert.Null(named.Failure);
        var requested = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, candidate, Stage.Production));
        Assert.Equal(PromotionRequestState.Pending, requested.Promotion?.State);

        var officer = await PortalClient.SignedInAsync(portal, PromotionWorld.Compliance.Username);
        var page = await officer.GetDocumentAsync($"/approvals/{requested.Promotion!.Id}");

        Assert.NotNull(page.QuerySelector("[data-testid=approve]"));
        Assert.Contains("hipaa signed off where they apply", page.QuerySelector("[data-testid=request-policy]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(page.QuerySelectorAll("[data-testid=gates] li"), g => g.TextContent.Contains("Checklists: HIPAA", StringComparison.Ordinal)
            && g.TextContent.Contains("passed: HIPAA is named by this policy and does not apply to this model.", StringComparison.Ordinal));
        Assert.Contains(page.QuerySelectorAll(".page-header a"), a => a.GetAttribute("href") == $"/models/{model.Key}/versions/{candidate}");

        var metrics = page.QuerySelector("[data-testid=metrics]")!;
        Assert.Equal($"/models/{model.Key}/versions/{champion}", metrics.QuerySelector("p.muted a")!.GetAttribute("href"));
        var rows = metrics.QuerySelectorAll("tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(2, rows.Count);
        var auc = rows.Single(r => r[0].StartsWith("auc", StringComparison.Ordinal));
        Assert.Equal(("0.84", "0.81"), (auc[3], auc[4]));
        Assert.StartsWith("+0.03", auc[5], StringComparison.Ordinal);
        Assert.Contains("Pass", auc[6], StringComparison.Ordinal);
        var calibration = rows.Single(r => r[0].StartsWith("expected calibration error", StringComparison.Ordinal));
        Assert.Equal(("0.05", "0.04"), (calibration[3], calibration[4]));

        // A Limited-risk model: the EU AI Act applies beside the two baselines every model answers.
        foreach (var template in new[] { "eu-ai-act", "nist-ai-rmf", "sr-11-7" })
        {
            var row = page.QuerySelector($"[data-testid=compliance] [data-testid=compliance-{template}]");
            Assert.True(row is not null, $"No checklist row for {template}.");
            Assert.Contains("Not started", row.TextContent, StringComparison.Ordinal);
        }

        var card = page.QuerySelector("[data-testid=model-card]")!;
        Assert.Equal("72", card.QuerySelector("[data-testid=card-completeness]")!.TextContent);
        Assert.Null(card.QuerySelector("[data-testid=edit-card]"));
        var sections = card.QuerySelector("details[data-testid=card-sections]");
        Assert.NotNull(sections);
        Assert.Null(sections.GetAttribute("open"));
        Assert.Equal(ModelCardSections.All.Select(s => s.Title), sections.QuerySelectorAll("h3").Select(h => h.TextContent));
        Assert.Contains(PromotionWorld.Card(CardQuality.Adequate).IntendedUse, sections.TextContent, StringComparison.Ordinal);

        var lineage = page.QuerySelector("[data-testid=lineage]")!;
        Assert.Contains("4f1c2e9", lineage.TextContent, StringComparison.Ordinal);
        Assert.Contains("applications-2026-10", lineage.TextContent, StringComparison.Ordinal);
        Assert.Contains("run-8812", lineage.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/models/{model.Key}/versions/{champion}", lineage.QuerySelector("[data-testid=parent-version]")!.GetAttribute("href"));

        var history = page.QuerySelectorAll("[data-testid=stage-history] [data-testid=stage-change]").Select(r => r.TextContent).ToList();
        Assert.Equal(2, history.Count);
        Assert.Contains("Registered", history[0], StringComparison.Ordinal);
        Assert.Contains("Staging", history[1], StringComparison.Ordinal);

        // Once decided the candidate is the version in production, and its history shows how it got there.
        var decided = await _world.InScopeAsync(sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance, requested.Promotion.Id, Verdict.Approve, "Better on both metrics."));
        Assert.Null(decided.Failure);
        var after = await officer.GetDocumentAsync($"/approvals/{requested.Promotion.Id}");
        Assert.Contains("This is the version in production now.", after.QuerySelector("[data-testid=metrics]")!.TextContent, StringComparison.Ordinal);
        var historyAfter = after.QuerySelectorAll("[data-testid=stage-change]").ToList();
        Assert.Equal(3, historyAfter.Count);
        Assert.Contains(historyAfter[2].QuerySelectorAll("a"), a => a.GetAttribute("href") == $"/approvals/{requested.Promotion.Id}");
    }
}

public sealed class PromotionEvidenceTestsOnSqlite(SqliteClockedPortal portal) : PromotionEvidenceTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class PromotionEvidenceTestsOnPostgreSql(PostgreSqlClockedPortal portal) : PromotionEvidenceTests(portal), IClassFixture<PostgreSqlClockedPortal>;
