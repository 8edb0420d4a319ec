using System.Net;
using System.Text;
using System.Text.Json;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

public abstract class PromotionPageTests(PortalFactory portal)
{
    private async Task<Guid> RequestStagingAsync()
    {
        var api = await TestApiKeys.ClientAsync(portal, "owner@demo.test", "page-tests");
        var card = JsonDocument.Parse(await api.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        await api.PutAsync("/api/v1/models/mortgage-affordability/versions/0.9.0/card", new StringContent(card, Encoding.UTF8, "application/json"));
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var check = await owner.GetDocumentAsync("/models/mortgage-affordability/versions/0.9.0/promote?target=Staging");
        Assert.NotNull(check.QuerySelector("[data-testid=submit-request]"));
        var submitted = await owner.PostFormAsync("/models/mortgage-affordability/versions/0.9.0/promote?target=Staging", check, new()
        {
            ["_handler"] = "request-promotion", ["Target"] = "Staging", ["Justification"] = "Pilot with underwriters went well.",
        });
        Assert.Equal(HttpStatusCode.Redirect, submitted.StatusCode);
        return Guid.Parse(submitted.Headers.Location!.OriginalString.Split('/').Last());
    }

    [Fact]
    public async Task The_inbox_lists_pending_requests_and_only_officers_get_the_decision_form()
    {
        var id = await RequestStagingAsync();
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");

        var inbox = await officer.GetDocumentAsync("/approvals?stage=Staging&risk=High");
        var officerView = await officer.GetDocumentAsync($"/approvals/{id}");
        var viewerView = await viewer.GetDocumentAsync($"/approvals/{id}");

        var row = inbox.QuerySelectorAll("[data-testid=inbox] tbody tr").Single(r => r.QuerySelector("[data-testid=request-link]")!.GetAttribute("href") == $"/approvals/{id}");
        Assert.Equal("/models/mortgage-affordability", row.QuerySelector("[data-testid=model-link]")!.GetAttribute("href"));
        Assert.Equal("Mortgage affordability", row.QuerySelector("[data-testid=model-link]")!.TextContent);
        Assert.Equal("/models/mortgage-affordability/versions/0.9.0", row.QuerySelector("[data-testid=version-link]")!.GetAttribute("href"));
        Assert.NotNull(officerView.QuerySelector("[data-testid=approve]"));
        Assert.Equal("#decide-heading", officerView.QuerySelector("[data-testid=jump-to-decision]")?.GetAttribute("href"));
        Assert.NotNull(officerView.QuerySelector("#decide-heading"));
        Assert.Null(viewerView.QuerySelector("[data-testid=approve]"));
        Assert.Null(viewerView.QuerySelector("[data-testid=jump-to-decision]"));
        Assert.Contains("1 more ComplianceOfficer", viewerView.QuerySelector("[data-testid=still-needed]")!.TextContent);

        var decided = await officer.PostFormAsync($"/approvals/{id}", officerView, new() { ["_handler"] = "decide", ["Verdict"] = "Approve", ["Comment"] = "Fine for staging." });
        Assert.Equal(HttpStatusCode.Redirect, decided.StatusCode);
        var after = await officer.GetDocumentAsync($"/approvals/{id}");
        Assert.Contains("Approved", after.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal(Stage.Staging, await portal.WithDbAsync(async db => (await RegistryQueries.FindVersionAsync(db, "mortgage-affordability", "0.9.0"))!.Stage));
    }

    [Fact]
    public async Task An_officers_reject_without_a_reason_is_refused_on_the_page()
    {
        var id = await PromotionIdForFreshRequestAsync();
        var officer = await PortalClient.SignedInAsync(portal, "compliance2@demo.test");
        var page = await officer.GetDocumentAsync($"/approvals/{id}");

        var response = await officer.PostFormAsync($"/approvals/{id}", page, new() { ["_handler"] = "decide", ["Verdict"] = "Reject", ["Comment"] = "" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(PortalClient.Parse(await response.Content.ReadAsStringAsync()).QuerySelector("[data-testid=status-message]"));
        Assert.Equal(PromotionRequestState.Pending, await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));
    }

    private async Task<Guid> PromotionIdForFreshRequestAsync()
    {
        var api = await TestApiKeys.ClientAsync(portal, "owner2@demo.test", "page-tests");
        var card = JsonDocument.Parse(await api.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        await api.PutAsync("/api/v1/models/readmission-30d/versions/2.0.1/card", new StringContent(card, Encoding.UTF8, "application/json"));
        var created = await api.PostAsync("/api/v1/models/readmission-30d/versions/2.0.1/promotions",
            new StringContent("{\"targetStage\":\"staging\",\"justification\":\"Base image update.\"}", Encoding.UTF8, "application/json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
    }
}

public sealed class PromotionPageTestsOnSqlite(SqlitePortal portal) : PromotionPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class PromotionPageTestsOnPostgreSql(PostgreSqlPortal portal) : PromotionPageTests(portal), IClassFixture<PostgreSqlPortal>;
