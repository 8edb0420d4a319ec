using System.Net;
using System.Text;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

/// <summary>
/// Who may decide on a request, told before anyone tries and enforced by the server: model owners fill the ModelOwner
/// slots a policy asks for, requesters and owners are refused with the reason, and a request whose approvals are all
/// given but whose gates failed can have its gates judged again.
/// </summary>
public abstract class DecisionRightsTests(PortalFactory portal)
{
    private Task<HttpClient> As(string username) => TestApiKeys.ClientAsync(portal, username, "decision-rights-tests");

    private static Task CompleteCardAsync(HttpClient owner, string key, string version) => PromotionApiTests.CompleteCardAsync(owner, key, version);

    /// <summary>A card with one section: it fails every completeness gate.</summary>
    private static async Task ThinCardAsync(HttpClient owner, string key, string version)
    {
        var response = await owner.PutAsync($"/api/v1/models/{key}/versions/{version}/card",
            new StringContent("""{"overview":"Quarterly retraining."}""", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<Stage> StageAsync(string key, string version) => portal.WithDbAsync(async db => (await RegistryQueries.FindVersionAsync(db, key, version))!.Stage);

    [Fact]
    public async Task A_model_owner_outside_the_team_fills_a_model_owner_slot_and_the_requester_is_told_why_not()
    {
        var officer = await As("compliance@demo.test");
        var policy = await PolicyTests.CurrentAsync(portal, Stage.Production, RiskTier.Minimal);
        var edited = await officer.PutAsync("/api/v1/policies/production/minimal", Json(PolicyTests.Body(policy, "A business owner signs off retention models too.",
            b => b["requiredApprovals"] = new[] { new { role = "ComplianceOfficer", count = 1 }, new { role = "ModelOwner", count = 1 } })));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        var owner = await As("owner@demo.test");
        await CompleteCardAsync(owner, "churn-retail", "2.2.0");
        var created = await owner.PostAsync("/api/v1/models/churn-retail/versions/2.2.0/promotions",
            Json(new { targetStage = "production", justification = "Calibrated probabilities." }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await BodyAsync(created)).GetProperty("id").GetGuid();

        var own = await owner.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        var byOfficer = await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve", comment = "Calibration report read." }));
        var requesterPage = await (await PortalClient.SignedInAsync(portal, "owner@demo.test")).GetDocumentAsync($"/approvals/{id}");
        var otherOwnerPage = await (await PortalClient.SignedInAsync(portal, "owner2@demo.test")).GetDocumentAsync($"/approvals/{id}");
        var byOtherOwner = await (await As("owner2@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));

        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Equal("You made this request; someone else must decide on it.", (await BodyAsync(own)).GetProperty("detail").GetString());
        Assert.Contains("1 more ModelOwner", (await BodyAsync(byOfficer)).GetProperty("stillNeeded").GetString());
        Assert.Null(requesterPage.QuerySelector("[data-testid=approve]"));
        Assert.Contains("You made this request", requesterPage.QuerySelector("[data-testid=cannot-decide]")!.TextContent);
        Assert.NotNull(otherOwnerPage.QuerySelector("[data-testid=approve]"));
        Assert.Equal(HttpStatusCode.OK, byOtherOwner.StatusCode);
        var decided = await BodyAsync(byOtherOwner);
        Assert.Equal("approved", decided.GetProperty("status").GetString());
        Assert.Equal(["ComplianceOfficer", "ModelOwner"], decided.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("role").GetString()));
        Assert.Equal(Stage.Production, await StageAsync("churn-retail", "2.2.0"));
    }

    [Fact]
    public async Task The_owning_team_cannot_fill_a_model_owner_slot_of_a_production_promotion()
    {
        var officer = await As("compliance@demo.test");
        var policy = await PolicyTests.CurrentAsync(portal, Stage.Production, RiskTier.Limited);
        var edited = await officer.PutAsync("/api/v1/policies/production/limited", Json(PolicyTests.Body(policy, "Owners countersign.",
            b => b["requiredApprovals"] = new[] { new { role = "ModelOwner", count = 1 } })));
        Assert.True(edited.IsSuccessStatusCode, await edited.Content.ReadAsStringAsync());
        // claims-triage belongs to owner2 (Clinical AI); owner2's pipeline asks, owner (Credit Risk Analytics) may decide.
        var requester = await As("owner2@demo.test");
        var other = await As("owner@demo.test");
        await CompleteCardAsync(requester, "claims-triage", "1.4.0");
        var staged = await requester.PostAsync("/api/v1/models/claims-triage/versions/1.4.0/promotions", Json(new { targetStage = "staging", justification = "Shadow run." }));
        var stagingId = (await BodyAsync(staged)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/v1/promotions/{stagingId}/decisions", Json(new { decision = "approve" }))).StatusCode);
        Assert.Equal(Stage.Staging, await StageAsync("claims-triage", "1.4.0"));
        var created = await requester.PostAsync("/api/v1/models/claims-triage/versions/1.4.0/promotions", Json(new { targetStage = "production", justification = "Shadow run met its targets." }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await BodyAsync(created)).GetProperty("id").GetGuid();

        var officerTries = await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        var approved = await other.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve", comment = "Routing rules reviewed." }));

        Assert.Equal(HttpStatusCode.Forbidden, officerTries.StatusCode);
        Assert.Contains("needs 1 more ModelOwner; you hold ComplianceOfficer", (await BodyAsync(officerTries)).GetProperty("detail").GetString());
        Assert.Equal("approved", (await BodyAsync(approved)).GetProperty("status").GetString());
        Assert.Equal(Stage.Production, await StageAsync("claims-triage", "1.4.0"));
    }

    [Fact]
    public async Task A_request_whose_approvals_are_given_while_a_gate_fails_is_approved_when_its_gates_are_judged_again()
    {
        var owner = await As("owner@demo.test");
        var officer = await As("compliance@demo.test");
        await CompleteCardAsync(owner, "aml-transaction-monitoring", "1.0.1");
        var id = (await BodyAsync(await owner.PostAsync("/api/v1/models/aml-transaction-monitoring/versions/1.0.1/promotions",
            Json(new { targetStage = "staging", justification = "Quarterly retraining." })))).GetProperty("id").GetGuid();

        var tooEarly = await officer.PostAsync($"/api/v1/promotions/{id}/recheck", null);
        // The card loses most of its sections before the officer decides: the approval is recorded, the gate holds the request.
        await ThinCardAsync(owner, "aml-transaction-monitoring", "1.0.1");
        var approval = await BodyAsync(await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve", comment = "Fine once the card is back." })));
        var stillFailing = await officer.PostAsync($"/api/v1/promotions/{id}/recheck", null);
        var officerPage = await (await PortalClient.SignedInAsync(portal, "compliance@demo.test")).GetDocumentAsync($"/approvals/{id}");

        Assert.Equal(HttpStatusCode.Conflict, tooEarly.StatusCode);
        Assert.Contains("still needs 1 more ComplianceOfficer", (await BodyAsync(tooEarly)).GetProperty("detail").GetString());
        Assert.Equal("pending", approval.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, stillFailing.StatusCode);
        Assert.Equal("pending", (await BodyAsync(stillFailing)).GetProperty("status").GetString());
        Assert.Contains("model card completeness", officerPage.QuerySelector("[data-testid=waits-for-gates]")!.TextContent);
        Assert.Null(officerPage.QuerySelector("[data-testid=approve]"));
        Assert.NotNull(officerPage.QuerySelector("[data-testid=reject]"));
        Assert.Equal(Stage.Development, await StageAsync("aml-transaction-monitoring", "1.0.1"));

        // The owner restores the card and asks for the gates to be judged again from the request page.
        await CompleteCardAsync(owner, "aml-transaction-monitoring", "1.0.1");
        var ownerClient = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        Assert.NotNull((await ownerClient.GetDocumentAsync($"/approvals/{id}")).QuerySelector("[data-testid=recheck]"));
        // What the page's "judge gates again" asks for (the page itself is tested with bUnit).
        var rechecked = await owner.PostAsync($"/api/v1/promotions/{id}/recheck", null);
        var after = await ownerClient.GetDocumentAsync($"/approvals/{id}");

        Assert.Equal(HttpStatusCode.OK, rechecked.StatusCode);
        Assert.Equal("approved", (await BodyAsync(rechecked)).GetProperty("status").GetString());
        Assert.Contains("Approved", after.QuerySelector("[data-testid=request-state]")!.TextContent);
        Assert.Null(after.QuerySelector("[data-testid=waits-for-gates]"));
        Assert.Equal(Stage.Staging, await StageAsync("aml-transaction-monitoring", "1.0.1"));
        var trail = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == id.ToString()).OrderBy(e => e.Sequence)
            .Select(e => new { e.Action, e.ActorUsername, e.Payload }).ToListAsync());
        Assert.Equal(["promotion.requested", "promotion.updated", "promotion.updated", "promotion.approved"], trail.Select(e => e.Action));
        Assert.Equal(["owner@demo.test", "compliance@demo.test", "compliance@demo.test", "owner@demo.test"], trail.Select(e => e.ActorUsername));
        Assert.Contains("Gates judged again.", trail[^1].Payload);
        Assert.Contains("\"passed\":true", trail[^1].Payload);
    }
}

public sealed class DecisionRightsTestsOnSqlite(SqlitePortal portal) : DecisionRightsTests(portal), IClassFixture<SqlitePortal>;

public sealed class DecisionRightsTestsOnPostgreSql(PostgreSqlPortal portal) : DecisionRightsTests(portal), IClassFixture<PostgreSqlPortal>;
