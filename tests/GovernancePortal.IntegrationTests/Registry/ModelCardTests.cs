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

    private static Task<HttpResponseMessage> SaveSectionAsync(PortalClient client, AngleSharp.Html.Dom.IHtmlDocument page, string section, Dictionary<string, string> fields)
    {
        var basedOn = page.QuerySelector("input[name='Input.BasedOn']")!.GetAttribute("value")!;
        return client.PostFormAsync($"{Editor}?section={section}", page, new Dictionary<string, string>(fields)
        {
            ["_handler"] = "card-section",
            ["Input.BasedOn"] = basedOn,
        });
    }

    [Fact]
    public async Task An_owner_writes_a_section_in_markdown_and_it_is_rendered_safely_with_a_revision_kept()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var page = await owner.GetDocumentAsync($"{Editor}?section=IntendedUse");
        var before = await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync());

        var saved = await SaveSectionAsync(owner, page, "IntendedUse", new()
        {
            ["Input.Text"] = "Ranks **current-account** customers for retention offers.\n\n<script>alert('x')</script> [click](javascript:alert(1))",
        });

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var version = await owner.GetDocumentAsync("/models/churn-retail/versions/2.2.0");
        var section = version.GetElementById("card-IntendedUse")!.ParentElement!;
        Assert.Equal("current-account", section.QuerySelector(".markdown strong")!.TextContent);
        Assert.Empty(version.QuerySelectorAll("[data-testid=model-card] script"));
        Assert.DoesNotContain(section.QuerySelectorAll("a"), a => a.GetAttribute("href")!.StartsWith("javascript", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("<script>alert('x')</script>", section.TextContent);
        Assert.Equal(before + 1, await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync()));
        var audit = await portal.WithDbAsync(db => db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync(e => e.Action == "card.revised"));
        Assert.Equal("owner@demo.test", audit.ActorUsername);
        Assert.Contains("\"section\":\"IntendedUse\"", audit.Payload);
    }

    [Fact]
    public async Task A_validation_error_keeps_everything_that_was_typed()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var page = await owner.GetDocumentAsync($"{Editor}?section=Contacts");
        var before = await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync());

        var response = await SaveSectionAsync(owner, page, "Contacts", new()
        {
            ["Input.Contacts[0].Name"] = "Retention analytics",
            ["Input.Contacts[0].Email"] = "not an e-mail",
            ["Input.Contacts[0].Role"] = "Team",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = PortalClient.Parse(await response.Content.ReadAsStringAsync());
        Assert.NotEmpty(html.QuerySelectorAll("[data-testid=section-errors] li"));
        Assert.Equal("not an e-mail", html.GetElementById("contact-email-0")!.GetAttribute("value"));
        Assert.Equal("Retention analytics", html.GetElementById("contact-name-0")!.GetAttribute("value"));
        Assert.Equal(before, await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync()));
    }

    [Fact]
    public async Task A_save_based_on_an_older_revision_is_refused_shows_what_changed_and_a_deliberate_second_save_lands_on_top()
    {
        const string Mine = "A competing edit that must not overwrite the first one unseen.";
        var first = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var second = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var pageA = await first.GetDocumentAsync($"{Editor}?section=Limitations");
        var pageB = await second.GetDocumentAsync($"{Editor}?section=Limitations");

        var a = await SaveSectionAsync(first, pageA, "Limitations", new() { ["Input.Text"] = "Seasonal churn in January is under-predicted by the model." });
        var users = await SaveSectionAsync(first, await first.GetDocumentAsync($"{Editor}?section=Users"), "Users",
            new() { ["Input.Text"] = "Retention marketing team, saved while the other editor typed." });
        var newest = await LatestRevisionAsync();
        var stale = await SaveSectionAsync(second, pageB, "Limitations", new() { ["Input.Text"] = Mine });
        var stalePage = PortalClient.Parse(await stale.Content.ReadAsStringAsync());
        var afterRefusal = await LatestRevisionAsync();
        var resaved = await SaveSectionAsync(second, stalePage, "Limitations", new() { ["Input.Text"] = Mine });
        var limitationsAfter = await second.GetDocumentAsync($"{Editor}?section=Limitations");
        var usersAfter = await second.GetDocumentAsync($"{Editor}?section=Users");

        Assert.Equal(HttpStatusCode.Redirect, a.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, users.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Contains("saved the card", stalePage.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal(Mine, stalePage.QuerySelector("[data-testid=section-text]")!.TextContent);
        var meanwhile = stalePage.QuerySelector("[data-testid=changed-meanwhile]")!;
        Assert.Equal([$"revision {newest - 1}, Limitations, by owner@demo.test", $"revision {newest}, Intended users, by owner@demo.test"],
            meanwhile.QuerySelectorAll(".timeline li").Select(li => li.TextContent[(li.QuerySelector("time")!.TextContent.Length + 1)..].Trim()));
        Assert.Contains(meanwhile.QuerySelectorAll("pre.diff span.removed"), l => l.TextContent.Contains("Seasonal churn in January"));
        Assert.Contains(meanwhile.QuerySelectorAll("pre.diff span.added"), l => l.TextContent.Contains(Mine));
        Assert.Equal(newest.ToString(), stalePage.QuerySelector("input[name='Input.BasedOn']")!.GetAttribute("value"));
        Assert.Equal(newest, afterRefusal);
        Assert.Equal(HttpStatusCode.Redirect, resaved.StatusCode);
        Assert.Equal(newest + 1, await LatestRevisionAsync());
        Assert.Equal(Mine, limitationsAfter.QuerySelector("[data-testid=section-text]")!.TextContent);
        Assert.Equal("Retention marketing team, saved while the other editor typed.", usersAfter.QuerySelector("[data-testid=section-text]")!.TextContent);
        Assert.Null(limitationsAfter.QuerySelector("[data-testid=changed-meanwhile]"));
    }

    private Task<int> LatestRevisionAsync() => portal.WithDbAsync(db => db.ModelCardRevisions
        .Where(r => db.ModelVersions.Any(v => v.Id == r.VersionId && v.Model.Key == "churn-retail" && v.Major == 2 && v.Minor == 2 && v.Pipeline == 0))
        .MaxAsync(r => r.Number));

    [Fact]
    public async Task Another_team_cannot_edit_the_card()
    {
        var other = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var page = await other.GetDocumentAsync($"{Editor}?section=Overview");
        var before = await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync());

        var response = await SaveSectionAsync(other, page, "Overview", new() { ["Input.Text"] = "Hijacked overview text from another team." });

        Assert.Contains("only its owner and their team", PortalClient.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal(before, await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync(Editor)).StatusCode);
    }

    [Fact]
    public async Task Revisions_show_a_diff_between_any_two()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var page = await owner.GetDocumentAsync($"{Editor}?section=Users");
        await SaveSectionAsync(owner, page, "Users", new() { ["Input.Text"] = "Retention marketing team\nBranch managers" });
        page = await owner.GetDocumentAsync($"{Editor}?section=Users");
        await SaveSectionAsync(owner, page, "Users", new() { ["Input.Text"] = "Retention marketing team\nContact-centre leads" });
        var latest = await portal.WithDbAsync(db => db.ModelCardRevisions.Where(r => r.SavedBy == "owner@demo.test").MaxAsync(r => r.Number));

        var diff = await owner.GetDocumentAsync($"/models/churn-retail/versions/2.2.0/card/revisions?from={latest - 1}&to={latest}");

        var lines = diff.QuerySelectorAll("[data-testid=card-diff] pre span").ToList();
        Assert.Contains(lines, l => l.ClassList.Contains("removed") && l.TextContent.Contains("Branch managers"));
        Assert.Contains(lines, l => l.ClassList.Contains("added") && l.TextContent.Contains("Contact-centre leads"));
        Assert.Contains(lines, l => l.ClassList.Contains("unchanged") && l.TextContent.Contains("Retention marketing team"));
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
        var token = editor.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
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
    public async Task Importing_a_file_that_is_not_a_card_says_so_and_saves_nothing()
    {
        var owner = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var editor = await owner.GetDocumentAsync("/models/radiology-triage/versions/0.3.0/card");
        var token = editor.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var before = await portal.WithDbAsync(db => db.ModelCardRevisions.CountAsync());
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("{\"schema_version\": 7, \"model_details\": []}")), "file", "card.json" },
        };

        await owner.Http.PostAsync("/models/radiology-triage/versions/0.3.0/card/import", form);
        var after = await owner.GetDocumentAsync("/models/radiology-triage/versions/0.3.0/card");

        Assert.Contains("not a Model Card Toolkit card", after.QuerySelector("[data-testid=status-message]")!.TextContent);
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
