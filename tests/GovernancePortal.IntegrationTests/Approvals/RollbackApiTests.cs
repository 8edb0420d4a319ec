using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

/// <summary>
/// Puts a version in Production through the real promotion flow (a High-risk version's checklists signed off first), so
/// the previous champion has a recorded history.
/// </summary>
public static class RollbackSetup
{
    public static Task<HttpClient> As(PortalFactory portal, string username) => TestApiKeys.ClientAsync(portal, username, "rollback-tests");

    public static async Task PromoteToProductionAsync(PortalFactory portal, string owner, string key, string version, params string[] officers)
    {
        var api = await As(portal, owner);
        var card = JsonDocument.Parse(await api.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        var put = await api.PutAsync($"/api/v1/models/{key}/versions/{version}/card", new StringContent(card, Encoding.UTF8, "application/json"));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        if ((await BodyAsync(await api.GetAsync($"/api/v1/models/{key}"))).GetProperty("riskTier").GetString() == "high")
        {
            // The High-risk Production policy asks for every applicable checklist signed off (ADR-031).
            await Compliance.ChecklistCalls.SignOffApplicableAsync(api, await As(portal, officers[0]), key, version);
        }
        var requested = await api.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions", Json(new { targetStage = "production", justification = "Better on the 2026 holdout." }));
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var id = (await BodyAsync(requested)).GetProperty("id").GetGuid();
        HttpResponseMessage? last = null;
        foreach (var officer in officers)
        {
            last = await (await As(portal, officer)).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
            Assert.True(last.StatusCode == HttpStatusCode.OK, await last.Content.ReadAsStringAsync());
        }
        Assert.Equal("approved", (await BodyAsync(last!)).GetProperty("status").GetString());
    }

    public static Task<Stage> StageAsync(PortalFactory portal, string key, string version) => portal.WithDbAsync(async db =>
        (await RegistryQueries.FindVersionAsync(db, key, version))!.Stage);

    public static async Task<List<string>> RecipientsAsync(PortalFactory portal, string kind, string link) =>
        (await portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == kind && n.Link == link).Select(n => n.Recipient).ToListAsync()))
            .Order(StringComparer.Ordinal).ToList();
}

public abstract class RollbackApiTests(PortalFactory portal)
{
    private Task<HttpClient> As(string username) => RollbackSetup.As(portal, username);

    [Fact]
    public async Task Owner_starts_officer_confirms_stages_swap_in_one_audited_transaction_and_the_right_people_are_told()
    {
        await RollbackSetup.PromoteToProductionAsync(portal, "owner@demo.test", "fraud-card-realtime", "3.5.1", "compliance@demo.test");
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "fraud-card-realtime", "3.5.0"));
        var owner = await As("owner@demo.test");

        var started = await owner.PostAsync("/api/v1/models/fraud-card-realtime/rollbacks", Json(new { reason = "Decline rate doubled after the feature store migration." }));

        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var body = await BodyAsync(started);
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal($"/api/v1/rollbacks/{id}", started.Headers.Location!.OriginalString);
        Assert.Equal(("3.5.1", "3.5.0", "pending", "ModelOwner"), (body.GetProperty("fromVersion").GetString(), body.GetProperty("toVersion").GetString(),
            body.GetProperty("status").GetString(), body.GetProperty("startedRole").GetString()));
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "fraud-card-realtime", "3.5.1"));
        Assert.Equal(["compliance2@demo.test", "compliance@demo.test"], await RollbackSetup.RecipientsAsync(portal, "rollback.started", $"/rollbacks/{id}"));

        var confirmed = await (await As("compliance2@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/confirm", null);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        var after = await BodyAsync(confirmed);
        Assert.Equal("confirmed", after.GetProperty("status").GetString());
        Assert.Equal("compliance2@demo.test", after.GetProperty("decidedBy").GetString());
        var reviewId = after.GetProperty("retrospectiveId").GetGuid();
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "fraud-card-realtime", "3.5.1"));
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "fraud-card-realtime", "3.5.0"));

        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Payload.Contains(id.ToString()) || e.EntityId == id.ToString() || e.EntityId == reviewId.ToString())
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername, e.Sequence, e.Timestamp }).ToListAsync());
        Assert.Equal(["rollback.started", "rollback.confirmed", "version.stage-changed", "version.stage-changed", "review.opened"], audit.Select(e => e.Action));
        Assert.Equal(["owner@demo.test", "compliance2@demo.test", "compliance2@demo.test", "compliance2@demo.test", "compliance2@demo.test"], audit.Select(e => e.ActorUsername));
        // One SaveChanges appends its events consecutively under one timestamp: the confirmation is one transaction.
        var confirmation = audit.Skip(1).ToList();
        Assert.Equal(Enumerable.Range(0, 4).Select(i => confirmation[0].Sequence + i), confirmation.Select(e => e.Sequence));
        Assert.Single(confirmation.Select(e => e.Timestamp).Distinct());

        Assert.Equal(["owner@demo.test"], await RollbackSetup.RecipientsAsync(portal, "rollback.confirmed", $"/rollbacks/{id}"));
        Assert.Equal(["compliance@demo.test", "owner@demo.test"], await RollbackSetup.RecipientsAsync(portal, "review.opened", $"/retrospectives/{reviewId}"));
        var ownersInbox = await owner.GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        Assert.Contains(ownersInbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "rollback.confirmed");
        Assert.DoesNotContain(ownersInbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "rollback.started" && n.GetProperty("link").GetString() == $"/rollbacks/{id}");
    }

    [Fact]
    public async Task Separation_of_duties_and_roles_are_enforced_and_two_confirmations_at_once_leave_exactly_one_winner()
    {
        // The demo's own history told owner2 of 1.2.0's Staging approval, and the setup's checklist sign-offs tell owner2 too;
        // only what this promotion tells counts here.
        var before = await portal.WithDbAsync(db => db.Notifications.Select(n => n.Id).ToListAsync());
        await RollbackSetup.PromoteToProductionAsync(portal, "owner2@demo.test", "sepsis-early-warning", "1.2.0", "compliance@demo.test", "compliance2@demo.test");
        var told = await portal.WithDbAsync(db => db.Notifications.Where(n => n.Recipient == "owner2@demo.test" && n.Title.Contains("Sepsis early warning 1.2.0") && !before.Contains(n.Id)
                && n.Kind.StartsWith("promotion."))
            .OrderBy(n => n.Id).Select(n => n.Kind).ToListAsync());
        Assert.Equal(["promotion.approved-by", "promotion.approved"], told);
        const string start = "/api/v1/models/sepsis-early-warning/rollbacks";
        var reason = Json(new { reason = "Alert volume tripled on ward 4." });

        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("viewer@demo.test")).PostAsync(start, reason)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("admin@demo.test")).PostAsync(start, reason)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("auditor@demo.test")).PostAsync(start, reason)).StatusCode);
        var stranger = await (await As("owner@demo.test")).PostAsync(start, reason);
        Assert.Equal(HttpStatusCode.Forbidden, stranger.StatusCode);
        Assert.Contains("Clinical AI", (await BodyAsync(stranger)).GetProperty("detail").GetString());
        var owner = await As("owner2@demo.test");
        var noReason = await owner.PostAsync(start, Json(new { reason = " " }));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await BodyAsync(noReason)).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PostAsync(start, Json(new { reason = "x", why = "unknown member" }))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync("/api/v1/models/no-such-model/rollbacks", reason)).StatusCode);

        var started = await owner.PostAsync(start, Json(new { reason = "Alert volume tripled on ward 4." }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await BodyAsync(started)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync(start, Json(new { reason = "Again." }))).StatusCode);
        var viewer = await As("viewer@demo.test");
        Assert.Equal("pending", (await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/rollbacks/{id}")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await PortalClient.Anonymous(portal).Http.GetAsync($"/api/v1/rollbacks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/v1/rollbacks/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/v1/rollbacks/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("owner@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/cancel", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await owner.PostAsync($"/api/v1/rollbacks/{id}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("owner@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("viewer@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await (await As("compliance@demo.test")).PostAsync($"/api/v1/rollbacks/{Guid.NewGuid()}/confirm", null)).StatusCode);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "sepsis-early-warning", "1.2.0"));

        var a = await As("compliance@demo.test");
        var b = await As("compliance2@demo.test");
        var responses = await Task.WhenAll(a.PostAsync($"/api/v1/rollbacks/{id}/confirm", null), b.PostAsync($"/api/v1/rollbacks/{id}/confirm", null));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "sepsis-early-warning", "1.1.0"));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "sepsis-early-warning", "1.2.0"));
        Assert.Equal(1, await portal.WithDbAsync(db => db.RetrospectiveReviews.CountAsync(r => r.RollbackId == id)));
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "rollback.confirmed" && e.EntityId == id.ToString())));
        Assert.Equal(HttpStatusCode.Conflict, (await a.PostAsync($"/api/v1/rollbacks/{id}/confirm", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync($"/api/v1/rollbacks/{id}/cancel", null)).StatusCode);

        // 1.1.0 entered Production before 1.2.0 and nothing older is restorable (1.0.0 is Retired): no second rollback.
        var again = await owner.PostAsync(start, Json(new { reason = "Again." }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
    }

    [Fact]
    public async Task A_rollback_is_refused_once_production_changed_and_an_officer_may_start_one_the_owner_confirms()
    {
        await RollbackSetup.PromoteToProductionAsync(portal, "owner@demo.test", "credit-default-pd", "1.1.0", "compliance@demo.test", "compliance2@demo.test");
        var owner = await As("owner@demo.test");
        var stale = (await BodyAsync(await owner.PostAsync("/api/v1/models/credit-default-pd/rollbacks",
            Json(new { reason = "Approval rate fell 40% within the hour." })))).GetProperty("id").GetGuid();

        // Meanwhile 1.2.0 goes back to Production by an ordinary promotion.
        await RollbackSetup.PromoteToProductionAsync(portal, "owner@demo.test", "credit-default-pd", "1.2.0", "compliance@demo.test", "compliance2@demo.test");
        var refused = await (await As("compliance@demo.test")).PostAsync($"/api/v1/rollbacks/{stale}/confirm", null);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Production changed", (await BodyAsync(refused)).GetProperty("detail").GetString());
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "credit-default-pd", "1.2.0"));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "credit-default-pd", "1.1.0"));
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "rollback.confirmed" && e.EntityId == stale.ToString())));

        var busy = await (await As("compliance@demo.test")).PostAsync("/api/v1/models/credit-default-pd/rollbacks", Json(new { reason = "Scorecard drift." }));
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("owner2@demo.test")).PostAsync($"/api/v1/rollbacks/{stale}/cancel", null)).StatusCode);
        var cancelled = await owner.PostAsync($"/api/v1/rollbacks/{stale}/cancel", null);
        Assert.Equal("cancelled", (await BodyAsync(cancelled)).GetProperty("status").GetString());

        var byOfficer = await (await As("compliance@demo.test")).PostAsync("/api/v1/models/credit-default-pd/rollbacks", Json(new { reason = "Scorecard drift." }));
        Assert.Equal(HttpStatusCode.Created, byOfficer.StatusCode);
        var id = (await BodyAsync(byOfficer)).GetProperty("id").GetGuid();
        Assert.Equal(["owner@demo.test"], await RollbackSetup.RecipientsAsync(portal, "rollback.started", $"/rollbacks/{id}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await As("compliance2@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/confirm", null)).StatusCode);
        var confirmed = await owner.PostAsync($"/api/v1/rollbacks/{id}/confirm", null);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "credit-default-pd", "1.1.0"));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "credit-default-pd", "1.2.0"));
    }

    [Fact]
    public async Task A_model_with_several_production_versions_or_no_history_has_nothing_to_roll_back()
    {
        var noHistory = await (await As("owner@demo.test")).PostAsync("/api/v1/models/aml-transaction-monitoring/rollbacks", Json(new { reason = "False positives." }));
        // Minimal risk lets a promoted version join the champion (shadow/canary) instead of replacing it.
        await RollbackSetup.PromoteToProductionAsync(portal, "owner2@demo.test", "demand-forecast-stores", "4.0.1", "compliance@demo.test");
        var several = await (await As("owner2@demo.test")).PostAsync("/api/v1/models/demand-forecast-stores/rollbacks", Json(new { reason = "Stock-outs." }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, noHistory.StatusCode);
        Assert.Contains("No version was in Production before 1.0.0", (await BodyAsync(noHistory)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, several.StatusCode);
        Assert.Contains("single champion", (await BodyAsync(several)).GetProperty("title").GetString());
        Assert.Equal(0, await portal.WithDbAsync(db => db.Rollbacks.CountAsync(r => r.Model.Key == "demand-forecast-stores" || r.Model.Key == "aml-transaction-monitoring")));
    }

    [Fact]
    public async Task New_requests_reach_the_approvers_they_need_and_decisions_reach_the_requester()
    {
        var owner = await As("owner2@demo.test");
        var card = JsonDocument.Parse(await owner.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        await owner.PutAsync("/api/v1/models/readmission-30d/versions/2.0.1/card", new StringContent(card, Encoding.UTF8, "application/json"));
        var created = await owner.PostAsync("/api/v1/models/readmission-30d/versions/2.0.1/promotions", Json(new { targetStage = "staging", justification = "Base image update." }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await BodyAsync(created)).GetProperty("id").GetGuid();
        var link = $"/approvals/{id}";

        Assert.Equal(["compliance2@demo.test", "compliance@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.needs-approval", link));

        await (await As("compliance@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "reject", comment = "Image not scanned yet." }));

        Assert.Equal(["owner2@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.rejected", link));
        // The request is settled, so the call to decide on it is done; it stays in the inbox, read.
        var officersUnread = await (await As("compliance@demo.test")).GetFromJsonAsync<JsonElement>("/api/v1/notifications?unread=true");
        var officersInbox = await (await As("compliance@demo.test")).GetFromJsonAsync<JsonElement>("/api/v1/notifications");
        Assert.DoesNotContain(officersUnread.EnumerateArray(), n => n.GetProperty("link").GetString() == link);
        Assert.Contains(officersInbox.EnumerateArray(), n => n.GetProperty("link").GetString() == link && n.GetProperty("readAt").ValueKind == JsonValueKind.String);
        Assert.DoesNotContain(officersInbox.EnumerateArray(), n => n.GetProperty("kind").GetString() == "promotion.rejected");
        Assert.Empty(await (await As("viewer@demo.test")).GetFromJsonAsync<JsonElement[]>("/api/v1/notifications") ?? []);
        var badFilter = await (await As("viewer@demo.test")).GetAsync("/api/v1/notifications?unread=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        Assert.True((await BodyAsync(badFilter)).GetProperty("errors").TryGetProperty("unread", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PortalClient.Anonymous(portal).Http.GetAsync("/api/v1/notifications")).StatusCode);
    }

    [Fact]
    public async Task Expiry_and_withdrawal_are_told_to_the_requester_and_the_models_owner_but_nobody_hears_of_their_own_withdrawal()
    {
        async Task<Guid> PendingAsync(string key, string version, string requester, int ageDays) => await portal.WithDbAsync(async db =>
        {
            var found = (await RegistryQueries.FindVersionAsync(db, key, version))!;
            var policy = PromotionPolicies.Default(Stage.Staging, found.Model.RiskTier)!;
            var promotion = new Promotion
            {
                VersionId = found.Id, FromStage = found.Stage, TargetStage = Stage.Staging, Requester = requester, Justification = "Pipeline run.",
                State = PromotionRequestState.Pending, PolicyVersion = policy.Version, PolicyJson = PromotionService.SerializePolicy(policy), GatesJson = "[]",
                CreatedAt = DateTimeOffset.UtcNow.AddDays(-ageDays), ExpiresAt = DateTimeOffset.UtcNow.AddDays(14 - ageDays),
            };
            db.Promotions.Add(promotion);
            db.Audit.Record("promotion.requested", promotion);
            await db.SaveChangesAsync();
            return promotion.Id;
        });
        var expiring = await PendingAsync("radiology-triage", "0.3.0", "owner2@demo.test", 20);
        var byPipeline = await PendingAsync("claims-triage", "1.4.0", "claims-pipeline@demo.test", 1);
        var expiringByPipeline = await PendingAsync("readmission-30d", "2.0.1", "claims-pipeline@demo.test", 20);

        await portal.WithDbAsync(async db =>
        {
            await using var scope = portal.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<PromotionService>().ExpireDueAsync();
        });
        var owner = await As("owner2@demo.test");
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/v1/promotions/{byPipeline}/withdraw", null)).StatusCode);

        Assert.Equal(["owner2@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.expired", $"/approvals/{expiring}"));
        // The owner hears of an expiry on their model even when a pipeline asked (issue 17, item 3).
        Assert.Equal(["claims-pipeline@demo.test", "owner2@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.expired", $"/approvals/{expiringByPipeline}"));
        Assert.Equal(["claims-pipeline@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.withdrawn", $"/approvals/{byPipeline}"));

        var own = await PendingAsync("readmission-30d", "2.0.1", "owner2@demo.test", 1);
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/v1/promotions/{own}/withdraw", null)).StatusCode);
        Assert.Empty(await RollbackSetup.RecipientsAsync(portal, "promotion.withdrawn", $"/approvals/{own}"));
    }

    [Fact]
    public async Task A_request_that_needs_no_approval_is_recorded_as_approved_and_the_requester_is_told()
    {
        var owner = await As("owner@demo.test");
        var model = RegistryTestData.ModelBody("branch-footfall");
        model["riskTier"] = "minimal";
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync("/api/v1/models", Json(model))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync("/api/v1/models/branch-footfall/versions", Json(RegistryTestData.VersionBody("1.0.0", "improvedModel")))).StatusCode);
        var card = JsonDocument.Parse(await owner.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await owner.PutAsync("/api/v1/models/branch-footfall/versions/1.0.0/card", new StringContent(card, Encoding.UTF8, "application/json"))).IsSuccessStatusCode);

        var created = await owner.PostAsync("/api/v1/models/branch-footfall/versions/1.0.0/promotions", Json(new { targetStage = "staging", justification = "Forecasts for the pilot branches." }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await BodyAsync(created);
        Assert.Equal("approved", body.GetProperty("status").GetString());
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, "branch-footfall", "1.0.0"));
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(["owner@demo.test"], await RollbackSetup.RecipientsAsync(portal, "promotion.approved", $"/approvals/{id}"));
        Assert.Empty(await RollbackSetup.RecipientsAsync(portal, "promotion.needs-approval", $"/approvals/{id}"));
    }
}

public sealed class RollbackApiTestsOnSqlite(SqlitePortal portal) : RollbackApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class RollbackApiTestsOnPostgreSql(PostgreSqlPortal portal) : RollbackApiTests(portal), IClassFixture<PostgreSqlPortal>;
