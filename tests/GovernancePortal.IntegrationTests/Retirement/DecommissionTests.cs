using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Compliance;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Retirement;

/// <summary>
/// Decommissioning through the workflow (issue 15, item 3): a stage request to Retired under the Retired policy, gated
/// on the successor and the decommission checklist, moving the plan to Retiring and Retired in its transaction; a retired
/// version's card and checklists refuse changes.
/// </summary>
public abstract class DecommissionTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private DateOnly Today => DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime);

    private static string Url(string key, string version) => $"/api/v1/models/{key}/versions/{version}/retirement";

    private async Task<(WorldModel Model, string Old, string New, HttpClient Owner)> PlannedAsync(string key)
    {
        var model = await _world.RegisterModelAsync(key, RiskTier.Limited, PromotionWorld.Owner);
        var old = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        var successor = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        await _world.PromoteAsync(model, old, Stage.Staging);
        await _world.PromoteAsync(model, old, Stage.Production);
        await _world.PromoteAsync(model, successor, Stage.Staging);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var put = await owner.PutAsync(Url(key, old), Json(new
        {
            plannedDate = Today.AddDays(20).ToString("yyyy-MM-dd"), reason = "superseded", successor = new { model = key, version = successor },
            noSuccessorReason = (string?)null, note = "", notify = Array.Empty<string>(),
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        return (model, old, successor, owner);
    }

    private static Task<HttpResponseMessage> RequestRetirementAsync(HttpClient owner, string key, string version) =>
        owner.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions", Json(new { targetStage = "retired", justification = "Superseded by the retrained model." }));

    [Fact]
    public async Task Retiring_needs_the_successor_in_production_and_the_decommission_checklist_signed_off_then_an_officer_approves()
    {
        var (model, old, successor, owner) = await PlannedAsync("decommission-flow");
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);

        // The decommission checklist applies now that the retirement is planned, and only to that version.
        Assert.True(await portal.WithDbAsync(async db => (await RegistryQueries.FindVersionAsync(db, model.Key, old))!.RetirementPlanned));
        Assert.False(await portal.WithDbAsync(async db => (await RegistryQueries.FindVersionAsync(db, model.Key, successor))!.RetirementPlanned));
        Assert.Equal(HttpStatusCode.UnprocessableEntity,
            (await owner.PutAsync($"{ChecklistCalls.Assessment(model.Key, successor, "decommission")}/items/decommission-consumers-told",
                Json(new { answer = "yes", justification = "Told." }))).StatusCode);

        var early = await RequestRetirementAsync(owner, model.Key, old);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, early.StatusCode);
        var gates = (await BodyAsync(early)).ToString();
        Assert.Contains("is in Staging; it must be in Production before this version retires", gates);
        Assert.Contains("Decommissioning is not signed off", gates);

        await _world.PromoteAsync(model, successor, Stage.Production);
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, model.Key, old));
        var unsigned = await RequestRetirementAsync(owner, model.Key, old);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unsigned.StatusCode);
        Assert.DoesNotContain("must be in Production", (await BodyAsync(unsigned)).ToString());

        await ChecklistCalls.SignedOffAsync(owner, officer, model.Key, old, "decommission");
        var requested = await RequestRetirementAsync(owner, model.Key, old);
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var id = (await BodyAsync(requested)).GetProperty("id").GetGuid();
        Assert.Equal("retiring", (await owner.GetFromJsonAsync<JsonElement>(Url(model.Key, old))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "Changed my mind." }))).StatusCode);

        // Separation of duties holds: the owner cannot approve; an officer does.
        var decided = await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));
        Assert.True(decided.StatusCode == HttpStatusCode.OK, await decided.Content.ReadAsStringAsync());
        Assert.Equal("approved", (await BodyAsync(decided)).GetProperty("status").GetString());

        Assert.Equal(Stage.Retired, await RollbackSetup.StageAsync(portal, model.Key, old));
        var plan = await owner.GetFromJsonAsync<JsonElement>(Url(model.Key, old));
        Assert.Equal("retired", plan.GetProperty("status").GetString());
        var retiredOn = DateOnly.FromDateTime(plan.GetProperty("retiredAt").GetDateTimeOffset().UtcDateTime);
        Assert.Equal(retiredOn.AddYears(5).ToString("yyyy-MM-dd"), plan.GetProperty("retentionUntil").GetString());

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityType == nameof(RetirementPlan) && e.Payload.Contains("\"decommission-flow\""))
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername, e.Payload }).ToListAsync());
        Assert.Equal(["retirement.planned", "retirement.decommission-requested", "retirement.retired"], events.Select(e => e.Action));
        Assert.Equal([PromotionWorld.Owner.Username, PromotionWorld.Owner.Username, PromotionWorld.Compliance.Username], events.Select(e => e.ActorUsername));
        var retired = JsonDocument.Parse(events[2].Payload).RootElement.GetProperty("details");
        Assert.Equal(("Retiring", "Retired"), (retired.GetProperty("before").GetProperty("state").GetString(), retired.GetProperty("after").GetProperty("state").GetString()));

        // Frozen: the card, the checklist and its evidence refuse changes with 409 problem details.
        var card = await owner.GetStringAsync($"/api/v1/models/{model.Key}/versions/{old}/card");
        var cardBody = JsonDocument.Parse(card).RootElement.GetProperty("card").GetRawText();
        var refusals = new[]
        {
            await owner.PutAsync($"/api/v1/models/{model.Key}/versions/{old}/card", new StringContent(cardBody, Encoding.UTF8, "application/json")),
            await owner.PutAsync($"{ChecklistCalls.Assessment(model.Key, old, "decommission")}/items/decommission-consumers-told",
                Json(new { answer = "no", justification = "Reopened." })),
            await owner.PostAsync($"{ChecklistCalls.Assessment(model.Key, old, "decommission")}/items/decommission-traffic-moved/evidence",
                Json(new { url = "https://change.example/CHG-2" })),
            await owner.PostAsync($"/api/v1/models/{model.Key}/versions/{old}/assessments", Json(new { template = "sr-11-7" })),
        };
        foreach (var refused in refusals)
        {
            Assert.True(refused.StatusCode == HttpStatusCode.Conflict, $"{(int)refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("is Retired: its model card, checklists and evidence are kept as they were", (await BodyAsync(refused)).GetProperty("detail").GetString());
        }
        Assert.True((await _world.VerifyAuditAsync()).Valid);
    }

    [Fact]
    public async Task A_withdrawn_decommission_request_puts_the_plan_back_to_scheduled_and_a_cancelled_plan_no_longer_lets_it_retire()
    {
        var (model, old, successor, owner) = await PlannedAsync("decommission-withdrawn");
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);
        await _world.PromoteAsync(model, successor, Stage.Production);
        await ChecklistCalls.SignedOffAsync(owner, officer, model.Key, old, "decommission");
        var requested = await RequestRetirementAsync(owner, model.Key, old);
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        var id = (await BodyAsync(requested)).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/v1/promotions/{id}/withdraw", null)).StatusCode);
        Assert.Equal("scheduled", (await owner.GetFromJsonAsync<JsonElement>(Url(model.Key, old))).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "Kept as a fallback." }))).StatusCode);
        var refused = await RequestRetirementAsync(owner, model.Key, old);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("plan the retirement first", (await BodyAsync(refused)).ToString());
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, model.Key, old));
        Assert.Equal(["retirement.planned", "retirement.decommission-requested", "retirement.decommission-ended", "retirement.cancelled"],
            await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityType == nameof(RetirementPlan) && e.Payload.Contains("\"decommission-withdrawn\""))
                .OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync()));
    }
}

public sealed class DecommissionTestsOnSqlite(SqliteClockedPortal portal) : DecommissionTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class DecommissionTestsOnPostgreSql(PostgreSqlClockedPortal portal) : DecommissionTests(portal), IClassFixture<PostgreSqlClockedPortal>;
