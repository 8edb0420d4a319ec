// Times PDF reports (issue 16, "Done when"): a dossier of a version with a full card, four checklists and 40 events,
// median warm, against Chromium alone printing the same HTML in the same run; a portfolio of 1,000 production models;
// the server's memory with 8 reports at once. Prints Markdown. See bench/reports/README.md.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Approvals;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using GovernancePortal.Reports;
using GovernancePortal.Reports.Documents;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

var iterations = Arg("--iterations", 7);
var models = Arg("--models", 1000);
var concurrent = Arg("--concurrent", 8);
var portfolioRuns = Arg("--portfolio-runs", 3);
// sqlite (a temp file) or postgresql (a fresh database on GOVERNANCE_TEST_POSTGRES, which run.sh --database postgresql starts).
var database = Choice("--database", "sqlite") switch
{
    "sqlite" => TestDatabase.Sqlite,
    "postgresql" => TestDatabase.PostgreSql,
    var other => throw new ArgumentException($"--database {other}: sqlite or postgresql"),
};

// The portal's content root (wwwroot, appsettings): the factory looks beside a solution file it cannot see from bench/.
var root = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(root, "GovernancePortal.sln")))
{
    root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("Run from inside the repository.");
}
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_GOVERNANCEPORTAL_WEB", Path.Combine(root, "src", "GovernancePortal.Web"));
await using var portal = new BenchPortal(database);
await portal.InitializeAsync();
var started = Stopwatch.StartNew();
_ = portal.Services; // starts the host: migrate, demo data
Console.Error.WriteLine($"portal up with demo data in {started.Elapsed.TotalSeconds:0.0} s");

var owner = await TestApiKeys.ClientAsync(portal, "owner@demo.test", "bench");
var viewer = await TestApiKeys.ClientAsync(portal, "viewer@demo.test", "bench");
const string Key = "bench-dossier";
var events = await DossierSubjectAsync(owner);
Console.Error.WriteLine($"dossier subject ready: {events} events of the version");

// (a) The dossier through the API (render, print, store, audit) against Chromium alone printing the same HTML, interleaved.
var (html, frame) = await DossierHtmlAsync();
var chromiumPath = Environment.GetEnvironmentVariable("GOVERNANCE_TEST_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromiumPath, Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, Offline = true });
var page = await context.NewPageAsync();
var printer = portal.Services.GetRequiredService<PdfPrinter>();
var (api, alone, printerOnly) = (new List<double>(), new List<double>(), new List<double>());
int pages = 0;
for (var i = 0; i <= iterations; i++)
{
    var a = await TimeAsync(async () =>
    {
        var response = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = Key, version = "1.0.0" }));
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
    });
    byte[] pdf = [];
    var b = await TimeAsync(async () =>
    {
        await page.SetContentAsync(html, new PageSetContentOptions { WaitUntil = WaitUntilState.Load });
        pdf = await page.PdfAsync(new PagePdfOptions
        {
            Format = "A4", PrintBackground = true, DisplayHeaderFooter = true,
            HeaderTemplate = PrintTemplates.Header(frame), FooterTemplate = PrintTemplates.Footer(frame),
            Margin = new Margin { Top = "24mm", Bottom = "20mm", Left = "16mm", Right = "16mm" },
        });
    });
    var p = await TimeAsync(() => printer.PrintAsync(html, frame, default));
    pages = CountPages(pdf);
    if (i > 0) // the first round warms up
    {
        api.Add(a);
        alone.Add(b);
        printerOnly.Add(p);
    }
}

// Only the portal's own browser counts in the memory measured below.
await context.CloseAsync();
await browser.CloseAsync();

// (b) A portfolio of `models` production models: bench rows added in bulk (not through the workflow), then the report
// through the API and the job, and the checklist statuses per version (the old path) against one set-based query.
await AddProductionModelsAsync(models);
var production = await portal.WithDbAsync(db => db.ModelVersions.CountAsync(v => v.Stage == Stage.Production));
var portfolio = new List<double>();
long portfolioBytes = 0;
for (var i = 0; i < portfolioRuns; i++)
{
    var response = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "portfolio", asOf = DateTimeOffset.UtcNow }));
    var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    portfolio.Add(await TimeAsync(async () =>
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportJob>().RunOneAsync(id, default);
    }));
    var report = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/reports/{id}");
    if (report.GetProperty("status").GetString() != "ready")
    {
        throw new InvalidOperationException($"The portfolio report ended {report}");
    }
    portfolioBytes = (await viewer.GetByteArrayAsync($"/api/v1/reports/{id}/pdf")).LongLength;
}
var (perVersion, setBased) = await ChecklistQueriesAsync();

// (c) Memory with `concurrent` dossiers asked for at once (the printer prints Reports:MaxConcurrent at a time).
GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
var before = Memory.Sample();
var peak = before;
using var sampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        var now = Memory.Sample();
        peak = new(Math.Max(peak.ServerRss, now.ServerRss), Math.Max(peak.ChromiumRss, now.ChromiumRss), Math.Max(peak.ManagedHeap, now.ManagedHeap));
        await Task.Delay(20);
    }
});
var wall = await TimeAsync(() => Task.WhenAll(Enumerable.Range(0, concurrent).Select(async _ =>
{
    var response = await viewer.PostAsync("/api/v1/reports", Json(new { kind = "versionDossier", model = Key, version = "1.0.0" }));
    if (response.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
    }
})));
await sampling.CancelAsync();
await sampler;

Console.WriteLine($"""
### Reports ({(database == TestDatabase.Sqlite ? "SQLite" : "PostgreSQL")}, in-process host)

| Measure | Median | Range | Runs | Aim |
| --- | ---: | --- | ---: | --- |
| Version dossier through the API (render, print, store, audit; {pages} pages, {events} events) | {Median(api):0} ms | {api.Min():0}–{api.Max():0} ms | {api.Count} | ≤ 300 ms |
| Chromium alone printing the same HTML (one warm page, same PDF options) | {Median(alone):0} ms | {alone.Min():0}–{alone.Max():0} ms | {alone.Count} | |
| The portal's printer alone on the same HTML (page pool, slots) | {Median(printerOnly):0} ms | {printerOnly.Min():0}–{printerOnly.Max():0} ms | {printerOnly.Count} | |
| Speed relative to Chromium alone (Chromium's median / the API's) | {Median(alone) / Median(api):0.00} | | | ≥ 0.8 |
| Portfolio of {production} production versions (job run: replay, checklists, render, print, store; {portfolioBytes / 1024} KiB) | {Median(portfolio) / 1000:0.0} s | {portfolio.Min() / 1000:0.0}–{portfolio.Max() / 1000:0.0} s | {portfolio.Count} | ≤ 10 s |
| Checklist status of those versions, one version at a time (the path before the fix) | {perVersion / 1000:0.0} s | | 1 | |
| The same in one set-based read (`ChecklistReads.StatusesAsync`) | {setBased / 1000:0.00} s | | 1 | |

| {concurrent} dossiers at once | Before | Peak |
| --- | ---: | ---: |
| Server process RSS | {before.ServerRss} MiB | {peak.ServerRss} MiB |
| Managed heap | {before.ManagedHeap} MiB | {peak.ManagedHeap} MiB |
| Chromium processes (RSS summed) | {before.ChromiumRss} MiB | {peak.ChromiumRss} MiB |
| Wall time for all {concurrent} | | {wall:0} ms |
""");

async Task<int> DossierSubjectAsync(HttpClient client)
{
    var model = new JsonObject
    {
        ["key"] = Key, ["name"] = "Bench credit limit", ["description"] = "Sets the initial credit limit of new card customers.",
        ["owner"] = "owner@demo.test", ["businessOwner"] = "Head of Cards", ["team"] = "Credit Risk Analytics", ["useCase"] = "Credit limits",
        ["riskTier"] = "high", ["dataCategories"] = new JsonArray("personalData"), ["tags"] = new JsonArray("bench", "credit"), ["euDataSubjects"] = true,
    };
    await Ok(await client.PostAsync("/api/v1/models", Json(model)));
    var card = JsonNode.Parse(await client.GetStringAsync("/api/v1/models/credit-default-pd/versions/1.2.0/card"))!["card"]!;
    var version = new JsonObject
    {
        ["version"] = "1.0.0", ["changeKind"] = "improvedModel", ["changeReason"] = "First release for the benchmark.",
        ["artifactUri"] = "s3://ml-artifacts/bench/1.0.0/model.tar.gz", ["artifactSha256"] = new string('a', 64),
        ["lineage"] = new JsonObject { ["codeRepository"] = "https://git.example.com/ml/bench", ["commit"] = "0a1b2c3d4e5f", ["dataSnapshotId"] = "bench-2026q4" },
        ["metrics"] = new JsonArray(
            new JsonObject { ["name"] = "auc", ["value"] = 0.81, ["dataset"] = "holdout", ["threshold"] = 0.75, ["higherIsBetter"] = true },
            new JsonObject { ["name"] = "auc", ["value"] = 0.78, ["dataset"] = "holdout", ["slice"] = "age<25", ["threshold"] = 0.75 }),
        ["card"] = card.DeepClone(),
    };
    await Ok(await client.PostAsync($"/api/v1/models/{Key}/versions", Json(version)));
    var templates = new[] { "gdpr", "eu-ai-act", "nist-ai-rmf", "sr-11-7" };
    foreach (var template in templates)
    {
        var assessment = await Ok(await client.PostAsync($"/api/v1/models/{Key}/versions/1.0.0/assessments", Json(new { template })));
        foreach (var item in assessment.GetProperty("applicableItems").EnumerateArray())
        {
            await Ok(await client.PutAsync($"/api/v1/models/{Key}/versions/1.0.0/assessments/{template}/items/{item.GetString()}", Json(new { answer = "yes" })));
        }
    }
    // The dossier lists the version's events and those of its card revisions, assessments and promotions: card edits make up 40.
    var count = await DossierEventsAsync();
    for (var revision = 2; count < 40; revision++, count++)
    {
        card["limitations"] = $"Not validated for business cards (revision {revision}).";
        await Ok(await client.PutAsync($"/api/v1/models/{Key}/versions/1.0.0/card", Json(card)));
    }
    return await DossierEventsAsync();
}

async Task<int> DossierEventsAsync() => await portal.WithDbAsync(async db =>
{
    var version = (await RegistryQueries.FindVersionAsync(db, Key, "1.0.0"))!;
    var ids = new List<string> { version.Id.ToString() };
    // Ids formatted here, as the audit trail writes them (a SQL cast would format them its own way).
    ids.AddRange((await db.Assessments.Where(a => a.VersionId == version.Id).Select(a => a.Id).ToListAsync()).Select(id => id.ToString()));
    ids.AddRange((await db.ModelCardRevisions.Where(r => r.VersionId == version.Id).Select(r => r.Id).ToListAsync()).Select(id => id.ToString()));
    return await db.AuditEvents.CountAsync(e => ids.Contains(e.EntityId));
});

async Task<(string Html, PrintFrame Frame)> DossierHtmlAsync()
{
    await using var scope = portal.Services.CreateAsyncScope();
    var sources = scope.ServiceProvider.GetRequiredService<ReportSources>();
    var (sequence, hash) = await sources.AuditHeadAsync(default);
    var data = (await sources.DossierAsync(Key, "1.0.0", sequence, default))!;
    var heading = new ReportHeading(Guid.CreateVersion7(), ReportKind.VersionDossier, ReportTitles.Of(ReportKind.VersionDossier), $"{Key} 1.0.0",
        DateTimeOffset.UtcNow, "viewer@demo.test", sequence, hash);
    var html = await scope.ServiceProvider.GetRequiredService<ReportHtml>().RenderAsync<VersionDossier>(new() { ["Heading"] = heading, ["Data"] = data });
    return (html, new PrintFrame(heading.Title, heading.Subject, heading.GeneratedAt, heading.GeneratedBy, heading.Id));
}

async Task AddProductionModelsAsync(int count)
{
    var policy = PromotionPolicies.Default(Stage.Production, RiskTier.Limited)!;
    for (var batch = 0; batch < count; batch += 100)
    {
        await portal.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow.AddDays(-30);
            for (var i = batch; i < Math.Min(count, batch + 100); i++)
            {
                var model = new Model
                {
                    Key = $"bench-portfolio-{i:D4}", Name = $"Bench portfolio model {i:D4}", Description = "A production model of the portfolio benchmark.",
                    Owner = "owner2@demo.test", BusinessOwner = "Head of Operations", Team = "Clinical AI", UseCase = "Operations",
                    RiskTier = (RiskTier)(i % 3), DataCategories = i % 2 == 0 ? DataCategories.PersonalData : DataCategories.None, EuDataSubjects = i % 4 == 0,
                    Tags = "bench", CreatedAt = now, CreatedBy = "owner2@demo.test",
                };
                var version = new ModelVersion
                {
                    ModelId = model.Id, Major = 1, Minor = 0, Pipeline = 0, ChangeKind = ChangeKind.ImprovedModel, ChangeReason = "Bench.",
                    ArtifactUri = $"s3://bench/{i}/model.tar.gz", ArtifactSha256 = new string('b', 64), Stage = Stage.Production, StageChangedAt = now,
                    RegisteredAt = now, RegisteredBy = "owner2@demo.test",
                };
                version.Metrics.Add(new VersionMetric { VersionId = version.Id, Name = "auc", Value = 0.8, Dataset = "holdout", Slice = "overall", Threshold = 0.7 });
                var promotion = new Promotion
                {
                    VersionId = version.Id, FromStage = Stage.Staging, TargetStage = Stage.Production, Requester = "owner2@demo.test", Justification = "Bench.",
                    State = PromotionRequestState.Approved, PolicyVersion = policy.Version, PolicyJson = PromotionService.SerializePolicy(policy), GatesJson = "[]",
                    CreatedAt = now, ExpiresAt = now + policy.RequestExpiry, DecidedAt = now,
                };
                promotion.Decisions.Add(new PromotionDecisionRecord
                {
                    PromotionId = promotion.Id, Approver = "compliance@demo.test", Role = Roles.ComplianceOfficer, Verdict = Verdict.Approve, At = now,
                });
                db.Models.Add(model);
                db.ModelVersions.Add(version);
                db.Promotions.Add(promotion);
                db.Audit.Record("model.registered", model, new { source = "bench" });
                db.Audit.Record(VersionStageHistory.Registered, version, new { model = model.Key, version = "1.0.0", source = "bench" });
                db.Audit.Record("promotion.approved", promotion, new { model = model.Key, version = "1.0.0", policyVersion = policy.Version, source = "bench" });
                db.Audit.Record(VersionStageHistory.StageChanged, version, new { model = model.Key, version = "1.0.0", promotion = promotion.Id, policyVersion = policy.Version });
            }
            await db.SaveChangesAsync();
        });
    }
}

async Task<(double PerVersion, double SetBased)> ChecklistQueriesAsync()
{
    await using var scope = portal.Services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
    var checklists = scope.ServiceProvider.GetRequiredService<ChecklistReads>();
    var versions = await db.ModelVersions.AsNoTracking().Include(v => v.Model).Where(v => v.Stage == Stage.Production).ToListAsync();
    var perVersion = await TimeAsync(async () =>
    {
        foreach (var version in versions)
        {
            await checklists.StatusAsync(version);
        }
    });
    var setBased = await TimeAsync(() => checklists.StatusesAsync(versions));
    return (perVersion, setBased);
}

static async Task<double> TimeAsync(Func<Task> work)
{
    var watch = Stopwatch.StartNew();
    await work();
    return watch.Elapsed.TotalMilliseconds;
}

static async Task<JsonElement> Ok(HttpResponseMessage response)
{
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {text}");
    }
    return JsonDocument.Parse(text).RootElement;
}

static StringContent Json(object body) => new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static int CountPages(byte[] pdf) => System.Text.RegularExpressions.Regex.Matches(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page[^s]").Count;

string Choice(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1].ToLowerInvariant() : fallback;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1]) : fallback;
}

/// <summary>The tests' portal host on a fresh database, quiet, printing with the machine's Chromium.</summary>
internal sealed class BenchPortal(TestDatabase database) : PortalFactory(database)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}

/// <summary>Memory in MiB: this process (the server), its managed heap, and every Chromium process on the machine started by the portal's printer.</summary>
internal sealed record Memory(long ServerRss, long ChromiumRss, long ManagedHeap)
{
    public static Memory Sample()
    {
        long chromium = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                // The portal's browser and its renderer, GPU and utility children: Chromium processes descended from this one.
                if (cmdline.Contains("chromium", StringComparison.Ordinal) && IsDescendant(dir))
                {
                    chromium += Rss(Path.Combine(dir, "status"));
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return new(Rss("/proc/self/status") / 1024, chromium / 1024, GC.GetTotalMemory(false) / (1024 * 1024));
    }

    private static bool IsDescendant(string dir)
    {
        var self = Environment.ProcessId;
        var pid = int.Parse(Path.GetFileName(dir));
        for (var depth = 0; depth < 8 && pid > 1; depth++)
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
            if (parent == self)
            {
                return true;
            }
            pid = parent;
        }
        return false;
    }

    private static long Rss(string status) =>
        File.ReadLines(status).Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).FirstOrDefault();
}
