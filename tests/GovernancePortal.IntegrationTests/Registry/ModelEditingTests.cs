using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Registry;

public abstract class ModelEditingTests(PortalFactory portal)
{
    private Task<HttpClient> As(string username) => RegistryTestData.ApiClientAsync(portal, username);

    private static StringContent Patch(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> ErrorsAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");

    /// <summary>A model of owner@'s team (personal data, no EU data subjects) with version 1.0.0.</summary>
    private async Task<string> ModelAsync(string key)
    {
        var owner = await As("owner@demo.test");
        await OkAsync(await owner.PostAsync("/api/v1/models", Json(RegistryTestData.ModelBody(key))));
        await OkAsync(await owner.PostAsync($"/api/v1/models/{key}/versions", Json(RegistryTestData.VersionBody("1.0.0", "improvedModel"))));
        return key;
    }

    private Task<Model> StoredAsync(string key) => portal.WithDbAsync(db => db.Models.AsNoTracking().SingleAsync(m => m.Key == key));

    [Fact]
    public async Task A_patch_changes_only_the_given_details_is_audited_before_and_after_and_an_identical_one_saves_nothing()
    {
        var key = await ModelAsync("edit-api");
        var owner = await As("owner@demo.test");

        var changed = await OkAsync(await owner.PatchAsync($"/api/v1/models/{key}", Patch(new { riskTier = "limited", euDataSubjects = true, revision = 0 })));
        var again = await OkAsync(await owner.PatchAsync($"/api/v1/models/{key}", Patch(new { riskTier = "limited", euDataSubjects = true })));
        var assessments = await OkAsync(await owner.GetAsync($"/api/v1/models/{key}/versions/1.0.0/assessments"));

        Assert.Equal("limited", changed.GetProperty("riskTier").GetString());
        Assert.True(changed.GetProperty("euDataSubjects").GetBoolean());
        Assert.Equal("Loan pricing", changed.GetProperty("name").GetString());
        Assert.Equal(["personalData"], changed.GetProperty("dataCategories").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(1, changed.GetProperty("revision").GetInt32());
        Assert.Equal(1, again.GetProperty("revision").GetInt32());
        var updated = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "model.updated" && e.Payload.Contains(key)).ToListAsync());
        var audit = Assert.Single(updated);
        Assert.Equal("owner@demo.test", audit.ActorUsername);
        Assert.Contains("\"riskTier\":{\"after\":\"Limited\",\"before\":\"High\"}", audit.Payload);
        Assert.Contains("\"euDataSubjects\":{\"after\":true,\"before\":false}", audit.Payload);
        Assert.DoesNotContain("\"name\":", audit.Payload);
        Assert.Contains("GDPR applies", assessments.EnumerateArray().Single(a => a.GetProperty("template").GetString() == "gdpr").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_patch_is_refused_with_the_reason_for_other_teams_bad_fields_and_a_stale_revision()
    {
        var key = await ModelAsync("edit-api-refusals");
        var owner = await As("owner@demo.test");
        var url = $"/api/v1/models/{key}";

        var otherTeam = await (await As("owner2@demo.test")).PatchAsync(url, Patch(new { riskTier = "minimal" }));
        var viewer = await (await As("viewer@demo.test")).PatchAsync(url, Patch(new { riskTier = "minimal" }));
        var officer = await (await As("compliance@demo.test")).PatchAsync(url, Patch(new { riskTier = "minimal" }));
        var anonymous = await portal.CreateClient().PatchAsync(url, Patch(new { riskTier = "minimal" }));
        var unknownModel = await owner.PatchAsync("/api/v1/models/no-such-model", Patch(new { riskTier = "minimal" }));
        var unknownMember = await owner.PatchAsync(url, Patch(new { riskTeir = "minimal" }));
        var badTier = await owner.PatchAsync(url, Patch(new { riskTier = "extreme" }));
        var blankName = await owner.PatchAsync(url, Patch(new { name = " " }));
        var badFields = await owner.PatchAsync(url, Patch(new { tags = new[] { "ok", "not ok!" }, dataCategories = new[] { "none", "personalData" }, useCase = new string('x', 1001) }));
        var ownerChange = await owner.PatchAsync(url, Patch(new { owner = "owner2@demo.test" }));
        var notJson = await owner.PatchAsync(url, new StringContent("riskTier=minimal", Encoding.UTF8, "application/x-www-form-urlencoded"));
        var stale = await owner.PatchAsync(url, Patch(new { riskTier = "minimal", revision = 7 }));
        var unchanged = await StoredAsync(key);
        var byAdmin = await OkAsync(await (await As("admin@demo.test")).PatchAsync(url, Patch(new { automatedLegalEffect = true, revision = 0 })));

        Assert.Equal(HttpStatusCode.Forbidden, otherTeam.StatusCode);
        Assert.Contains("only its owner and their team", (await otherTeam.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, officer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownModel.StatusCode);
        Assert.Equal("application/problem+json", unknownModel.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.BadRequest, unknownMember.StatusCode);
        Assert.True((await ErrorsAsync(unknownMember)).TryGetProperty("riskTeir", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badTier.StatusCode);
        Assert.True((await ErrorsAsync(badTier)).TryGetProperty("riskTier", out _));
        Assert.Equal(HttpStatusCode.BadRequest, blankName.StatusCode);
        Assert.Equal("This field is required.", (await ErrorsAsync(blankName)).GetProperty("name")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badFields.StatusCode);
        var errors = await ErrorsAsync(badFields);
        Assert.Equal(["dataCategories", "tags[1]", "useCase"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Equal(HttpStatusCode.BadRequest, ownerChange.StatusCode);
        Assert.True((await ErrorsAsync(ownerChange)).TryGetProperty("owner", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed after you opened it", (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal((RiskTier.High, 0, false), (unchanged.RiskTier, unchanged.Revision, unchanged.AutomatedLegalEffect));
        Assert.True(byAdmin.GetProperty("automatedLegalEffect").GetBoolean());
        Assert.Single(await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "model.updated" && e.Payload.Contains(key)).ToListAsync()));
    }

    // Saving through the edit page (field errors, a stale save) is a bUnit test now (ComponentTests/Models/ModelFormsTests).
    [Fact]
    public async Task A_model_edited_to_EU_data_subjects_shows_GDPR_with_its_reason_on_its_version_page()
    {
        var key = await ModelAsync("edit-page-gdpr");
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var versionBefore = await owner.GetDocumentAsync($"/models/{key}/versions/1.0.0");
        var modelPage = await owner.GetDocumentAsync($"/models/{key}");
        var form = await owner.GetDocumentAsync($"/models/{key}/edit");

        await OkAsync(await (await As("owner@demo.test")).PatchAsync($"/api/v1/models/{key}", Patch(new { euDataSubjects = true })));
        var after = await owner.GetDocumentAsync($"/models/{key}");
        var versionAfter = await owner.GetDocumentAsync($"/models/{key}/versions/1.0.0?tab=compliance");

        Assert.Null(versionBefore.QuerySelector("[data-testid=compliance-gdpr]"));
        Assert.Equal($"/models/{key}/edit", modelPage.QuerySelector("[data-testid=edit-model]")!.GetAttribute("href"));
        Assert.Equal("Loan pricing", form.QuerySelector("[data-testid=model-name] input")!.GetAttribute("value"));
        Assert.Equal("Yes", after.QuerySelector("dd[data-testid=eu-data-subjects]")!.TextContent);
        var gdpr = versionAfter.QuerySelector("[data-testid=compliance-gdpr]")!;
        Assert.Contains("GDPR applies:", gdpr.TextContent);
        Assert.Contains("EU", gdpr.TextContent);
    }

    [Fact]
    public async Task The_edit_page_is_for_the_owning_team_and_admins_only()
    {
        var key = await ModelAsync("edit-page-access");
        var url = $"/models/{key}/edit";

        var anonymous = await PortalClient.Anonymous(portal).Http.GetAsync(url);
        var viewer = await (await PortalClient.SignedInAsync(portal, "viewer@demo.test")).Http.GetAsync(url);
        var officer = await (await PortalClient.SignedInAsync(portal, "compliance@demo.test")).Http.GetAsync(url);
        var otherOwnerClient = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        var otherOwner = await otherOwnerClient.Http.GetAsync(url);
        var otherOwnerPage = PortalClient.Parse(await otherOwner.Content.ReadAsStringAsync());
        var otherOwnerModelPage = await otherOwnerClient.GetDocumentAsync($"/models/{key}");
        var admin = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var adminPage = await admin.GetDocumentAsync(url);
        var adminModelPage = await admin.GetDocumentAsync($"/models/{key}");
        var unknown = await admin.Http.GetAsync("/models/no-such-model/edit");

        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/account/sign-in", anonymous.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, viewer.StatusCode);
        Assert.Contains("/account/access-denied", viewer.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, officer.StatusCode);
        Assert.Contains("/account/access-denied", officer.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, otherOwner.StatusCode);
        Assert.Contains("only its owner and their team", otherOwnerPage.QuerySelector("[data-testid=refusal]")!.TextContent);
        Assert.Null(otherOwnerPage.QuerySelector("[data-testid=model-name] input"));
        Assert.Null(otherOwnerModelPage.QuerySelector("[data-testid=edit-model]"));
        Assert.NotNull(adminPage.QuerySelector("[data-testid=model-name] input"));
        Assert.NotNull(adminModelPage.QuerySelector("[data-testid=edit-model]"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var stored = await StoredAsync(key);
        Assert.Equal((RiskTier.High, 0), (stored.RiskTier, stored.Revision));
    }
}

public sealed class ModelEditingTestsOnSqlite(SqlitePortal portal) : ModelEditingTests(portal), IClassFixture<SqlitePortal>;

public sealed class ModelEditingTestsOnPostgreSql(PostgreSqlPortal portal) : ModelEditingTests(portal), IClassFixture<PostgreSqlPortal>;
