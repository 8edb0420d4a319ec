using System.Net;
using System.Text;
using System.Text.Json;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public abstract class PromotionPageTests(PortalFactory portal)
{
    [Fact]
    public async Task Only_officers_are_offered_the_decision_and_the_page_shows_the_outcome()
    {
        var id = await PromotionIdForFreshRequestAsync("owner@demo.test", "mortgage-affordability", "0.9.0");
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var officerView = await officer.GetDocumentAsync($"/approvals/{id}");
        var viewerView = await viewer.GetDocumentAsync($"/approvals/{id}");

        Assert.NotNull(officerView.QuerySelector("[data-testid=approve]"));
        Assert.Equal("#decide-heading", officerView.QuerySelector("[data-testid=jump-to-decision]")?.GetAttribute("href"));
        Assert.NotNull(officerView.QuerySelector("#decide-heading"));
        Assert.Null(viewerView.QuerySelector("[data-testid=approve]"));
        Assert.Null(viewerView.QuerySelector("[data-testid=jump-to-decision]"));
        Assert.Contains("1 more ComplianceOfficer", viewerView.QuerySelector("[data-testid=still-needed]")!.TextContent);
        Assert.Equal("/models/mortgage-affordability", viewerView.QuerySelector("[data-testid=model-link]")!.GetAttribute("href"));

        // What the page's Approve asks for (the page's dialog and snackbar are tested with bUnit).
        var api = await TestApiKeys.ClientAsync(portal, "compliance@demo.test", "page-tests");
        var decided = await api.PostAsync($"/api/v1/promotions/{id}/decisions", new StringContent("{\"decision\":\"approve\",\"comment\":\"Fine for staging.\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var after = await officer.GetDocumentAsync($"/approvals/{id}");
        Assert.Contains("Approved", after.QuerySelector("[data-testid=request-state]")!.TextContent);
        Assert.Contains("Fine for staging.", after.QuerySelector("[data-testid=timeline]")!.TextContent);
        Assert.Null(after.QuerySelector("[data-testid=approve]"));
        Assert.Equal(Stage.Staging, await portal.WithDbAsync(async db => (await RegistryQueries.FindVersionAsync(db, "mortgage-affordability", "0.9.0"))!.Stage));
    }

    [Fact]
    public async Task A_rejection_without_a_reason_is_bad_input_and_changes_nothing()
    {
        var id = await PromotionIdForFreshRequestAsync();
        var api = await TestApiKeys.ClientAsync(portal, "compliance2@demo.test", "page-tests");

        var response = await api.PostAsync($"/api/v1/promotions/{id}/decisions", new StringContent("{\"decision\":\"reject\",\"comment\":\" \"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("comment", await response.Content.ReadAsStringAsync());
        Assert.Equal(PromotionRequestState.Pending, await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));
    }

    private async Task<Guid> PromotionIdForFreshRequestAsync(string owner = "owner2@demo.test", string key = "readmission-30d", string version = "2.0.1")
    {
        var api = await TestApiKeys.ClientAsync(portal, owner, "page-tests");
        var card = JsonDocument.Parse(await api.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        await api.PutAsync($"/api/v1/models/{key}/versions/{version}/card", new StringContent(card, Encoding.UTF8, "application/json"));
        var created = await api.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions",
            new StringContent("{\"targetStage\":\"staging\",\"justification\":\"Base image update.\"}", Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }
}

public sealed class PromotionPageTestsOnSqlite(SqlitePortal portal) : PromotionPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class PromotionPageTestsOnPostgreSql(PostgreSqlPortal portal) : PromotionPageTests(portal), IClassFixture<PostgreSqlPortal>;
