using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Reports;

/// <summary>
/// Issue 16's remaining report gaps: the dossier prints the retirement plan as the API gives it; reports left running by a
/// stopped instance are queued again by the job's first sweep, and failed the second time; the version page's download
/// that prints nothing lands on a page that says why.
/// </summary>
public abstract class ReportGapTests(ReportPortal portal)
{
    private Task<HttpClient> ClientAsync(string username) => TestApiKeys.ClientAsync(portal, username, "report-gap-tests");

    [Fact]
    public async Task A_dossier_prints_the_versions_retirement_plan_and_its_decommissioning_as_the_api_says()
    {
        var auditor = await ClientAsync("auditor@demo.test");
        var plan = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/models/credit-default-pd/versions/1.0.0/retirement");
        var retired = (await auditor.GetFromJsonAsync<JsonElement>("/api/v1/promotions?status=approved")).EnumerateArray()
            .Single(p => p.GetProperty("model").GetString() == "credit-default-pd" && p.GetProperty("version").GetString() == "1.0.0"
                && p.GetProperty("targetStage").GetString() == "retired");

        var response = await auditor.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "credit-default-pd", version = "1.0.0" }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var pdf = await (await auditor.GetAsync(report.GetProperty("links").GetProperty("pdf").GetString())).Content.ReadAsByteArrayAsync();
        var text = await ReportPortals.TextOfAsync(pdf);
        await ReportPortals.SavePagesAsync(pdf, $"report-dossier-retired-{portal.Database.ToString().ToLowerInvariant()}");

        Assert.Equal("retired", plan.GetProperty("status").GetString(), ignoreCase: true);
        Assert.Contains(ReportPortals.Squash("Retirement Status Retired"), text);
        Assert.Contains(ReportPortals.Squash($"Planned date {plan.GetProperty("plannedDate").GetString()}"), text);
        Assert.Contains(ReportPortals.Squash($"Reason {plan.GetProperty("reason").GetString()}"), text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(ReportPortals.Squash("Successor credit-default-pd 1.2.0 (Production)"), text);
        Assert.Contains(ReportPortals.Squash(plan.GetProperty("note").GetString()!), text);
        Assert.Contains(ReportPortals.Squash($"Retired {PrintTemplates.Utc(plan.GetProperty("retiredAt").GetDateTimeOffset())}"), text);
        Assert.Contains(ReportPortals.Squash($"Records kept until {plan.GetProperty("retentionUntil").GetString()}"), text);
        Assert.Contains(ReportPortals.Squash($"by {plan.GetProperty("createdBy").GetString()}"), text);
        // The Retired request that carried it out, with its officers and policy version, as the API has it.
        foreach (var decision in retired.GetProperty("decisions").EnumerateArray())
        {
            Assert.Contains(ReportPortals.Squash(decision.GetProperty("approver").GetString()!), text);
        }
        Assert.Contains(ReportPortals.Squash($"v{retired.GetProperty("policyVersion").GetInt32()}"), text);
    }

    [Fact]
    public async Task A_dossier_prints_the_versions_periodic_reviews_with_their_answers_and_sign_off()
    {
        // The demo's overdue review: its owner answers, an officer signs off, and the version's dossier carries both.
        var owner = await ClientAsync("owner@demo.test");
        var officer = await ClientAsync("compliance@demo.test");
        var standing = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/reviews")).EnumerateArray()
            .Single(r => r.GetProperty("model").GetString() == "support-chat-intent");
        var version = standing.GetProperty("version").GetString()!;
        var url = $"/api/v1/models/support-chat-intent/versions/{version}/review";
        var answers = Reviews.ReviewRules.Questions.Select(q => new { question = q.Id, answer = q.Reassuring, comment = $"Dashboard checked for {q.Id}." }).ToArray();
        var answered = await owner.PutAsync($"{url}/answers", Json(new { answers }));
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        var signed = await officer.PostAsync($"{url}/sign-off", Json(new { comment = "Monitoring evidence suffices." }));
        Assert.True(signed.IsSuccessStatusCode, await signed.Content.ReadAsStringAsync());

        var response = await officer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "support-chat-intent", version }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        var pdf = await (await officer.GetAsync(report.GetProperty("links").GetProperty("pdf").GetString())).Content.ReadAsByteArrayAsync();
        var text = await ReportPortals.TextOfAsync(pdf);
        await ReportPortals.SavePagesAsync(pdf, $"report-dossier-reviewed-{portal.Database.ToString().ToLowerInvariant()}");

        Assert.Contains(ReportPortals.Squash($"{standing.GetProperty("dueDate").GetString()} SignedOff owner@demo.test"), text);
        Assert.Contains(ReportPortals.Squash("compliance@demo.test"), text);
        Assert.Contains(ReportPortals.Squash("Monitoring evidence suffices."), text);
        foreach (var question in Reviews.ReviewRules.Questions)
        {
            Assert.Contains(ReportPortals.Squash($"{question.Text} {(question.Reassuring ? "Yes" : "No")}: Dashboard checked for {question.Id}."), text);
        }
        Assert.Contains(ReportPortals.Squash("review.signed-off"), text);
    }

    [Fact]
    public async Task A_report_left_running_is_queued_again_by_the_first_sweep_and_printed_and_fails_once_interrupted_twice()
    {
        var clock = portal.Services.GetRequiredService<TimeProvider>();
        var first = await ReportPortals.StuckAsync(portal, clock.GetUtcNow().AddHours(-2), requeuedBefore: false);
        var second = await ReportPortals.StuckAsync(portal, clock.GetUtcNow().AddHours(-2), requeuedBefore: true);
        // Requested a moment ago: a live instance may be printing it, so it is left alone.
        var recent = await ReportPortals.StuckAsync(portal, clock.GetUtcNow(), requeuedBefore: false);

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var job = new ReportJob(scope.ServiceProvider.GetRequiredService<ReportService>(), new ReportRecovery(clock),
                scope.ServiceProvider.GetRequiredService<IOptions<ReportOptions>>());
            await job.RunAsync(default);
        }

        var viewer = await ClientAsync("viewer@demo.test");
        var printed = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{first}");
        var failed = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{second}");
        var left = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{recent}");
        Assert.Equal(("ready", "failed", "running"), (printed.GetProperty("status").GetString(), failed.GetProperty("status").GetString(), left.GetProperty("status").GetString()));
        Assert.Contains("stopped twice", failed.GetProperty("failure").GetString());
        var actions = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.EntityId == first.ToString() || e.EntityId == second.ToString())
            .OrderBy(e => e.Sequence).Select(e => new { e.EntityId, e.Action }).ToListAsync());
        Assert.Equal(["report.requested", ReportService.Requeued, ReportService.Generated], actions.Where(a => a.EntityId == first.ToString()).Select(a => a.Action));
        Assert.Equal(["report.requested", ReportService.Requeued, ReportService.Failed], actions.Where(a => a.EntityId == second.ToString()).Select(a => a.Action));
    }

    [Fact]
    public async Task A_download_from_the_version_page_that_prints_nothing_lands_on_a_page_that_says_why()
    {
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var page = await viewer.GetDocumentAsync("/models/churn-retail/versions/2.1.0");
        // Annex IV is for High-risk models; the button is not offered here, so the request is refused as a browser would see it.
        var response = await viewer.PostFormAsync("/models/churn-retail/versions/2.1.0/reports/annex-iv", page, []);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var target = response.Headers.Location!.OriginalString;
        Assert.Equal("/reports/not-printed?model=churn-retail&version=2.1.0&reason=invalid", target);
        var shown = await viewer.GetDocumentAsync(target);
        Assert.Contains("could not be asked for", shown.QuerySelector("[data-testid=report-not-printed]")!.TextContent);
        Assert.Equal("/models/churn-retail/versions/2.1.0", shown.QuerySelector("[data-testid=back-to-version]")!.GetAttribute("href"));
        Assert.Null(shown.QuerySelector("pre"));
        Assert.DoesNotContain("\"status\"", shown.Body!.TextContent);
    }
}

[Collection(ReportCollection.Name)]
public sealed class ReportGapTestsOnSqlite(ReportPortals portals) : ReportGapTests(portals.Sqlite);

[Collection(ReportCollection.Name)]
public sealed class ReportGapTestsOnPostgreSql(ReportPortals portals) : ReportGapTests(portals.PostgreSql);
