using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

public abstract class PromotionApiTests(PortalFactory portal)
{
    private Task<HttpClient> As(string username) => TestApiKeys.ClientAsync(portal, username, "promotion-tests");

    /// <summary>Copies the complete demo card of sepsis 1.1.0 onto another version, so the card gate passes.</summary>
    internal static async Task CompleteCardAsync(HttpClient owner, string key, string version)
    {
        var source = await owner.GetFromJsonAsync<JsonElement>("/api/v1/models/sepsis-early-warning/versions/1.1.0/card");
        var response = await owner.PutAsync($"/api/v1/models/{key}/versions/{version}/card",
            new StringContent(source.GetProperty("card").GetRawText(), Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<Stage> StageAsync(string key, string version) => portal.WithDbAsync(async db =>
        (await RegistryQueries.FindVersionAsync(db, key, version))!.Stage);

    [Fact]
    public async Task A_blocked_request_gets_422_with_every_gate_explained_and_nothing_is_saved()
    {
        var owner = await As("owner@demo.test");
        var before = await portal.WithDbAsync(db => db.Promotions.CountAsync());

        var response = await owner.PostAsync("/api/v1/models/credit-default-pd/versions/1.1.0/promotions",
            Json(new { targetStage = "production", justification = "Better AUC." }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var gates = (await BodyAsync(response)).GetProperty("gates").EnumerateArray().ToList();
        Assert.Contains(gates, g => !g.GetProperty("passed").GetBoolean() && g.GetProperty("explanation").GetString()!.StartsWith("blocked: model card completeness"));
        Assert.Equal(before, await portal.WithDbAsync(db => db.Promotions.CountAsync()));
    }

    [Fact]
    public async Task High_risk_production_needs_two_distinct_compliance_officers_and_replaces_the_champion()
    {
        var owner = await As("owner2@demo.test");
        await CompleteCardAsync(owner, "sepsis-early-warning", "1.2.0");
        await Compliance.ChecklistCalls.SignOffApplicableAsync(owner, await As("compliance@demo.test"), "sepsis-early-warning", "1.2.0");

        var requested = await owner.PostAsync("/api/v1/models/sepsis-early-warning/versions/1.2.0/promotions",
            Json(new { targetStage = "production", justification = "Recalibrated on the 2026 cohort." }));
        Assert.Equal(HttpStatusCode.Created, requested.StatusCode);
        var created = await BodyAsync(requested);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("pending", created.GetProperty("status").GetString());

        var ownApproval = await owner.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        var admin = await (await As("admin@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        var compliance = await As("compliance@demo.test");
        var first = await compliance.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve", comment = "Validation report reviewed." }));
        var twice = await compliance.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        Assert.Equal(HttpStatusCode.Forbidden, ownApproval.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var afterFirst = await BodyAsync(first);
        Assert.Equal("pending", afterFirst.GetProperty("status").GetString());
        Assert.Contains("1 more ComplianceOfficer", afterFirst.GetProperty("stillNeeded").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, twice.StatusCode);
        Assert.Equal(Stage.Staging, await StageAsync("sepsis-early-warning", "1.2.0"));

        var second = await (await As("compliance2@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));

        Assert.Equal("approved", (await BodyAsync(second)).GetProperty("status").GetString());
        Assert.Equal(Stage.Production, await StageAsync("sepsis-early-warning", "1.2.0"));
        Assert.Equal(Stage.Staging, await StageAsync("sepsis-early-warning", "1.1.0"));
        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Payload.Contains(id.ToString()) || e.EntityId == id.ToString())
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername, e.Payload }).ToListAsync());
        Assert.Equal(["promotion.requested", "promotion.approved-by", "promotion.updated", "promotion.approved-by", "promotion.approved", "version.stage-changed", "version.stage-changed"],
            audit.Select(e => e.Action));
        Assert.All(audit.Where(e => e.Action.StartsWith("promotion.")), e => Assert.Contains("\"policyVersion\":1", e.Payload));
        Assert.Equal(["owner2@demo.test", "compliance@demo.test", "compliance@demo.test", "compliance2@demo.test", "compliance2@demo.test"],
            audit.Take(5).Select(e => e.ActorUsername));
    }

    [Fact]
    public async Task A_rejection_ends_the_request_and_later_decisions_get_409()
    {
        var owner = await As("owner@demo.test");
        await CompleteCardAsync(owner, "churn-retail", "2.2.0");
        var id = (await BodyAsync(await owner.PostAsync("/api/v1/models/churn-retail/versions/2.2.0/promotions",
            Json(new { targetStage = "production", justification = "Calibrated probabilities." })))).GetProperty("id").GetGuid();

        var rejected = await (await As("compliance@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "reject", comment = "Retention offers need a fairness review first." }));
        var late = await (await As("compliance2@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        var withdraw = await owner.PostAsync($"/api/v1/promotions/{id}/withdraw", null);

        Assert.Equal("rejected", (await BodyAsync(rejected)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, withdraw.StatusCode);
        Assert.Equal(Stage.Staging, await StageAsync("churn-retail", "2.2.0"));
    }

    [Fact]
    public async Task Only_the_requester_or_owner_withdraws()
    {
        var owner = await As("owner@demo.test");
        await CompleteCardAsync(owner, "fraud-card-realtime", "3.5.1");
        var id = (await BodyAsync(await owner.PostAsync("/api/v1/models/fraud-card-realtime/versions/3.5.1/promotions",
            Json(new { targetStage = "production", justification = "Feature store migration." })))).GetProperty("id").GetGuid();

        var stranger = await (await As("owner2@demo.test")).PostAsync($"/api/v1/promotions/{id}/withdraw", null);
        var withdrawn = await owner.PostAsync($"/api/v1/promotions/{id}/withdraw", null);

        Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode);
        Assert.Equal("withdrawn", (await BodyAsync(withdrawn)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_approvers_deciding_at_once_end_in_one_consistent_state()
    {
        var owner = await As("owner@demo.test");
        await CompleteCardAsync(owner, "aml-transaction-monitoring", "1.0.1");
        var created = await owner.PostAsync("/api/v1/models/aml-transaction-monitoring/versions/1.0.1/promotions",
            Json(new { targetStage = "staging", justification = "Quarterly retraining." }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await BodyAsync(created)).GetProperty("id").GetGuid();
        var a = await As("compliance@demo.test");
        var b = await As("compliance2@demo.test");

        var responses = await Task.WhenAll(
            a.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" })),
            b.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "reject", comment = "Not yet." })));

        var final = await (await As("viewer@demo.test")).GetFromJsonAsync<JsonElement>($"/api/v1/promotions/{id}");
        var status = final.GetProperty("status").GetString();
        Assert.Contains(status, new[] { "approved", "rejected" });
        Assert.Single(final.GetProperty("decisions").EnumerateArray());
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_rejection_without_a_reason_is_a_400_naming_the_comment()
    {
        var response = await (await As("compliance@demo.test")).PostAsync($"/api/v1/promotions/{Guid.NewGuid()}/decisions", Json(new { decision = "reject", comment = " " }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await BodyAsync(response)).GetProperty("errors").TryGetProperty("comment", out _));
    }

    [Fact]
    public async Task Listing_filters_by_status_and_refuses_unknown_values()
    {
        var viewer = await As("viewer@demo.test");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/promotions?status=pending&stage=production")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/v1/promotions?status=maybe")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/v1/promotions/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/promotions/{Guid.NewGuid()}/decisions", Json(new { decision = "approve" }))).StatusCode);
    }
}

public sealed class PromotionApiTestsOnSqlite(SqlitePortal portal) : PromotionApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class PromotionApiTestsOnPostgreSql(PostgreSqlPortal portal) : PromotionApiTests(portal), IClassFixture<PostgreSqlPortal>;
