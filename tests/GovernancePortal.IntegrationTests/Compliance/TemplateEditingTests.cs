using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

// Each test changes a template of its own (nist-ai-rmf, eu-ai-act, sr-11-7), so they share one portal safely.
public abstract class TemplateEditingTests(PortalFactory portal)
{
    private Task<HttpClient> Api(string username) => TestApiKeys.ClientAsync(portal, username, "template-tests");

    private Task<int> VersionCountAsync(string templateId) => portal.WithDbAsync(db => db.ChecklistTemplateVersions.CountAsync(t => t.TemplateId == templateId));

    private Task<int> PublishedEventsAsync() => portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "checklist-template.version-published"));

    /// <summary>The newest version as the API gives it, as a body to post back: the caller changes it first.</summary>
    internal static async Task<JsonObject> NewestAsBodyAsync(HttpClient client, string templateId)
    {
        var versions = JsonNode.Parse(await client.GetStringAsync($"/api/v1/checklists/templates/{templateId}/versions"))!.AsArray();
        var newest = versions[^1]!.AsObject();
        var items = new JsonArray(newest["items"]!.AsArray().Select(i =>
        {
            var item = i!.AsObject().DeepClone().AsObject();
            foreach (var empty in item.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                item.Remove(empty);
            }
            return (JsonNode?)item;
        }).ToArray());
        return new JsonObject { ["baseVersion"] = newest["version"]!.GetValue<int>(), ["changeNote"] = "Test change.", ["items"] = items };
    }

    [Fact]
    public async Task Every_page_and_endpoint_lets_in_only_its_roles()
    {
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");
        var anonymous = PortalClient.Anonymous(portal);

        foreach (var url in new[] { "/compliance", "/compliance/templates", "/compliance/templates/hipaa", "/compliance/templates/hipaa?from=1&to=1", "/models/sepsis-early-warning/compliance" })
        {
            // Strict script CSP: no inline script on any of these pages (inline styles are allowed for MudBlazor, ADR-019).
            Assert.Empty((await viewer.GetDocumentAsync(url)).QuerySelectorAll("script:not([src])"));
            Assert.Equal(HttpStatusCode.OK, (await auditor.Http.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.Redirect, (await anonymous.Http.GetAsync(url)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.Http.GetAsync("/compliance/templates/no-such-template")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.Http.GetAsync("/models/no-such-model/compliance")).StatusCode);

        const string edit = "/compliance/templates/hipaa/edit";
        foreach (var refused in new[] { viewer, owner, auditor })
        {
            var response = await refused.Http.GetAsync(edit);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/access-denied", response.Headers.Location!.AbsolutePath);
        }
        Assert.Empty((await officer.GetDocumentAsync(edit)).QuerySelectorAll("script:not([src])"));
        Assert.Empty((await admin.GetDocumentAsync(edit + "?item=hipaa-164-312-b-audit-controls")).QuerySelectorAll("script:not([src])"));
        Assert.Empty((await officer.GetDocumentAsync(edit + "?retire=hipaa-164-312-b-audit-controls")).QuerySelectorAll("script:not([src])"));
        Assert.Equal(HttpStatusCode.NotFound, (await officer.Http.GetAsync(edit + "?item=no-such-item")).StatusCode);
        // Edit links only for those who may use them.
        Assert.NotNull((await officer.GetDocumentAsync("/compliance/templates/hipaa")).QuerySelector("[data-testid=add-item]"));
        Assert.Null((await viewer.GetDocumentAsync("/compliance/templates/hipaa")).QuerySelector("[data-testid=add-item]"));

        // 1.2.0: the demo assesses only 1.1.0 (signed off), so this version has no assessment to upgrade.
        const string upgrade = "/models/sepsis-early-warning/versions/1.2.0/compliance/hipaa/upgrade";
        Assert.Equal(HttpStatusCode.Redirect, (await auditor.Http.GetAsync(upgrade)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await officer.Http.GetAsync(upgrade)).StatusCode);
        // No assessment yet, so nothing to upgrade.
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync(upgrade)).StatusCode);

        var viewerApi = await Api("viewer@demo.test");
        var ownerApi = await Api("owner@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await viewerApi.GetAsync("/api/v1/checklists/templates/hipaa/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewerApi.GetAsync("/api/v1/checklists/templates/hipaa/versions/1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewerApi.GetAsync("/api/v1/checklists/templates/hipaa/versions/99")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewerApi.GetAsync("/api/v1/checklists/templates/nope/versions")).StatusCode);
        var body = await NewestAsBodyAsync(viewerApi, "hipaa");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerApi.PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ownerApi.PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await portal.CreateClient().PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(body))).StatusCode);
    }

    [Fact]
    public async Task The_api_names_each_bad_field_with_422_refuses_unknown_members_and_saves_nothing()
    {
        var officer = await Api("compliance2@demo.test");
        var before = await VersionCountAsync("hipaa");
        var body = await NewestAsBodyAsync(officer, "hipaa");
        body["items"]![1]!["appliesWhen"] = "risk is Medium";
        body["items"]![2]!["citation"] = "";
        body["changeNote"] = null;

        var invalid = await officer.PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(body));
        var unknown = await officer.PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(new JsonObject { ["baseVersion"] = 1, ["itemz"] = new JsonArray() }));
        var badEvidence = await officer.PostAsync("/api/v1/checklists/templates/hipaa/versions",
            Json(new JsonObject { ["baseVersion"] = 1, ["items"] = new JsonArray(new JsonObject { ["evidence"] = "pdf" }) }));
        var missingBase = await officer.PostAsync("/api/v1/checklists/templates/hipaa/versions", Json(new JsonObject { ["changeNote"] = "x", ["items"] = new JsonArray() }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("expected a risk tier", errors.GetProperty("items[1].appliesWhen")[0].GetString());
        Assert.True(errors.TryGetProperty("items[2].citation", out _));
        Assert.True(errors.TryGetProperty("changeNote", out _));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("itemz", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badEvidence.StatusCode);
        Assert.Contains("items[0].evidence", await badEvidence.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missingBase.StatusCode);
        Assert.Contains("baseVersion", await missingBase.Content.ReadAsStringAsync());
        Assert.Equal(before, await VersionCountAsync("hipaa"));
    }

    [Fact]
    public async Task Of_two_publishes_on_the_same_version_exactly_one_wins()
    {
        var first = await Api("compliance@demo.test");
        var second = await Api("compliance2@demo.test");
        var a = await NewestAsBodyAsync(first, "eu-ai-act");
        var b = await NewestAsBodyAsync(second, "eu-ai-act");
        a["items"]![0]!["guidance"] = "Guidance from the first officer.";
        b["items"]!.AsArray().RemoveAt(1);

        var responses = await Task.WhenAll(
            first.PostAsync("/api/v1/checklists/templates/eu-ai-act/versions", Json(a)),
            second.PostAsync("/api/v1/checklists/templates/eu-ai-act/versions", Json(b)));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Equal(2, await VersionCountAsync("eu-ai-act"));
        var created = await responses.Single(r => r.StatusCode == HttpStatusCode.Created).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, created.GetProperty("version").GetInt32());
        Assert.Equal(1, (await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "checklist-template.version-published").ToListAsync()))
            .Count(e => e.Payload.Contains("eu-ai-act")));
        Assert.Contains("A newer version exists", await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_upgrade_keeps_unchanged_answers_asks_to_confirm_changed_ones_drops_retired_ones_and_voids_the_sign_off()
    {
        var old = await portal.WithDbAsync(db => ComplianceTestData.SeedAsync(db, "demand-forecast-stores", "4.0.0", "sr-11-7", AssessmentStatus.SignedOff,
            DateTimeOffset.UtcNow.AddDays(-10)));
        var officer = await Api("compliance@demo.test");
        var body = await NewestAsBodyAsync(officer, "sr-11-7");
        var items = body["items"]!.AsArray();
        items.Single(i => i!["id"]!.GetValue<string>() == "sr-11-7-inventory")!["guidance"] = "Keep the inventory current.";
        items.Single(i => i!["id"]!.GetValue<string>() == "sr-11-7-documentation")!["text"] = "Document the model for a reader new to it";
        items.Remove(items.Single(i => i!["id"]!.GetValue<string>() == "sr-11-7-vendor-components"));
        items.Add(new JsonObject
        {
            ["id"] = "sr-11-7-model-tiering", ["text"] = "Assign the model a risk tier", ["guidance"] = "Tiering drives validation depth.",
            ["citation"] = "SR 11-7, Section VI", ["evidence"] = "none",
        });
        var publish = await officer.PostAsync("/api/v1/checklists/templates/sr-11-7/versions", Json(body));
        Assert.Equal(HttpStatusCode.Created, publish.StatusCode);

        const string url = "/models/demand-forecast-stores/versions/4.0.0/compliance/sr-11-7/upgrade";
        var stranger = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var strangerPage = await stranger.GetDocumentAsync(url);
        Assert.NotNull(strangerPage.QuerySelector("[data-testid=refusal]"));
        Assert.Null(strangerPage.QuerySelector("[data-testid=upgrade]"));
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var page = await owner.GetDocumentAsync(url);
        Assert.Contains("sr-11-7-inventory", page.QuerySelector("[data-testid=plan-keep]")!.TextContent);
        Assert.Contains("sr-11-7-documentation", page.QuerySelector("[data-testid=plan-confirm]")!.TextContent);
        Assert.Contains("sr-11-7-model-tiering", page.QuerySelector("[data-testid=plan-unanswered]")!.TextContent);
        Assert.Contains("sr-11-7-vendor-components", page.QuerySelector("[data-testid=plan-dropped]")!.TextContent);
        Assert.NotNull(page.QuerySelector("[data-testid=voids-sign-off]"));
        Assert.Empty(page.QuerySelectorAll("script:not([src])"));

        // The page's button confirms in a dialog and calls the same service (TemplatePagesTests, the journey); here the owner's pipeline does.
        const string api = "/api/v1/models/demand-forecast-stores/versions/4.0.0/assessments/sr-11-7/upgrade";
        Assert.Equal(HttpStatusCode.Forbidden, (await (await Api("owner@demo.test")).PostAsync(api, Json(new JsonObject { ["toVersion"] = 2 }))).StatusCode);
        var upgraded = await (await Api("owner2@demo.test")).PostAsync(api, Json(new JsonObject { ["toVersion"] = 2 }));
        Assert.Equal(HttpStatusCode.Created, upgraded.StatusCode);
        var (fresh, previous) = await portal.WithDbAsync(async db =>
        {
            var all = await db.Assessments.AsNoTracking().Include(a => a.TemplateVersion).Include(a => a.Answers).Include(a => a.Evidence)
                .Where(a => a.VersionId == old.VersionId && a.TemplateId == "sr-11-7").ToListAsync();
            return (all.Single(a => a.TemplateVersion.Version == 2), all.Single(a => a.Id == old.Id));
        });
        Assert.Equal(AssessmentStatus.InProgress, fresh.Status);
        Assert.Null(fresh.SignedOffAt);
        Assert.Contains("Sign-off by compliance@demo.test voided", fresh.VoidReason);
        Assert.Equal(old.Id, fresh.CarriedOverFrom);
        var inventory = fresh.Answers.Single(a => a.ItemId == "sr-11-7-inventory");
        Assert.Equal((false, ReviewState.Accepted), (inventory.CarriedOver, inventory.Review));
        Assert.Single(fresh.Evidence, e => e.ItemId == "sr-11-7-inventory");
        var documentation = fresh.Answers.Single(a => a.ItemId == "sr-11-7-documentation");
        Assert.Equal((true, ReviewState.None), (documentation.CarriedOver, documentation.Review));
        Assert.DoesNotContain(fresh.Answers, a => a.ItemId is "sr-11-7-vendor-components" or "sr-11-7-model-tiering");
        Assert.Equal(8, fresh.Answers.Count);
        // The old assessment stays as it was signed off, for the record.
        Assert.Equal((AssessmentStatus.SignedOff, 9), (previous.Status, previous.Answers.Count));
        var actions = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == fresh.Id.ToString() || e.EntityId == old.Id.ToString())
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername }).ToListAsync());
        Assert.Equal(["test.assessment-seeded", "assessment.sign-off-voided", "assessment.upgraded"], actions.Select(a => a.Action));
        Assert.Equal("owner2@demo.test", actions[^1].ActorUsername);
        // The gate judges the upgraded assessment: not signed off, the new item named.
        await using var scope = portal.Services.CreateAsyncScope();
        var status = await scope.ServiceProvider.GetRequiredService<ChecklistReads>().StatusAsync(old.VersionId);
        var sr117 = status!.Templates.Single(t => t.TemplateId == "sr-11-7");
        Assert.False(sr117.SignedOff);
        Assert.Equal(2, sr117.TemplateVersion);
        Assert.Contains(sr117.Missing, m => m.ItemId == "sr-11-7-model-tiering");

        var again = await owner.GetDocumentAsync(url);
        Assert.Contains("already uses", again.QuerySelector("[data-testid=refusal]")!.TextContent);
        Assert.Null(again.QuerySelector("[data-testid=upgrade]"));
    }
}

public sealed class TemplateEditingTestsOnSqlite(SqlitePortal portal) : TemplateEditingTests(portal), IClassFixture<SqlitePortal>;

public sealed class TemplateEditingTestsOnPostgreSql(PostgreSqlPortal portal) : TemplateEditingTests(portal), IClassFixture<PostgreSqlPortal>;
