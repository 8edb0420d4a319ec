using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GovernancePortal.Identity;
using Microsoft.Playwright;

namespace GovernancePortal.Registry;

[Collection(BrowserCollection.Name)]
public sealed class RegistryJourneyTests(BrowserFixture browser)
{
    private async Task<HttpClient> PipelineAsync()
    {
        var key = await Testing.TestApiKeys.IssueAsync(browser.Portal, "owner@demo.test", "e2e-pipeline");
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Add(ApiKeyService.HeaderName, key.Secret);
        return client;
    }

    private static async Task PostAsync(HttpClient client, string path, JsonObject body)
    {
        var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static JsonObject Version(string number, string kind, string? parent, double auc, JsonObject? card = null) => new()
    {
        ["version"] = number,
        ["changeKind"] = kind,
        ["changeReason"] = $"Release {number}: retrained with more recent applications.",
        ["artifactUri"] = $"s3://ml-artifacts/overdraft-limit/{number}/model.tar.gz",
        ["artifactSha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(number))),
        ["lineage"] = new JsonObject
        {
            ["codeRepository"] = "https://git.example.com/ml/overdraft-limit", ["commit"] = "9fceb02d0ae598e95dc970b74767f19372d61af8",
            ["dataSnapshotId"] = $"overdraft-{number}", ["pipelineRunId"] = $"run-{number}", ["pipelineRunUrl"] = $"https://ci.example.com/runs/{number}",
            ["parentVersion"] = parent,
        },
        ["metrics"] = new JsonArray(
            new JsonObject { ["name"] = "auc", ["value"] = auc, ["dataset"] = "holdout-2026q2", ["threshold"] = 0.72 },
            new JsonObject { ["name"] = "expected calibration error", ["value"] = 0.05, ["dataset"] = "holdout-2026q2", ["threshold"] = 0.06, ["higherIsBetter"] = false }),
        ["card"] = card,
    };

    [Fact]
    public async Task A_pipeline_registers_a_model_and_three_versions_and_a_stakeholder_reads_them()
    {
        var pipeline = await PipelineAsync();
        await PostAsync(pipeline, "/api/v1/models", new JsonObject
        {
            ["key"] = "overdraft-limit", ["name"] = "Overdraft limit", ["description"] = "Suggests an arranged overdraft limit for current accounts.",
            ["owner"] = "owner@demo.test", ["team"] = "Credit Risk Analytics", ["businessOwner"] = "Head of Current Accounts",
            ["useCase"] = "Overdraft offers", ["riskTier"] = "high", ["dataCategories"] = new JsonArray("personalData"), ["tags"] = new JsonArray("credit", "overdraft"),
        });
        await PostAsync(pipeline, "/api/v1/models/overdraft-limit/versions", Version("1.0.0", "improvedModel", null, 0.74));
        await PostAsync(pipeline, "/api/v1/models/overdraft-limit/versions", Version("1.1.0", "improvedModel", "1.0.0", 0.77));
        await PostAsync(pipeline, "/api/v1/models/overdraft-limit/versions", Version("1.1.1", "pipelineChange", "1.1.0", 0.771, new JsonObject
        {
            ["overview"] = "Suggests an **arranged overdraft limit** from account behaviour over the last twelve months.",
            ["intendedUse"] = "Proposes a limit that an adviser confirms with the customer; never lowers an existing limit on its own.",
            ["outOfScopeUses"] = "Collections, credit-card limits, or any automated decision without an adviser.",
            ["limitations"] = "Accounts younger than six months have too little history for a reliable suggestion.",
            ["ethicalConsiderations"] = new JsonArray(new JsonObject { ["risk"] = "Encouraging unaffordable borrowing", ["mitigation"] = "Affordability check precedes every offer." }),
        }));
        // A new version of a model in production, so the comparison has a baseline.
        await PostAsync(pipeline, "/api/v1/models/credit-default-pd/versions", Version("2.1.0", "improvedModel", "2.0.0", 0.79));

        foreach (var width in new[] { 1280, 360 })
        {
            await using var session = await browser.NewSessionAsync(width: width, height: 860);
            await session.SignInAsync("viewer@demo.test");
            await session.GotoAsync("/models?q=overdraft");
            await session.ClickToInteractiveAsync(session.Page.GetByRole(AriaRole.Link, new() { Name = "Overdraft limit" }), url => url.EndsWith("/models/overdraft-limit"));
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"registry-model-{width}px");
            // The tab is a real tab: clicking it puts it in the address, and the versions are there.
            await session.Page.GetByRole(AriaRole.Tab, new() { Name = "Versions (3)" }).ClickAsync();
            await session.Page.WaitForURLAsync(url => url.EndsWith("/models/overdraft-limit?tab=versions"));
            Assert.Equal(["1.1.1", "1.1.0", "1.0.0"], await session.Page.Locator("[data-testid=versions] tbody td:first-child").AllInnerTextsAsync());
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"registry-model-versions-{width}px");
            await session.Page.ReloadAsync();
            await session.WaitForCircuitAsync();
            Assert.True(await session.Page.Locator("[data-testid=versions]").IsVisibleAsync(), "a reload keeps the tab the address names");

            await session.ClickToInteractiveAsync(session.Page.GetByRole(AriaRole.Link, new() { Name = "1.1.1", Exact = true }), url => url.EndsWith("/versions/1.1.1"));
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"registry-version-overview-{width}px");
            if (width == 1280)
            {
                // Beside the drawer every tab shows whole: none scrolled out of the bar, none clipped.
                var hidden = await session.Page.EvaluateAsync<string[]>("""
                    () => { const bar = document.querySelector('[data-testid=version-tabs]').getBoundingClientRect();
                            return [...document.querySelectorAll('[data-testid=version-tabs] [role=tab]')]
                              .filter(t => { const r = t.getBoundingClientRect(); return r.left < bar.left || r.right > bar.right || t.scrollWidth > t.clientWidth; })
                              .map(t => t.textContent.trim()); }
                    """);
                Assert.Empty(hidden);
            }
            await session.Page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();
            await session.Page.WaitForURLAsync(url => url.EndsWith("/versions/1.1.1?tab=lineage"));
            Assert.Equal("1.1.0", await session.Page.Locator("[data-testid=parent-version]").InnerTextAsync());
            await session.CheckAccessibilityAsync();
            // At narrow widths the tab bar scrolls; the address opens a tab as well as a click.
            await session.GotoAsync("/models/overdraft-limit/versions/1.1.1?tab=card");
            await session.WaitForCircuitAsync();
            Assert.Contains("arranged overdraft limit", await session.Page.Locator("[data-testid=model-card] .markdown strong").First.InnerTextAsync());
            Assert.Contains("Encouraging unaffordable borrowing", await session.Page.Locator("[data-testid=model-card]").InnerTextAsync());
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"registry-version-with-card-{width}px");
            // Leaving the page from a tab raises nothing.
            await session.Page.GoBackAsync();
            await session.Page.WaitForURLAsync(url => url.EndsWith("tab=lineage"));

            await session.GotoAsync("/models/credit-default-pd/versions/2.1.0?tab=metrics");
            await session.WaitForCircuitAsync();
            var metrics = await session.Page.Locator("[data-testid=metrics]").InnerTextAsync();
            Assert.Contains("Compared with 1.2.0", metrics);
            Assert.Contains("Pass", metrics);
            await session.CheckAccessibilityAsync();
            await session.ScreenshotAsync($"registry-version-metrics-comparison-{width}px");
            var pageWidth = await session.Page.EvaluateAsync<double>("() => document.documentElement.scrollWidth");
            Assert.True(pageWidth <= width, $"the version page is {pageWidth} px wide at {width} px");
            Assert.True(session.Problems.Count == 0, string.Join(Environment.NewLine, session.Problems));
        }
    }

    [Fact]
    public async Task An_owner_edits_a_models_regulatory_scope_and_the_version_shows_the_checklists_that_now_apply()
    {
        var pipeline = await PipelineAsync();
        await PostAsync(pipeline, "/api/v1/models", new JsonObject
        {
            ["key"] = "savings-nudges", ["name"] = "Savings nudges", ["description"] = "Suggests when to remind customers about their savings goals.",
            ["owner"] = "owner@demo.test", ["team"] = "Credit Risk Analytics", ["riskTier"] = "limited", ["dataCategories"] = new JsonArray("personalData"),
        });
        await PostAsync(pipeline, "/api/v1/models/savings-nudges/versions", Version("1.0.0", "improvedModel", null, 0.74));

        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("owner@demo.test");
        await session.GotoAsync("/models/savings-nudges");
        await session.WaitForCircuitAsync();
        await session.ClickToInteractiveAsync(session.Page.GetByRole(AriaRole.Link, new() { Name = "Edit details" }), url => url.EndsWith("/models/savings-nudges/edit"));
        await session.Page.GetByLabel("Its data subjects include people in the EU (GDPR)").CheckAsync();
        await session.Page.Locator("#model-use-case").FillAsync("Savings reminders");
        await session.Page.Keyboard.PressAsync("Tab");
        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("registry-edit-model");
        await session.ClickToInteractiveAsync(session.Page.GetByRole(AriaRole.Button, new() { Name = "Save details" }), url => url.EndsWith("/models/savings-nudges"));
        await Assertions.Expect(session.Page.Locator("dd[data-testid=eu-data-subjects]")).ToHaveTextAsync("Yes");
        Assert.Contains("Details of 'Savings nudges' saved.", await session.Page.Locator(".mud-snackbar").First.InnerTextAsync());

        await session.GotoAsync("/models/savings-nudges/versions/1.0.0?tab=compliance");
        await session.WaitForCircuitAsync();
        Assert.Contains("GDPR applies:", await session.Page.Locator("[data-testid=compliance-gdpr]").InnerTextAsync());
        await session.CheckAccessibilityAsync();
        await session.ScreenshotAsync("registry-version-after-model-edit");
        Assert.Empty(session.Problems);
    }
}
