using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Retirement;

/// <summary>Another portal instance on the first one's database and clock: a restarted process, or a second server beside it.</summary>
public sealed class AnotherInstance(ClockedPortal first) : PortalFactory(first.Database)
{
    protected override bool SeedDemo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:Governance", first.ConnectionString);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(first.Clock));
    }

    public async Task<int> SendRemindersAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<RetirementService>().SendDueRemindersAsync();
    }
}

/// <summary>Retirement plans over HTTP (issue 15, items 1, 2 and 7), with the test's clock standing in for the calendar.</summary>
public abstract class RetirementApiTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private DateOnly Today => DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime);

    private async Task<(WorldModel Model, string Old, string New)> TwoVersionsAsync(string key)
    {
        var model = await _world.RegisterModelAsync(key, RiskTier.Limited, PromotionWorld.Owner);
        return (model, await _world.RegisterVersionAsync(model, CardQuality.Complete, true), await _world.RegisterVersionAsync(model, CardQuality.Complete, true));
    }

    private static string Url(string key, string version) => $"/api/v1/models/{key}/versions/{version}/retirement";

    [Fact]
    public async Task An_owner_plans_changes_and_cancels_a_retirement_each_audited_with_before_and_after()
    {
        var (model, old, successor) = await TwoVersionsAsync("plan-api");
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var viewer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Viewer.Username);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync(Url(model.Key, old))).StatusCode);

        var planned = Today.AddDays(45);
        var put = await owner.PutAsync(Url(model.Key, old), Json(new
        {
            plannedDate = planned.ToString("yyyy-MM-dd"), reason = "superseded", successor = new { model = model.Key, version = successor },
            noSuccessorReason = (string?)null, note = "Moves to the retrained model.", notify = new[] { PromotionWorld.Compliance.Username },
        }));
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var body = await BodyAsync(put);
        Assert.Equal((planned.ToString("yyyy-MM-dd"), "scheduled", "superseded", model.Key, successor),
            (body.GetProperty("plannedDate").GetString(), body.GetProperty("status").GetString(), body.GetProperty("reason").GetString(),
             body.GetProperty("successor").GetProperty("model").GetString(), body.GetProperty("successor").GetProperty("version").GetString()));
        Assert.Equal([PromotionWorld.Compliance.Username], body.GetProperty("notify").EnumerateArray().Select(n => n.GetString()));

        // Anyone signed in reads it.
        var read = await viewer.GetFromJsonAsync<JsonElement>(Url(model.Key, old));
        Assert.Equal("scheduled", read.GetProperty("status").GetString());

        var moved = await owner.PutAsync(Url(model.Key, old), Json(new
        {
            plannedDate = planned.AddDays(10).ToString("yyyy-MM-dd"), reason = "businessChange", successor = (object?)null,
            noSuccessorReason = "The product is discontinued.", note = "", notify = Array.Empty<string>(),
        }));
        Assert.True(moved.StatusCode == HttpStatusCode.OK, await moved.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, (await BodyAsync(moved)).GetProperty("successor").ValueKind);

        var cancelled = await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "The product continues after all." }));
        Assert.True(cancelled.StatusCode == HttpStatusCode.OK, await cancelled.Content.ReadAsStringAsync());
        var cancelledBody = await BodyAsync(cancelled);
        Assert.Equal(("cancelled", "The product continues after all."),
            (cancelledBody.GetProperty("status").GetString(), cancelledBody.GetProperty("cancelReason").GetString()));
        var again = await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "Twice." }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityType == nameof(RetirementPlan) && e.Payload.Contains("\"plan-api\"")).OrderBy(e => e.Sequence)
            .Select(e => new { e.Action, e.ActorUsername, e.Payload }).ToListAsync());
        Assert.Equal(["retirement.planned", "retirement.changed", "retirement.cancelled"], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal(PromotionWorld.Owner.Username, e.ActorUsername));
        var changed = JsonDocument.Parse(events[1].Payload).RootElement.GetProperty("details");
        Assert.Equal((planned.ToString("yyyy-MM-dd"), $"{model.Key} {successor}"),
            (changed.GetProperty("before").GetProperty("plannedDate").GetString(), changed.GetProperty("before").GetProperty("successor").GetString()));
        Assert.Equal((planned.AddDays(10).ToString("yyyy-MM-dd"), "BusinessChange"),
            (changed.GetProperty("after").GetProperty("plannedDate").GetString(), changed.GetProperty("after").GetProperty("reason").GetString()));
        var cancelEvent = JsonDocument.Parse(events[2].Payload).RootElement.GetProperty("details");
        Assert.Equal(("Scheduled", "Cancelled"), (cancelEvent.GetProperty("before").GetProperty("state").GetString(), cancelEvent.GetProperty("after").GetProperty("state").GetString()));
        Assert.True((await _world.VerifyAuditAsync()).Valid);
    }

    [Fact]
    public async Task Past_dates_unknown_successors_and_unknown_people_are_422_others_than_the_owners_team_403()
    {
        var (model, old, _) = await TwoVersionsAsync("plan-refusals");
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        object Plan(string date, object? successor, string[]? notify = null) => new
        {
            plannedDate = date, reason = "underperforming", successor, noSuccessorReason = successor is null ? "Nothing replaces it." : null, note = "", notify = notify ?? [],
        };
        async Task<JsonElement> RefusedAsync(HttpClient client, object plan, HttpStatusCode status)
        {
            var response = await client.PutAsync(Url(model.Key, old), Json(plan));
            Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            return await BodyAsync(response);
        }
        var past = await RefusedAsync(owner, Plan(Today.AddDays(-1).ToString("yyyy-MM-dd"), null), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("after today", past.GetProperty("errors").GetProperty("plannedDate")[0].GetString());
        await RefusedAsync(owner, Plan(Today.ToString("yyyy-MM-dd"), null), HttpStatusCode.UnprocessableEntity);
        var unknown = await RefusedAsync(owner, Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), new { model = model.Key, version = "9.9.9" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("No registered version", unknown.GetProperty("errors").GetProperty("successor")[0].GetString());
        await RefusedAsync(owner, Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), new { model = "no-such-model", version = "1.0.0" }), HttpStatusCode.UnprocessableEntity);
        await RefusedAsync(owner, Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), new { model = model.Key, version = old }), HttpStatusCode.UnprocessableEntity);
        var nobody = await RefusedAsync(owner, Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), null, ["nobody@demo.test"]), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("nobody@demo.test", nobody.GetProperty("errors").GetProperty("notify")[0].GetString());
        await RefusedAsync(owner, Plan("30.02.2027", null), HttpStatusCode.BadRequest);

        foreach (var other in new[] { PromotionWorld.Owner2, PromotionWorld.Viewer, PromotionWorld.Compliance, PromotionWorld.Admin })
        {
            await RefusedAsync(await TestApiKeys.ClientAsync(portal, other.Username), Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), null), HttpStatusCode.Forbidden);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PutAsync(Url(model.Key, "7.0.0"), Json(Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), null)))).StatusCode);
        Assert.Equal(0, await portal.WithDbAsync(db => db.RetirementPlans.CountAsync(p => p.Version.Model.Key == model.Key)));
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.EntityType == nameof(RetirementPlan) && e.Payload.Contains(model.Key))));

        // The owner's teammate may plan.
        var teammate = await TestApiKeys.ClientAsync(portal, PromotionWorld.Teammate.Username);
        Assert.Equal(HttpStatusCode.OK, (await teammate.PutAsync(Url(model.Key, old), Json(Plan(Today.AddDays(5).ToString("yyyy-MM-dd"), null)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await (await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner2.Username)).PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "Mine now." }))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = " " }))).StatusCode);
    }

    [Fact]
    public async Task The_list_filters_by_date_and_status_with_overdue_and_due_derived_from_today()
    {
        var (model, first, second) = await TwoVersionsAsync("plan-list");
        var third = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        foreach (var (version, days) in new[] { (first, 2), (second, 20), (third, 200) })
        {
            var put = await owner.PutAsync(Url(model.Key, version), Json(new
            {
                plannedDate = Today.AddDays(days).ToString("yyyy-MM-dd"), reason = "regulatory", successor = (object?)null, noSuccessorReason = "Withdrawn from the market.",
                note = "", notify = Array.Empty<string>(),
            }));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }
        portal.Clock.Advance(TimeSpan.FromDays(3));
        var all = await owner.GetFromJsonAsync<JsonElement>("/api/v1/retirements");
        var mine = all.EnumerateArray().Where(r => r.GetProperty("model").GetString() == model.Key).ToList();
        Assert.Equal([(first, "overdue"), (second, "scheduled"), (third, "scheduled")],
            mine.Select(r => (r.GetProperty("version").GetString(), r.GetProperty("status").GetString())));
        Assert.Equal(PromotionWorld.Owner.Username, mine[0].GetProperty("owner").GetString());

        var overdue = await owner.GetFromJsonAsync<JsonElement>("/api/v1/retirements?status=overdue");
        Assert.Contains(overdue.EnumerateArray(), r => r.GetProperty("version").GetString() == first && r.GetProperty("model").GetString() == model.Key);
        Assert.All(overdue.EnumerateArray(), r => Assert.Equal("overdue", r.GetProperty("status").GetString()));
        var window = await owner.GetFromJsonAsync<JsonElement>($"/api/v1/retirements?from={Today:yyyy-MM-dd}&to={Today.AddDays(90):yyyy-MM-dd}");
        Assert.Equal([second], window.EnumerateArray().Where(r => r.GetProperty("model").GetString() == model.Key).Select(r => r.GetProperty("version").GetString()));
        portal.Clock.Advance(TimeSpan.FromDays(17));
        var due = await owner.GetFromJsonAsync<JsonElement>("/api/v1/retirements?status=due");
        Assert.Contains(due.EnumerateArray(), r => r.GetProperty("version").GetString() == second && r.GetProperty("model").GetString() == model.Key);

        var bad = await owner.GetAsync("/api/v1/retirements?status=soon&from=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await BodyAsync(bad)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("status", out _) && errors.TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Each_reminder_goes_once_to_the_owner_and_the_people_named_across_a_restart_and_with_two_instances()
    {
        var (model, old, successor) = await TwoVersionsAsync("plan-reminders");
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var put = await owner.PutAsync(Url(model.Key, old), Json(new
        {
            plannedDate = Today.AddDays(95).ToString("yyyy-MM-dd"), reason = "superseded", successor = new { model = model.Key, version = successor },
            noSuccessorReason = (string?)null, note = "", notify = new[] { PromotionWorld.Compliance.Username, PromotionWorld.Viewer.Username },
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        var link = RetirementService.Link(model.Key, old);
        Task<List<string>> RemindedAsync() => portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == "retirement.reminder" && n.Link == link)
            .OrderBy(n => n.Recipient).Select(n => n.Recipient + ": " + n.Title).ToListAsync());
        Task<List<string>> KindsAsync() => portal.WithDbAsync(db => db.RetirementReminders.Where(r => r.PlanId == db.RetirementPlans.Single(p => p.Version.Model.Key == model.Key).Id)
            .OrderBy(r => r.SentAt).Select(r => r.Kind).ToListAsync());

        await using var restarted = new AnotherInstance(portal);
        await using var beside = new AnotherInstance(portal);
        _ = restarted.Server;
        _ = beside.Server;

        // 95 days ahead: nothing yet.
        await SendAsync(portal);
        Assert.Empty(await RemindedAsync());

        portal.Clock.Advance(TimeSpan.FromDays(5));
        await SendAsync(portal);
        var first = await RemindedAsync();
        Assert.Equal(3, first.Count);
        Assert.All(first, n => Assert.Contains($"Retirement due in 90 days: Model {model.Key} {old}", n));
        Assert.Equal([PromotionWorld.Compliance.Username, PromotionWorld.Owner.Username, PromotionWorld.Viewer.Username], first.Select(n => n[..n.IndexOf(':')]));

        // Run again here, after a restart, and by the other instance: nothing more.
        await SendAsync(portal);
        Assert.Equal(0, await restarted.SendRemindersAsync());
        Assert.Equal(3, (await RemindedAsync()).Count);

        // Three runs on two instances at once, as the day of each later reminder comes: each reminder is sent once
        // (other tests' plans share the database, so the runs' counts say nothing about this plan).
        foreach (var days in new[] { 60, 23, 7, 7 })
        {
            portal.Clock.Advance(TimeSpan.FromDays(days));
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => i % 2 == 0 ? restarted.SendRemindersAsync() : beside.SendRemindersAsync()));
        }
        Assert.Equal(["90-days-before", "30-days-before", "7-days-before", "on-the-day", "overdue-week-1"], await KindsAsync());
        var all = await RemindedAsync();
        Assert.Equal(15, all.Count);
        Assert.Equal(5, all.Count(n => n.StartsWith(PromotionWorld.Owner.Username + ":", StringComparison.Ordinal)));
        Assert.Contains(all, n => n.Contains("Retirement 7 days overdue", StringComparison.Ordinal));
        var audited = await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "retirement.reminded" && e.Payload.Contains(model.Key)));
        Assert.Equal(5, audited);
        Assert.True((await _world.VerifyAuditAsync()).Valid);

        // A cancelled plan reminds nobody.
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"{Url(model.Key, old)}/cancel", Json(new { reason = "Kept after all." }))).StatusCode);
        portal.Clock.Advance(TimeSpan.FromDays(7));
        await SendAsync(portal);
        Assert.Equal(15, (await RemindedAsync()).Count);
    }

    private static async Task SendAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await new RetirementReminderJob(scope.ServiceProvider.GetRequiredService<RetirementService>()).RunAsync(CancellationToken.None);
    }
}

public sealed class RetirementApiTestsOnSqlite(SqliteClockedPortal portal) : RetirementApiTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class RetirementApiTestsOnPostgreSql(PostgreSqlClockedPortal portal) : RetirementApiTests(portal), IClassFixture<PostgreSqlClockedPortal>;
