using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Retirement;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Reviews;

/// <summary>Periodic reviews over HTTP (issue 15, items 4 and 7), with the test's clock standing in for the calendar.</summary>
public abstract class ReviewApiTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private DateOnly Today => DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime);

    private static string Url(string key, string version) => $"/api/v1/models/{key}/versions/{version}/review";

    private static object Answers(bool concerned = false, string? skip = null) => new
    {
        answers = ReviewRules.Questions.Where(q => q.Id != skip)
            .Select(q => new { question = q.Id, answer = concerned ? !q.Reassuring : q.Reassuring, comment = $"Checked for {q.Id}." }).ToArray(),
    };

    private async Task<(WorldModel Model, string Version)> InProductionAsync(string key, RiskTier tier)
    {
        var model = await _world.RegisterModelAsync(key, tier, PromotionWorld.Owner);
        var version = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        await _world.PromoteAsync(model, version, Stage.Staging);
        await _world.PromoteAsync(model, version, Stage.Production);
        return (model, version);
    }

    private async Task<string> RegisterAsync(WorldModel model, string number, ChangeKind kind)
    {
        var result = await _world.InScopeAsync(sp => sp.GetRequiredService<RegistryService>().RegisterVersionAsync(model.Owner.Caller, model.Key,
            new RegisterVersionRequest(number, kind, "A version of the review tests.", $"s3://ml-artifacts/{model.Key}/{number}/model.tar.gz", RegistryTestData.Sha, null,
                PromotionWorld.PassingMetrics, PromotionWorld.Card(CardQuality.Complete))));
        Assert.Null(result.Failure);
        return number;
    }

    private async Task<JsonElement> ReviewAsync(HttpClient client, string key, string version)
    {
        var response = await client.GetAsync(Url(key, version));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await BodyAsync(response);
    }

    private static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        if (status != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        return await BodyAsync(response);
    }

    [Fact]
    public async Task A_high_risk_review_falls_due_a_year_after_production_is_answered_returned_and_signed_off_each_audited()
    {
        var approvedOn = Today;
        var (model, version) = await InProductionAsync("review-cycle", RiskTier.High);
        var viewer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Viewer.Username);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);

        var review = await ReviewAsync(viewer, model.Key, version);
        Assert.Equal((approvedOn.AddMonths(12).ToString("yyyy-MM-dd"), "upcoming", "open", 12, true),
            (review.GetProperty("dueDate").GetString(), review.GetProperty("status").GetString(), review.GetProperty("state").GetString(),
             review.GetProperty("intervalMonths").GetInt32(), review.GetProperty("blocksPromotionsWhenOverdue").GetBoolean()));
        var listed = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/reviews?status=upcoming");
        var item = listed.EnumerateArray().Single(r => r.GetProperty("model").GetString() == model.Key);
        Assert.Equal((version, JsonValueKind.Null), (item.GetProperty("version").GetString(), item.GetProperty("lastReviewedAt").ValueKind));
        Assert.DoesNotContain((await viewer.GetFromJsonAsync<JsonElement>("/api/v1/reviews?status=overdue")).EnumerateArray(), r => r.GetProperty("model").GetString() == model.Key);

        portal.Clock.Advance(TimeSpan.FromDays(350));
        Assert.Equal("due", (await ReviewAsync(viewer, model.Key, version)).GetProperty("status").GetString());

        // Incomplete answers are refused at the question; people outside the owner's team may not answer.
        var incomplete = await ExpectAsync(await owner.PutAsync($"{Url(model.Key, version)}/answers", Json(Answers(skip: "drift-seen"))), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Answer yes or no.", incomplete.GetProperty("errors").GetProperty("drift-seen")[0].GetString());
        foreach (var other in new[] { PromotionWorld.Owner2, PromotionWorld.Compliance })
        {
            await ExpectAsync(await (await TestApiKeys.ClientAsync(portal, other.Username)).PutAsync($"{Url(model.Key, version)}/answers", Json(Answers())),
                HttpStatusCode.Forbidden);
        }
        await ExpectAsync(await officer.PostAsync($"{Url(model.Key, version)}/sign-off", Json(new { comment = "Early." })), HttpStatusCode.Conflict);

        await ExpectAsync(await owner.PutAsync($"{Url(model.Key, version)}/answers", Json(Answers(concerned: true))), HttpStatusCode.OK);
        // The owner cannot sign off what they answered, nor can a viewer; returning needs a comment.
        await ExpectAsync(await owner.PostAsync($"{Url(model.Key, version)}/sign-off", Json(new { comment = "" })), HttpStatusCode.Forbidden);
        await ExpectAsync(await officer.PostAsync($"{Url(model.Key, version)}/return", Json(new { comment = " " })), HttpStatusCode.UnprocessableEntity);
        var returned = await ExpectAsync(await officer.PostAsync($"{Url(model.Key, version)}/return", Json(new { comment = "Say which drift monitor fired." })),
            HttpStatusCode.OK);
        Assert.Equal(("returned", "Say which drift monitor fired."), (returned.GetProperty("state").GetString(), returned.GetProperty("decisionComment").GetString()));
        await ExpectAsync(await officer.PostAsync($"{Url(model.Key, version)}/sign-off", Json(new { comment = "" })), HttpStatusCode.Conflict);

        await ExpectAsync(await owner.PutAsync($"{Url(model.Key, version)}/answers", Json(Answers())), HttpStatusCode.OK);
        var signedOff = await ExpectAsync(await (await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance2.Username))
            .PostAsync($"{Url(model.Key, version)}/sign-off", Json(new { comment = "Monitoring is in order." })), HttpStatusCode.OK);
        Assert.Equal((Today.AddMonths(12).ToString("yyyy-MM-dd"), "upcoming", "open"),
            (signedOff.GetProperty("dueDate").GetString(), signedOff.GetProperty("status").GetString(), signedOff.GetProperty("state").GetString()));
        Assert.NotEqual(JsonValueKind.Null, signedOff.GetProperty("lastReviewedAt").ValueKind);

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityType == nameof(PeriodicReview) && e.Payload.Contains("\"review-cycle\""))
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.ActorUsername }).ToListAsync());
        Assert.Equal(["review.answered", "review.returned", "review.answered", "review.signed-off"], events.Select(e => e.Action));
        Assert.Equal([PromotionWorld.Owner.Username, PromotionWorld.Compliance.Username, PromotionWorld.Owner.Username, PromotionWorld.Compliance2.Username],
            events.Select(e => e.ActorUsername));
        var told = await portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == ReviewService.NotificationKind && n.Link == ReviewService.Link(model.Key))
            .Select(n => n.Recipient + ": " + n.Title).ToListAsync());
        Assert.Contains($"{PromotionWorld.Owner.Username}: Periodic review signed off: Model {model.Key} {version}", told);
        Assert.Contains($"{PromotionWorld.Compliance.Username}: Periodic review to sign off: Model {model.Key} {version}", told);
        Assert.True((await _world.VerifyAuditAsync()).Valid);
    }

    [Fact]
    public async Task An_overdue_high_risk_review_blocks_promotions_until_signed_off_a_limited_one_does_not()
    {
        var (high, champion) = await InProductionAsync("review-gate-high", RiskTier.High);
        var (limited, _) = await InProductionAsync("review-gate-limited", RiskTier.Limited);
        var next = await _world.RegisterVersionAsync(high, CardQuality.Complete, metricsPass: true);
        var limitedNext = await _world.RegisterVersionAsync(limited, CardQuality.Complete, metricsPass: true);
        portal.Clock.Advance(TimeSpan.FromDays(800));

        var viewer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Viewer.Username);
        var overdue = (await viewer.GetFromJsonAsync<JsonElement>("/api/v1/reviews?status=overdue")).EnumerateArray().Select(r => r.GetProperty("model").GetString()).ToList();
        Assert.Contains(high.Key, overdue);
        Assert.Contains(limited.Key, overdue);
        await ExpectAsync(await viewer.GetAsync("/api/v1/reviews?status=late"), HttpStatusCode.BadRequest);

        var blocked = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, high.Owner, high.Key, next, Stage.Staging));
        Assert.NotNull(blocked.Failure);
        var gate = blocked.Gates.Single(g => g.Name == GateNames.PeriodicReview);
        Assert.False(gate.Passed);
        Assert.Contains("overdue", gate.Explanation, StringComparison.Ordinal);
        var limitedRequest = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, limited.Owner, limited.Key, limitedNext, Stage.Staging));
        Assert.DoesNotContain(limitedRequest.Gates, g => g.Name == GateNames.PeriodicReview);

        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        await ExpectAsync(await owner.PutAsync($"{Url(high.Key, champion)}/answers", Json(Answers())), HttpStatusCode.OK);
        // Answered is not enough: the gate waits for the sign-off.
        Assert.NotNull((await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, high.Owner, high.Key, next, Stage.Staging))).Failure);
        await ExpectAsync(await (await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username))
            .PostAsync($"{Url(high.Key, champion)}/sign-off", Json(new { comment = "" })), HttpStatusCode.OK);
        var allowed = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, high.Owner, high.Key, next, Stage.Staging));
        Assert.True(allowed.Failure is null, allowed.Message);
        Assert.True(allowed.Gates.Single(g => g.Name == GateNames.PeriodicReview).Passed);
    }

    [Fact]
    public async Task A_new_major_version_in_production_restarts_the_cycle_a_minor_one_does_not()
    {
        var start = Today;
        var (model, first) = await InProductionAsync("review-major", RiskTier.Limited);
        var viewer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Viewer.Username);
        Assert.Equal(start.AddMonths(24).ToString("yyyy-MM-dd"), (await ReviewAsync(viewer, model.Key, first)).GetProperty("dueDate").GetString());

        portal.Clock.Advance(TimeSpan.FromDays(100));
        var minor = await RegisterAsync(model, "1.1.0", ChangeKind.ImprovedModel);
        await _world.PromoteAsync(model, minor, Stage.Staging);
        await _world.PromoteAsync(model, minor, Stage.Production);
        var afterMinor = await ReviewAsync(viewer, model.Key, minor);
        Assert.Equal(start.AddMonths(24).ToString("yyyy-MM-dd"), afterMinor.GetProperty("dueDate").GetString());
        // The review is of the version in Production only.
        await ExpectAsync(await viewer.GetAsync(Url(model.Key, first)), HttpStatusCode.NotFound);

        portal.Clock.Advance(TimeSpan.FromDays(100));
        var major = await RegisterAsync(model, "2.0.0", ChangeKind.IncompatibleDataChange);
        await _world.PromoteAsync(model, major, Stage.Staging);
        await _world.PromoteAsync(model, major, Stage.Production);
        var restarted = await ReviewAsync(viewer, model.Key, major);
        Assert.Equal((Today.ToString("yyyy-MM-dd"), Today.AddMonths(24).ToString("yyyy-MM-dd")),
            (restarted.GetProperty("cycleStart").GetString(), restarted.GetProperty("dueDate").GetString()));
    }

    [Fact]
    public async Task Each_reminder_goes_once_across_a_restart_and_with_two_instances_and_overdue_ones_reach_the_officers()
    {
        var (model, version) = await InProductionAsync("review-reminders", RiskTier.High);
        var link = ReviewService.Link(model.Key);
        Task<List<string>> RemindedAsync() => portal.WithDbAsync(db => db.Notifications.Where(n => n.Kind == ReviewService.NotificationKind && n.Link == link)
            .OrderBy(n => n.Recipient).Select(n => n.Recipient + ": " + n.Title).ToListAsync());
        Task<List<string>> KindsAsync() => portal.WithDbAsync(db => db.Set<ReviewReminderSent>().Where(r => r.ModelId == db.Models.Single(m => m.Key == model.Key).Id)
            .OrderBy(r => r.SentAt).Select(r => r.Kind).ToListAsync());
        await using var restarted = new AnotherInstance(portal);
        await using var beside = new AnotherInstance(portal);
        _ = restarted.Server;
        _ = beside.Server;

        await SendAsync(portal);
        Assert.Empty(await RemindedAsync());

        var due = Today.AddMonths(12);
        portal.Clock.Advance(TimeSpan.FromDays(due.DayNumber - Today.DayNumber - 30));
        await SendAsync(portal);
        Assert.Equal([$"{PromotionWorld.Owner.Username}: Periodic review due on {due:yyyy-MM-dd}: Model {model.Key} {version}"], await RemindedAsync());
        await SendAsync(portal);
        Assert.Equal(0, await SendWithAsync(restarted));
        Assert.Single(await RemindedAsync());

        foreach (var days in new[] { 30, 7, 7 })
        {
            portal.Clock.Advance(TimeSpan.FromDays(days));
            await Task.WhenAll(Enumerable.Range(0, 3).Select(i => SendWithAsync(i % 2 == 0 ? restarted : beside)));
        }
        Assert.Equal(["due-in-30", "due", "overdue-week-1", "overdue-week-2"], await KindsAsync());
        var all = await RemindedAsync();
        Assert.Equal(4, all.Count(n => n.StartsWith(PromotionWorld.Owner.Username + ":", StringComparison.Ordinal)));
        Assert.Equal(2, all.Count(n => n.StartsWith(PromotionWorld.Compliance.Username + ":", StringComparison.Ordinal)));
        Assert.Contains(all, n => n.Contains($"overdue since {due:yyyy-MM-dd}", StringComparison.Ordinal));
        Assert.Equal(4, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "review.reminded" && e.Payload.Contains(model.Key))));
        Assert.True((await _world.VerifyAuditAsync()).Valid);
    }

    [Fact]
    public async Task Review_policies_are_versioned_edits_audited_and_refused_to_owners()
    {
        var viewer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Viewer.Username);
        var policies = await viewer.GetFromJsonAsync<JsonElement>("/api/v1/review-policies");
        Assert.Equal([("Minimal", 36), ("Limited", 24), ("High", 12), ("Prohibited", 0)],
            policies.EnumerateArray().Select(p => (p.GetProperty("riskTier").GetString(), p.GetProperty("intervalMonths").ValueKind == JsonValueKind.Null ? 0 : p.GetProperty("intervalMonths").GetInt32())));
        var minimal = policies.EnumerateArray().Single(p => p.GetProperty("riskTier").GetString() == "Minimal").GetProperty("version").GetInt32();

        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        await ExpectAsync(await owner.PutAsync("/api/v1/review-policies/Minimal", Json(new { basedOnVersion = minimal, intervalMonths = 30, blocksPromotionsWhenOverdue = false, changeNote = "Mine." })),
            HttpStatusCode.Forbidden);
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);
        await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Minimal", Json(new { basedOnVersion = minimal, intervalMonths = 0, blocksPromotionsWhenOverdue = false, changeNote = "x" })),
            HttpStatusCode.UnprocessableEntity);
        await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Prohibited", Json(new { basedOnVersion = 1, intervalMonths = 12, blocksPromotionsWhenOverdue = false, changeNote = "x" })),
            HttpStatusCode.UnprocessableEntity);
        await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Severe", Json(new { basedOnVersion = 1, intervalMonths = 12, blocksPromotionsWhenOverdue = false, changeNote = "x" })),
            HttpStatusCode.NotFound);
        var saved = await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Minimal",
            Json(new { basedOnVersion = minimal, intervalMonths = 30, blocksPromotionsWhenOverdue = false, changeNote = "Quarterly committee asks for 30 months." })), HttpStatusCode.OK);
        Assert.Equal((minimal + 1, 30), (saved.GetProperty("version").GetInt32(), saved.GetProperty("intervalMonths").GetInt32()));
        // A second edit from the same version is stale.
        await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Minimal",
            Json(new { basedOnVersion = minimal, intervalMonths = 36, blocksPromotionsWhenOverdue = false, changeNote = "Back." })), HttpStatusCode.Conflict);
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "review-policy.changed" && e.Payload.Contains("Quarterly committee"))));
        // Put back for the other tests of this class, which share the database.
        await ExpectAsync(await officer.PutAsync("/api/v1/review-policies/Minimal",
            Json(new { basedOnVersion = minimal + 1, intervalMonths = 36, blocksPromotionsWhenOverdue = false, changeNote = "Back to the default." })), HttpStatusCode.OK);
    }

    private static async Task SendAsync(PortalFactory portal)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        await new ReviewReminderJob(scope.ServiceProvider.GetRequiredService<ReviewService>()).RunAsync(CancellationToken.None);
    }

    private static async Task<int> SendWithAsync(PortalFactory instance)
    {
        await using var scope = instance.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ReviewService>().SendDueRemindersAsync();
    }
}

public sealed class ReviewApiTestsOnSqlite(SqliteClockedPortal portal) : ReviewApiTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class ReviewApiTestsOnPostgreSql(PostgreSqlClockedPortal portal) : ReviewApiTests(portal), IClassFixture<PostgreSqlClockedPortal>;
