using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Jobs;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

/// <summary>
/// A rollback nobody confirmed within its 24 hours: refused to both halves from the end of its window, before and after the
/// expiry job stores it as Expired (once, by the system, telling its starter). The test's clock stands in for the day's wait.
/// </summary>
public abstract class RollbackExpiryTests(ClockedPortal portal) : IAsyncLifetime
{
    private const string ExpiredMessage = "and has expired";

    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Through_the_api_an_expired_rollback_is_refused_before_and_after_the_job_which_stores_it_once_and_tells_the_starter()
    {
        var (model, previous, champion) = await _world.ChampionWithPredecessorAsync("expiry-api", PromotionWorld.Owner2);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner2.Username);
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);
        var started = await owner.PostAsync($"/api/v1/models/{model.Key}/rollbacks", Json(new { reason = "Error rate doubled after the release." }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var body = await BodyAsync(started);
        var id = body.GetProperty("id").GetGuid();
        portal.Clock.Advance(body.GetProperty("expiresAt").GetDateTimeOffset() - portal.Clock.GetUtcNow());

        // The window has closed; the job has not run.
        Assert.Equal(RollbackState.Pending, await StoredStateAsync(id));
        await AssertRefusedAsync(officer, owner, id);

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await new RollbackExpiryJob(scope.ServiceProvider.GetRequiredService<RollbackService>()).RunAsync(CancellationToken.None);
        }
        Assert.Equal(0, await _world.InScopeAsync(PromotionWorld.ExpireRollbacksAsync));

        var stored = await portal.WithDbAsync(db => db.Rollbacks.AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal((RollbackState.Expired, null), (stored.State, stored.DecidedBy));
        Assert.True(stored.DecidedAt >= stored.ExpiresAt, $"Stored expired at {stored.DecidedAt:O}, before its window closed at {stored.ExpiresAt:O}.");
        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == id.ToString()).OrderBy(e => e.Sequence)
            .Select(e => new { e.Action, e.ActorUsername }).ToListAsync());
        Assert.Equal([("rollback.started", PromotionWorld.Owner2.Username), ("rollback.expired", "system")], audit.Select(e => (e.Action, e.ActorUsername)));
        Assert.Equal([PromotionWorld.Owner2.Username], await RollbackSetup.RecipientsAsync(portal, "rollback.expired", $"/rollbacks/{id}"));
        var told = (await owner.GetFromJsonAsync<JsonElement>("/api/v1/notifications")).EnumerateArray()
            .Single(n => n.GetProperty("kind").GetString() == "rollback.expired" && n.GetProperty("link").GetString() == $"/rollbacks/{id}");
        Assert.Contains("Production is unchanged", told.GetProperty("body").GetString());
        Assert.DoesNotContain(await portal.WithDbAsync(db => db.Notifications.Where(n => n.Link == $"/rollbacks/{id}" && n.Kind == "rollback.started")
            .Select(n => n.ReadAt).ToListAsync()), readAt => readAt is null);

        await AssertRefusedAsync(officer, owner, id);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, model.Key, champion));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, model.Key, previous));
        // An expired rollback holds nothing up: the emergency can be started again.
        Assert.Equal(HttpStatusCode.Created, (await owner.PostAsync($"/api/v1/models/{model.Key}/rollbacks", Json(new { reason = "Still failing." }))).StatusCode);
        var problems = await _world.InScopeAsync(sp => new PromotionInvariants().CheckAsync(sp.GetRequiredService<GovernanceDbContext>(), everything: true));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_rollback_page_says_why_an_expired_rollback_can_no_longer_be_confirmed_or_cancelled()
    {
        var (model, previous, champion) = await _world.ChampionWithPredecessorAsync("expiry-page", PromotionWorld.Owner2);
        var id = (await _world.InScopeAsync(sp => PromotionWorld.StartRollbackAsync(sp, PromotionWorld.Owner2, model.Key, "Alert volume tripled."))).Rollback!.Id;
        var page = $"/rollbacks/{id}";
        var expiresAt = await portal.WithDbAsync(db => db.Rollbacks.Where(r => r.Id == id).Select(r => r.ExpiresAt).SingleAsync());
        portal.Clock.Advance(expiresAt - TimeSpan.FromMinutes(1) - portal.Clock.GetUtcNow());
        var officer = await PortalClient.SignedInAsync(portal, PromotionWorld.Compliance.Username);
        var starter = await PortalClient.SignedInAsync(portal, PromotionWorld.Owner2.Username);
        // A minute before the window closes the page offers both.
        var officersView = await officer.GetDocumentAsync(page);
        Assert.NotNull(officersView.QuerySelector("[data-testid=confirm-rollback]"));
        Assert.NotNull((await starter.GetDocumentAsync(page)).QuerySelector("[data-testid=cancel-rollback]"));

        portal.Clock.Advance(TimeSpan.FromMinutes(2));

        // What the page's buttons would ask for is refused now (the pages' handling of a refusal is tested with bUnit).
        await AssertRefusedAsync(await RollbackSetup.As(portal, PromotionWorld.Compliance.Username), await RollbackSetup.As(portal, PromotionWorld.Owner2.Username), id);

        // Shown as expired, with the reason and no forms, before and after the job stores it.
        foreach (var jobHasRun in new[] { false, true })
        {
            if (jobHasRun)
            {
                // Other tests of this class may leave rollbacks due as well; this one's stored state is what counts.
                Assert.True(await _world.InScopeAsync(PromotionWorld.ExpireRollbacksAsync) >= 1);
            }
            foreach (var viewer in new[] { officer, starter })
            {
                var view = await viewer.GetDocumentAsync(page);
                Assert.Equal("Expired", view.QuerySelector("[data-testid=rollback-status]")!.TextContent.Trim());
                Assert.Contains(ExpiredMessage, view.QuerySelector("[data-testid=why-not]")!.TextContent);
                Assert.Null(view.QuerySelector("[data-testid=confirm-rollback]"));
                Assert.Null(view.QuerySelector("[data-testid=cancel-rollback]"));
                Assert.Contains("Expired", view.QuerySelector("[data-testid=timeline]")!.TextContent);
            }
            Assert.Equal(jobHasRun ? RollbackState.Expired : RollbackState.Pending, await StoredStateAsync(id));
        }
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, model.Key, champion));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, model.Key, previous));
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.EntityId == id.ToString() && e.Action != "rollback.started" && e.Action != "rollback.expired")));
    }

    private static async Task AssertRefusedAsync(HttpClient officer, HttpClient starter, Guid id)
    {
        var shown = await officer.GetFromJsonAsync<JsonElement>($"/api/v1/rollbacks/{id}");
        Assert.Equal(("expired", true), (shown.GetProperty("status").GetString(), shown.GetProperty("expired").GetBoolean()));
        foreach (var (client, action) in new[] { (officer, "confirm"), (starter, "cancel") })
        {
            var refused = await client.PostAsync($"/api/v1/rollbacks/{id}/{action}", null);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains(ExpiredMessage, (await BodyAsync(refused)).GetProperty("detail").GetString());
        }
    }

    private Task<RollbackState> StoredStateAsync(Guid id) => portal.WithDbAsync(db => db.Rollbacks.Where(r => r.Id == id).Select(r => r.State).SingleAsync());
}

public sealed class RollbackExpiryTestsOnSqlite(SqliteClockedPortal portal) : RollbackExpiryTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class RollbackExpiryTestsOnPostgreSql(PostgreSqlClockedPortal portal) : RollbackExpiryTests(portal), IClassFixture<PostgreSqlClockedPortal>;
