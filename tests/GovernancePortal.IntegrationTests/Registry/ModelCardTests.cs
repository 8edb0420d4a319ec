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
    public async Task A_card_exports_as_toolkit_json_and_markdown()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");

        var json = await owner.Http.GetStringAsync("/models/sepsis-early-warning/versions/1.1.0/card.mct.json");
        var markdown = await owner.Http.GetStringAsync("/models/sepsis-early-warning/versions/1.1.0/card.md");
        var exported = JsonDocument.Parse(json).RootElement;
        Assert.Equal("0.0.2", exported.GetProperty("schema_version").GetString());
        Assert.Equal("Sepsis early warning", exported.GetProperty("model_details").GetProperty("name").GetString());
        Assert.StartsWith("---\n", markdown);
        Assert.Contains("## Uses", markdown);
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
