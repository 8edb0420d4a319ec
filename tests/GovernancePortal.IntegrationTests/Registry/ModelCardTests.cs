using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Registry.RegistryTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Registry;

public abstract class ModelCardTests(PortalFactory portal)
{
    private const string Editor = "/models/churn-retail/versions/2.2.0/card";

    [Fact]
    public async Task Markdown_in_a_section_is_rendered_safely_on_the_version_page()
    {
        var client = await ApiClientAsync(portal, "owner@demo.test");
        var response = await client.PutAsync($"/api/v1/models/churn-retail/versions/2.2.0/card", Json(new JsonObject
        {
            ["intendedUse"] = "Ranks **current-account** customers for retention offers.\n\n<script>alert('x')</script> [click](javascript:alert(1))",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var version = await owner.GetDocumentAsync("/models/churn-retail/versions/2.2.0");
        var section = version.GetElementById("card-IntendedUse")!.ParentElement!;
        Assert.Equal("current-account", section.QuerySelector(".markdown strong")!.TextContent);
        Assert.Empty(version.QuerySelectorAll("[data-testid=model-card] script"));
        Assert.DoesNotContain(section.QuerySelectorAll("a"), a => a.GetAttribute("href")!.StartsWith("javascript", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("<script>alert('x')</script>", section.TextContent);
    }

    [Fact]
    public async Task Only_model_owners_open_the_editor()
    {
        Assert.Equal(HttpStatusCode.Redirect, (await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync(Editor)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await (await PortalClient.SignedInAsync(portal, "owner@demo.test")).Http.GetAsync(Editor)).StatusCode);
    }

    [Fact]
    public async Task A_card_exports_as_toolkit_json_and_markdown_and_imports_back()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");

        var json = await owner.Http.GetStringAsync("/models/sepsis-early-warning/versions/1.1.0/card.mct.json");
        var markdown = await owner.Http.GetStringAsync("/models/sepsis-early-warning/versions/1.1.0/card.md");
        var exported = JsonDocument.Parse(json).RootElement;
        Assert.Equal("0.0.2", exported.GetProperty("schema_version").GetString());
        Assert.Equal("Sepsis early warning", exported.GetProperty("model_details").GetProperty("name").GetString());
        Assert.StartsWith("---\n", markdown);
        Assert.Contains("## Uses", markdown);

        var editor = await owner.GetDocumentAsync("/models/sepsis-early-warning/versions/1.2.0/card");
        var token = editor.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(json)), "file", "card.json" },
        };
        var imported = await owner.Http.PostAsync("/models/sepsis-early-warning/versions/1.2.0/card/import", form);

        Assert.Equal(HttpStatusCode.Redirect, imported.StatusCode);
        var cards = await portal.WithDbAsync(async db =>
        {
            var versions = await db.ModelVersions.Include(v => v.Model).Where(v => v.Model.Key == "sepsis-early-warning").ToListAsync();
            var ids = versions.Select(v => v.Id).ToList();
            var revisions = await db.ModelCardRevisions.Where(r => ids.Contains(r.VersionId)).ToListAsync();
            return revisions.GroupBy(r => r.VersionId).ToDictionary(g => versions.Single(v => v.Id == g.Key).Number.ToString(), g => g.MaxBy(r => r.Number)!.Card);
        });
        Assert.Equal(cards["1.1.0"], cards["1.2.0"]);
    }

    [Fact]
    public async Task Importing_a_file_that_is_not_a_card_by_form_post_saves_nothing()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var editor = await owner.GetDocumentAsync("/models/radiology-triage/versions/0.3.0/card");
        var token = editor.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var before = await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync());
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("{\"schema_version\": 7, \"model_details\": []}")), "file", "card.json" },
        };

        var response = await owner.Http.PostAsync("/models/radiology-triage/versions/0.3.0/card/import", form);

        // The editor's own upload says why (CardEditorTests); a form post goes back to the editor.
        Assert.Equal("/models/radiology-triage/versions/0.3.0/card", response.Headers.Location?.OriginalString);
        Assert.Equal(before, await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync()));
    }

    [Fact]
    public async Task The_api_replaces_a_card_and_reports_completeness()
    {
        var client = await ApiClientAsync(portal, "owner@demo.test");
        var card = new JsonObject
        {
            ["overview"] = "Classifies customer chat messages into intents for routing to the right queue.",
            ["intendedUse"] = "Routing chats to specialist queues; agents can re-route any conversation.",
            ["ethicalConsiderations"] = new JsonArray(new JsonObject { ["risk"] = "Misrouting vulnerable customers", ["mitigation"] = "Keyword safety net routes to trained agents." }),
        };

        var response = await client.PutAsync("/api/v1/models/support-chat-intent/versions/1.0.0/card", Json(card));
        var unknown = await client.PutAsync("/api/v1/models/support-chat-intent/versions/1.0.0/card", Json(new JsonObject { ["sneaky"] = "x" }));
        var viewer = await (await ApiClientAsync(portal, "viewer@demo.test")).PutAsync("/api/v1/models/support-chat-intent/versions/1.0.0/card", Json(card));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.InRange(body.GetProperty("completeness").GetInt32(), 1, 99);
        Assert.Contains("Out-of-scope uses", body.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
    }
}

public sealed class ModelCardTestsOnSqlite(SqlitePortal portal) : ModelCardTests(portal), IClassFixture<SqlitePortal>;

public sealed class ModelCardTestsOnPostgreSql(PostgreSqlPortal portal) : ModelCardTests(portal), IClassFixture<PostgreSqlPortal>;
