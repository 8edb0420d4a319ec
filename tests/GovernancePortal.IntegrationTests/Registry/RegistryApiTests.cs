using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Registry.RegistryTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Registry;

public abstract class RegistryApiTests(PortalFactory portal)
{
    private Task<HttpClient> ClientAsync(string username) => RegistryTestData.ApiClientAsync(portal, username);

    [Fact]
    public async Task A_pipeline_registers_a_model_and_three_versions_and_reads_them_back()
    {
        var client = await ClientAsync("owner@demo.test");

        var created = await client.PostAsync("/api/v1/models", Json(ModelBody("loan-pricing")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/models/loan-pricing", created.Headers.Location!.OriginalString);
        foreach (var (version, kind, parent) in new[] { ("1.0.0", "improvedModel", (string?)null), ("1.1.0", "improvedModel", "1.0.0"), ("1.1.1", "pipelineChange", "1.1.0") })
        {
            var response = await client.PostAsync("/api/v1/models/loan-pricing/versions", Json(VersionBody(version, kind, parent)));
            Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            Assert.Equal($"/api/v1/models/loan-pricing/versions/{version}", response.Headers.Location!.OriginalString);
        }

        var model = await client.GetFromJsonAsync<JsonElement>("/api/v1/models/loan-pricing");
        var latest = await client.GetFromJsonAsync<JsonElement>("/api/v1/models/loan-pricing/versions/1.1.1");

        Assert.Equal(["1.1.1", "1.1.0", "1.0.0"], model.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetString()));
        Assert.Equal("high", model.GetProperty("riskTier").GetString());
        Assert.Equal("development", latest.GetProperty("stage").GetString());
        Assert.Equal("1.1.0", latest.GetProperty("lineage").GetProperty("parentVersion").GetString());
        Assert.Equal(2, latest.GetProperty("metrics").GetArrayLength());
        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "version.registered" && e.Payload.Contains("\"model\":\"loan-pricing\"")).ToListAsync());
        Assert.Equal(3, audit.Count);
        Assert.All(audit, e => Assert.Equal(("owner@demo.test", "registry-tests"), (e.ActorUsername, e.ActorApiKey)));
    }

    [Fact]
    public async Task A_version_number_that_does_not_follow_gets_422_saying_what_was_expected()
    {
        var client = await ClientAsync("owner@demo.test");
        await client.PostAsync("/api/v1/models", Json(ModelBody("numbering-check")));
        await client.PostAsync("/api/v1/models/numbering-check/versions", Json(VersionBody("1.9.0", "improvedModel")));

        var response = await client.PostAsync("/api/v1/models/numbering-check/versions", Json(VersionBody("1.9.1", "improvedModel")));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Expected 1.10.0: an improved model after 1.9.0 moves MINOR and resets PIPELINE.",
            problem.GetProperty("errors").GetProperty("version")[0].GetString());
    }

    [Fact]
    public async Task Duplicates_get_409()
    {
        var client = await ClientAsync("owner@demo.test");
        await client.PostAsync("/api/v1/models", Json(ModelBody("duplicate-check")));
        await client.PostAsync("/api/v1/models/duplicate-check/versions", Json(VersionBody("1.0.0", "improvedModel")));

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/models", Json(ModelBody("duplicate-check")))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync("/api/v1/models/duplicate-check/versions", Json(VersionBody("1.0.0", "pipelineChange")))).StatusCode);
    }

    [Fact]
    public async Task Another_team_cannot_add_versions_and_readers_cannot_register()
    {
        var owner = await ClientAsync("owner@demo.test");
        await owner.PostAsync("/api/v1/models", Json(ModelBody("team-check")));

        var otherTeam = await (await ClientAsync("owner2@demo.test")).PostAsync("/api/v1/models/team-check/versions", Json(VersionBody("1.0.0", "improvedModel")));
        var viewer = await (await ClientAsync("viewer@demo.test")).PostAsync("/api/v1/models", Json(ModelBody("viewer-made")));
        var auditor = await (await ClientAsync("auditor@demo.test")).PostAsync("/api/v1/models", Json(ModelBody("auditor-made")));
        var foreignOwner = ModelBody("foreign-owner");
        foreignOwner["owner"] = "owner2@demo.test";
        var forOtherTeam = await owner.PostAsync("/api/v1/models", Json(foreignOwner));

        Assert.Equal(HttpStatusCode.Forbidden, otherTeam.StatusCode);
        Assert.Contains("only its owner and their team", (await otherTeam.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, auditor.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forOtherTeam.StatusCode);
        Assert.False(await portal.WithDbAsync(db => db.Models.AnyAsync(m => m.Key == "viewer-made" || m.Key == "auditor-made" || m.Key == "foreign-owner")));
    }

    [Fact]
    public async Task Every_bad_field_is_named()
    {
        var client = await ClientAsync("owner@demo.test");
        var body = ModelBody("Bad Key");
        body["name"] = "";
        body.Remove("riskTier");
        body["tags"] = new JsonArray("ok", "not ok!");

        var response = await client.PostAsync("/api/v1/models", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["key", "name", "riskTier", "tags[1]"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Listing_filters_and_pages_and_refuses_bad_parameters()
    {
        var client = await ClientAsync("viewer@demo.test");

        var high = await client.GetFromJsonAsync<JsonElement>("/api/v1/models?riskTier=High&stage=Production&pageSize=2&page=2");
        var bad = await client.GetAsync("/api/v1/models?riskTier=Extreme&pageSize=1000");

        Assert.Equal(2, high.GetProperty("items").GetArrayLength());
        Assert.True(high.GetProperty("total").GetInt32() >= 4);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("riskTier", out _) && errors.TryGetProperty("pageSize", out _));
    }
}

public sealed class RegistryApiTestsOnSqlite(SqlitePortal portal) : RegistryApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class RegistryApiTestsOnPostgreSql(PostgreSqlPortal portal) : RegistryApiTests(portal), IClassFixture<PostgreSqlPortal>;
