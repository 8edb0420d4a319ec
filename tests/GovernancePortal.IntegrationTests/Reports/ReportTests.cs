using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Reports;

/// <summary>Reports through the API on a real database, read back with pdftotext and checked against what the API says.</summary>
public abstract class ReportTests(ReportPortal portal, string provider)
{
    private Task<HttpClient> ClientAsync(string username) => TestApiKeys.ClientAsync(portal, username, "report-tests");

    /// <summary>The newest version of a demo model, as the API lists it.</summary>
    private static async Task<string> NewestAsync(HttpClient client, string model) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/models/{model}")).GetProperty("versions")[0].GetProperty("version").GetString()!;

    private static async Task<JsonElement> ReadyAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task RunJobsAsync()
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportJob>().RunAsync(default);
    }

    private static async Task<byte[]> PdfAsync(HttpClient client, JsonElement report)
    {
        var response = await client.GetAsync(report.GetProperty("links").GetProperty("pdf").GetString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Fact]
    public async Task A_version_dossier_prints_what_the_api_says_and_is_registered_in_the_trail()
    {
        var viewer = await ClientAsync("viewer@demo.test");
        var model = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/models/credit-default-pd");
        var production = model.GetProperty("versions").EnumerateArray().First(v => v.GetProperty("stage").GetString() == "production").GetProperty("version").GetString()!;
        var version = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/models/credit-default-pd/versions/{production}");
        var promotions = (await viewer.GetFromJsonAsync<JsonElement>("/api/v1/promotions?status=approved")).EnumerateArray()
            .Where(p => p.GetProperty("model").GetString() == "credit-default-pd" && p.GetProperty("version").GetString() == production).ToList();

        var report = await ReadyAsync(await viewer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "credit-default-pd", version = production })));
        var pdf = await PdfAsync(viewer, report);
        var text = await ReportPortals.TextOfAsync(pdf);
        var id = report.GetProperty("id").GetGuid();

        Assert.Equal("ready", report.GetProperty("status").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), report.GetProperty("sha256").GetString());
        Assert.Contains(ReportPortals.Squash($"Version dossier: credit-default-pd {production}"), text);
        Assert.Contains(ReportPortals.Squash(model.GetProperty("name").GetString()!), text);
        Assert.Contains(ReportPortals.Squash(version.GetProperty("artifactSha256").GetString()!), text);
        Assert.Contains(ReportPortals.Squash($"Report {id:D}"), text);
        Assert.Matches(@"Page1of\d+", text);
        Assert.NotEmpty(promotions);
        foreach (var promotion in promotions)
        {
            Assert.Contains(ReportPortals.Squash($"version {promotion.GetProperty("policyVersion").GetInt32()}"), text);
            foreach (var decision in promotion.GetProperty("decisions").EnumerateArray())
            {
                Assert.Contains(ReportPortals.Squash($"{decision.GetProperty("approver").GetString()}"), text);
                Assert.Contains(ReportPortals.Squash(decision.GetProperty("at").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss")), text);
            }
        }
        var generated = await portal.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "report.generated" && e.EntityId == id.ToString()));
        using var payload = JsonDocument.Parse(generated.Payload);
        var details = payload.RootElement.GetProperty("details");
        Assert.Equal(report.GetProperty("sha256").GetString(), details.GetProperty("sha256").GetString());
        Assert.Equal("versionDossier", details.GetProperty("kind").GetString());
        // The head the PDF names is the trail as it stood before the report's own event.
        var head = details.GetProperty("auditHeadSequence").GetInt64();
        Assert.True(head < generated.Sequence);
        Assert.Contains(ReportPortals.Squash($"Reflects the audit trail up to event {head}"), text);
        Assert.Contains(ReportPortals.Squash(details.GetProperty("auditHeadHash").GetString()!), text);
        Assert.True(await portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "report.downloaded" && e.EntityId == id.ToString() && e.ActorUsername == "viewer@demo.test")));
        var fonts = await ReportPortals.FontsOfAsync(pdf);
        Assert.All(fonts.Split('\n').Skip(2).Where(l => l.Trim().Length > 0), line => Assert.Contains(" yes ", line));
        Assert.True(await ReportPortals.SavePagesAsync(pdf, $"report-dossier-{provider}") >= 2);
    }

    [Fact]
    public async Task Verification_tells_genuine_altered_and_unknown_through_the_api_and_the_command()
    {
        var owner = await ClientAsync("owner@demo.test");
        var report = await ReadyAsync(await owner.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "churn-retail", version = await NewestAsync(owner, "churn-retail") })));
        var genuine = await PdfAsync(owner, report);
        await File.WriteAllBytesAsync(Path.Combine(RepositoryPaths.Artifacts("test-results"), $"report-genuine-{provider}.pdf"), genuine);
        var altered = (byte[])genuine.Clone();
        altered[altered.Length / 2] ^= 0x01;
        var unrelated = genuine.Length > 0 ? await RenderUnrelatedAsync() : [];

        var verdicts = new List<(string Verdict, bool Genuine, int Exit, string Line)>();
        foreach (var file in new[] { genuine, altered, unrelated })
        {
            using var body = new ByteArrayContent(file);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            var answer = await (await owner.PostAsync("/api/v1/reports/verify", body)).Content.ReadFromJsonAsync<JsonElement>();
            var path = Path.GetTempFileName();
            await File.WriteAllBytesAsync(path, file);
            var output = new StringWriter();
            await using var scope = portal.Services.CreateAsyncScope();
            var exit = await ReportCommands.VerifyAsync(scope.ServiceProvider, path, output, default);
            File.Delete(path);
            Assert.Equal(answer.GetProperty("reason").GetString(), output.ToString().Trim());
            verdicts.Add((answer.GetProperty("verdict").GetString()!, answer.GetProperty("genuine").GetBoolean(), exit, output.ToString()));
            if (answer.GetProperty("verdict").GetString() != "unknown")
            {
                Assert.Equal(report.GetProperty("id").GetGuid(), answer.GetProperty("reportId").GetGuid());
            }
        }

        Assert.Equal([("genuine", true, 0), ("altered", false, 1), ("unknown", false, 1)], verdicts.Select(v => (v.Verdict, v.Genuine, v.Exit)));
        Assert.Contains("owner@demo.test", verdicts[0].Line);
    }

    /// <summary>A PDF from the same Chromium that no report of this portal produced.</summary>
    private async Task<byte[]> RenderUnrelatedAsync()
    {
        var printer = portal.Services.GetRequiredService<PdfPrinter>();
        return await printer.PrintAsync("<!DOCTYPE html><html><head><title>Minutes of the meeting</title></head><body><p>Nothing to see.</p></body></html>",
            new PrintFrame("Minutes", "meeting", DateTimeOffset.UnixEpoch, "someone", Guid.NewGuid()), default);
    }

    [Fact]
    public async Task The_audit_trail_report_runs_in_the_background_for_auditors_and_is_refused_to_viewers()
    {
        var auditor = await ClientAsync("auditor@demo.test");
        var viewer = await ClientAsync("viewer@demo.test");
        var from = DateTimeOffset.UtcNow.AddDays(-400);

        var refused = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "auditTrail", from = DateTimeOffset.UtcNow.AddDays(-30), to = DateTimeOffset.UtcNow }));
        // The demo's decisions are dated over the last months (its story), so the period reaches back a year.
        var accepted = await auditor.PostAsync("/api/v1/reports", Json(new { kind = "auditTrail", from = DateTimeOffset.UtcNow.AddDays(-365), to = DateTimeOffset.UtcNow.AddMinutes(1) }));
        var tooLong = await auditor.PostAsync("/api/v1/reports", Json(new { kind = "auditTrail", from, to = DateTimeOffset.UtcNow }));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var queued = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        var self = queued.GetProperty("links").GetProperty("self").GetString()!;
        Assert.Equal(self, accepted.Headers.Location!.OriginalString);
        Assert.Equal("queued", queued.GetProperty("status").GetString());

        await RunJobsAsync();

        var ready = await auditor.GetFromJsonAsync<JsonElement>(self);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(100, ready.GetProperty("progress").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(self)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(self + "/pdf")).StatusCode);
        var listed = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/reports");
        Assert.DoesNotContain(listed.GetProperty("items").EnumerateArray(), r => r.GetProperty("kind").GetString() == "auditTrail");
        var mine = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/reports?kind=auditTrail");
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetGuid() == ready.GetProperty("id").GetGuid());

        var pdf = await PdfAsync(auditor, ready);
        var text = await ReportPortals.TextOfAsync(pdf);
        using var key = ECDsa.Create();
        key.ImportFromPem(await auditor.GetStringAsync("/api/v1/audit/checkpoint-key"));
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        var verify = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.Contains(ReportPortals.Squash("Audit trail report"), text);
        Assert.Contains(ReportPortals.Squash(verify.GetProperty("valid").GetBoolean() ? "valid" : "INVALID"), text);
        Assert.Contains(fingerprint, text.Replace("\n", "").Replace(" ", ""));
        Assert.Contains(ReportPortals.Squash("promotion.approved"), text);
        var actors = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Sequence <= ready.GetProperty("auditHeadSequence").GetInt64())
            .Select(e => e.ActorUsername).Distinct().ToListAsync());
        Assert.All(actors, actor => Assert.Contains(ReportPortals.Squash(actor), text));
        await ReportPortals.SavePagesAsync(pdf, $"report-audit-trail-{provider}");
    }

    [Fact]
    public async Task The_portfolio_lists_what_the_registry_says_is_in_production_for_every_role()
    {
        var viewer = await ClientAsync("viewer@demo.test");
        var accepted = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "portfolio" }));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var self = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("links").GetProperty("self").GetString()!;

        await RunJobsAsync();

        var ready = await viewer.GetFromJsonAsync<JsonElement>(self);
        var text = await ReportPortals.TextOfAsync(await PdfAsync(viewer, ready));
        var production = (await viewer.GetFromJsonAsync<JsonElement>("/api/v1/models?stage=Production&pageSize=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(production);
        foreach (var model in production)
        {
            Assert.Contains(ReportPortals.Squash($"{model.GetProperty("key").GetString()} {model.GetProperty("productionVersion").GetString()}"), text);
        }
        await ReportPortals.SavePagesAsync(await PdfAsync(viewer, ready), $"report-portfolio-{provider}");
    }

    [Fact]
    public async Task Annex_iv_is_for_high_risk_models_and_ends_with_what_the_registry_cannot_fill()
    {
        var viewer = await ClientAsync("viewer@demo.test");
        var refused = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "annexIv", model = "churn-retail", version = await NewestAsync(viewer, "churn-retail") }));
        var report = await ReadyAsync(await viewer.PostAsync("/api/v1/reports", Json(new { kind = "annexIv", model = "credit-default-pd", version = await NewestAsync(viewer, "credit-default-pd") })));
        var pdf = await PdfAsync(viewer, report);
        var text = await ReportPortals.TextOfAsync(pdf);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(ReportPortals.Squash("Point 1. General description of the AI system"), text);
        Assert.Contains(ReportPortals.Squash("Point 9. Post-market monitoring"), text);
        Assert.Contains(ReportPortals.Squash("Points the registry cannot fill yet"), text);
        Assert.Contains(ReportPortals.Squash("EU declaration of conformity"), text);
        await ReportPortals.SavePagesAsync(pdf, $"report-annex-iv-{provider}");
    }

    [Fact]
    public async Task Hostile_card_text_is_printed_as_text_without_breaking_the_page()
    {
        var owner = await ClientAsync("owner@demo.test");
        var version = await NewestAsync(owner, "churn-retail");
        var card = (await owner.GetFromJsonAsync<JsonElement>($"/api/v1/models/churn-retail/versions/{version}/card")).GetProperty("card");
        var body = System.Text.Json.Nodes.JsonNode.Parse(card.GetRawText())!.AsObject();
        var longWord = string.Concat(Enumerable.Repeat("Donaudampfschifffahrtsgesellschaft", 12));
        body["overview"] = $"<script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(1)) {longWord}";
        body["limitations"] = "שלום עולם: המודל אינו מתאים ללקוחות חדשים. مرحبا بالعالم: النموذج غير مناسب.";
        var saved = await owner.PutAsync($"/api/v1/models/churn-retail/versions/{version}/card", Json(body));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());

        var report = await ReadyAsync(await owner.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "churn-retail", version })));
        var pdf = await PdfAsync(owner, report);
        var text = await ReportPortals.TextOfAsync(pdf);

        // Shown as typed, not run: the tags are text in the PDF, and the long word wraps instead of running off the page.
        Assert.Contains(ReportPortals.Squash("<script>alert('x')</script>"), text);
        Assert.Contains(longWord, text);
        Assert.Contains(ReportPortals.Squash("שלום עולם"), text);
        Assert.Contains(ReportPortals.Squash("مرحبا بالعالم"), text);
        var layout = await ReportPortals.LayoutTextOfAsync(pdf);
        // 408 letters without a space: on A4 at this size, wrapped over at least four lines.
        Assert.True(layout.Split('\n').Count(line => line.Contains("Donaudampf", StringComparison.Ordinal)) >= 4, layout);
        await ReportPortals.SavePagesAsync(pdf, $"report-hostile-{provider}");
    }

    [Fact]
    public async Task Unknown_reports_bad_requests_and_stored_files_are_handled()
    {
        var viewer = await ClientAsync("viewer@demo.test");
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/v1/reports/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "nope", version = "1.0.0" }))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.PostAsync("/api/v1/reports", Json(new { kind = "everything" }))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.PostAsync("/api/v1/reports", Json(new { kind = "portfolio", asOf = DateTimeOffset.UtcNow.AddDays(2) }))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await viewer.PostAsync("/api/v1/reports/verify", Json(new { }))).StatusCode);

        // A stored report file cannot be changed or removed, even by someone with the database's own credentials.
        var report = await ReadyAsync(await viewer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = "claims-triage", version = await NewestAsync(viewer, "claims-triage") })));
        var id = report.GetProperty("id").GetGuid();
        await Assert.ThrowsAnyAsync<Exception>(() => portal.WithDbAsync(db => db.ReportFiles.Where(f => f.ReportId == id)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.Sha256, new string('0', 64)))));
        await Assert.ThrowsAnyAsync<Exception>(() => portal.WithDbAsync(db => db.ReportFiles.Where(f => f.ReportId == id).ExecuteDeleteAsync()));
        Assert.Equal(report.GetProperty("sha256").GetString(), await portal.WithDbAsync(db => db.ReportFiles.Where(f => f.ReportId == id).Select(f => f.Sha256).SingleAsync()));
    }
}

[Collection(ReportCollection.Name)]
public sealed class ReportTestsOnSqlite(ReportPortals portals) : ReportTests(portals.Sqlite, "sqlite");

[Collection(ReportCollection.Name)]
public sealed class ReportTestsOnPostgreSql(ReportPortals portals) : ReportTests(portals.PostgreSql, "postgresql");
