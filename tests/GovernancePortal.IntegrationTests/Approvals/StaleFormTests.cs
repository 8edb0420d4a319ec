using System.Net;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

/// <summary>
/// A page opened before someone else changed what it shows: its form, posted afterwards, gets the service's refusal on the
/// page (not static SSR's 400 for a form the page no longer renders), and nothing changes or is audited for the attempt.
/// </summary>
public abstract class StaleFormTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("approved", "already Approved")]
    [InlineData("rejected", "already Rejected")]
    [InlineData("withdrawn", "already Withdrawn")]
    [InlineData("expired", "expired at")]
    public async Task An_approvers_decision_posted_after_the_request_ended_shows_why_and_changes_nothing(string endedBy, string refusal)
    {
        var (model, id) = await PendingStagingRequestAsync($"stale-decide-{endedBy}");
        var expiresAt = await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.ExpiresAt).SingleAsync());
        if (endedBy == "expired")
        {
            // The page is opened a minute before the request expires (a sign-in does not last the request's 14 days).
            portal.Clock.Advance(expiresAt - TimeSpan.FromMinutes(1) - portal.Clock.GetUtcNow());
        }
        var approver = await PortalClient.SignedInAsync(portal, PromotionWorld.Compliance.Username);
        var page = await approver.GetDocumentAsync($"/approvals/{id}");
        Assert.NotNull(page.QuerySelector("[data-testid=approve]"));

        switch (endedBy)
        {
            case "approved" or "rejected":
                var other = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance2.Username);
                var decided = await other.PostAsync($"/api/v1/promotions/{id}/decisions",
                    Json(new { decision = endedBy == "approved" ? "approve" : "reject", comment = "Decided first." }));
                Assert.True(decided.StatusCode == HttpStatusCode.OK, await decided.Content.ReadAsStringAsync());
                break;
            case "withdrawn":
                var owner = await TestApiKeys.ClientAsync(portal, model.Owner.Username);
                Assert.Equal(HttpStatusCode.OK, (await owner.PostAsync($"/api/v1/promotions/{id}/withdraw", null)).StatusCode);
                break;
            default:
                portal.Clock.Advance(TimeSpan.FromMinutes(2));
                Assert.True(await _world.InScopeAsync(PromotionWorld.ExpireAsync) >= 1);
                break;
        }
        var before = await StateAsync(id);
        var sequence = await LastSequenceAsync();

        var posted = await approver.PostFormAsync($"/approvals/{id}", page, new() { ["_handler"] = "decide", ["Verdict"] = "Approve", ["Comment"] = "Looks fine to me." });

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var shown = PortalClient.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Contains(refusal, shown.QuerySelector("[data-testid=status-message]")!.TextContent);
        // The refused form is not offered again: the request has ended.
        Assert.Null(shown.QuerySelector("[data-testid=approve]"));
        Assert.Equal(before, await StateAsync(id));
        await AssertNothingAuditedForAsync(PromotionWorld.Compliance.Username, sequence);
    }

    [Fact]
    public async Task A_withdrawal_posted_after_an_approver_decided_shows_why_and_changes_nothing()
    {
        var (model, id) = await PendingStagingRequestAsync("stale-withdraw");
        var owner = await PortalClient.SignedInAsync(portal, model.Owner.Username);
        var page = await owner.GetDocumentAsync($"/approvals/{id}?confirm=withdraw");
        Assert.NotNull(page.QuerySelector("input[name=_handler][value=withdraw]"));
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);
        Assert.Equal(HttpStatusCode.OK, (await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }))).StatusCode);
        var before = await StateAsync(id);
        var sequence = await LastSequenceAsync();

        var posted = await owner.PostFormAsync($"/approvals/{id}?confirm=withdraw", page, new() { ["_handler"] = "withdraw" });

        // The withdrawal, refused or not, goes back to the request page with its message, as it always has.
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var shown = await owner.GetDocumentAsync($"/approvals/{id}");
        Assert.Contains("already Approved", shown.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Equal((PromotionRequestState.Approved, 1), before);
        Assert.Equal(before, await StateAsync(id));
        Assert.Equal(Stage.Staging, await RollbackSetup.StageAsync(portal, model.Key, await VersionOfAsync(id)));
        await AssertNothingAuditedForAsync(model.Owner.Username, sequence);
    }

    [Fact]
    public async Task A_request_posted_after_its_gates_stopped_passing_shows_the_blocking_gate_and_saves_nothing()
    {
        var model = await _world.RegisterModelAsync("stale-request", RiskTier.Limited, PromotionWorld.Owner2);
        var number = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        var url = $"/models/{model.Key}/versions/{number}/promote?target=Staging";
        var owner = await PortalClient.SignedInAsync(portal, model.Owner.Username);
        var page = await owner.GetDocumentAsync(url);
        Assert.NotNull(page.QuerySelector("[data-testid=submit-request]"));
        // Someone cuts the card down below the Staging gate while the page is open.
        Assert.Null(await _world.InScopeAsync(sp => PromotionWorld.SaveCardAsync(sp, PromotionWorld.Owner2, model.Key, number, CardQuality.Sketchy)));
        var sequence = await LastSequenceAsync();

        var posted = await owner.PostFormAsync(url, page, new() { ["_handler"] = "request-promotion", ["Target"] = "Staging", ["Justification"] = "Ready for staging." });

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var shown = PortalClient.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Contains("A gate blocks this promotion", shown.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.NotNull(shown.QuerySelector("[data-testid=blocked]"));
        Assert.Null(shown.QuerySelector("[data-testid=submit-request]"));
        Assert.Equal(0, await portal.WithDbAsync(db => db.Promotions.CountAsync(p => p.Version.Model.Key == model.Key)));
        await AssertNothingAuditedForAsync(model.Owner.Username, sequence);
    }

    [Fact]
    public async Task A_rollback_started_on_a_page_opened_before_another_start_shows_the_pending_one_and_starts_nothing()
    {
        var (model, _, _) = await _world.ChampionWithPredecessorAsync("stale-start", PromotionWorld.Owner2);
        var url = $"/models/{model.Key}/rollback";
        var owner = await PortalClient.SignedInAsync(portal, model.Owner.Username);
        var page = await owner.GetDocumentAsync(url);
        Assert.NotNull(page.QuerySelector("[data-testid=start-rollback]"));
        var officer = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance.Username);
        var started = await officer.PostAsync($"/api/v1/models/{model.Key}/rollbacks", Json(new { reason = "Alerts doubled." }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var sequence = await LastSequenceAsync();

        var posted = await owner.PostFormAsync(url, page, new() { ["_handler"] = "start-rollback", ["Reason"] = "Latency tripled." });

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var shown = PortalClient.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Contains("already waiting for confirmation", shown.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.NotNull(shown.QuerySelector("[data-testid=pending-rollback]"));
        Assert.Null(shown.QuerySelector("[data-testid=start-rollback]"));
        Assert.Equal(["Alerts doubled."], await portal.WithDbAsync(db => db.Rollbacks.Where(r => r.Model.Key == model.Key).Select(r => r.Reason).ToListAsync()));
        await AssertNothingAuditedForAsync(model.Owner.Username, sequence);
    }

    [Fact]
    public async Task Findings_posted_after_another_officer_closed_the_retrospective_show_why_and_change_nothing()
    {
        var (model, _, _) = await _world.ChampionWithPredecessorAsync("stale-review", PromotionWorld.Owner2);
        var rollback = (await _world.InScopeAsync(sp => PromotionWorld.StartRollbackAsync(sp, model.Owner, model.Key, "Alerts doubled."))).Rollback!.Id;
        Assert.Null((await _world.InScopeAsync(sp => PromotionWorld.ConfirmRollbackAsync(sp, PromotionWorld.Compliance, rollback))).Failure);
        var review = await portal.WithDbAsync(db => db.RetrospectiveReviews.Where(r => r.RollbackId == rollback).Select(r => r.Id).SingleAsync());
        var url = $"/retrospectives/{review}";
        var officer = await PortalClient.SignedInAsync(portal, PromotionWorld.Compliance.Username);
        var page = await officer.GetDocumentAsync(url);
        Assert.NotNull(page.QuerySelector("[data-testid=close-review]"));
        var other = await TestApiKeys.ClientAsync(portal, PromotionWorld.Compliance2.Username);
        var closed = await other.PostAsync($"/api/v1/retrospectives/{review}/close", Json(new { findings = "A stale feature table; freshness gate added." }));
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var sequence = await LastSequenceAsync();

        var posted = await officer.PostFormAsync(url, page, new() { ["_handler"] = "close-review", ["Findings"] = "Something else entirely." });

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var shown = PortalClient.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Contains("already closed", shown.QuerySelector("[data-testid=status-message]")!.TextContent);
        Assert.Null(shown.QuerySelector("[data-testid=close-review]"));
        Assert.Contains("freshness gate", shown.QuerySelector("[data-testid=findings]")!.TextContent);
        var stored = await portal.WithDbAsync(db => db.RetrospectiveReviews.AsNoTracking().SingleAsync(r => r.Id == review));
        Assert.Equal((ReviewState.Closed, PromotionWorld.Compliance2.Username), (stored.State, stored.ClosedBy));
        await AssertNothingAuditedForAsync(PromotionWorld.Compliance.Username, sequence);
    }

    /// <summary>A version in Development, its Staging request pending (one ComplianceOfficer decides it under the default policy).</summary>
    private async Task<(WorldModel Model, Guid Id)> PendingStagingRequestAsync(string key)
    {
        var model = await _world.RegisterModelAsync(key, RiskTier.Limited, PromotionWorld.Owner2);
        var number = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        var requested = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, number, Stage.Staging));
        Assert.Equal(PromotionRequestState.Pending, requested.Promotion?.State);
        return (model, requested.Promotion!.Id);
    }

    private async Task<(PromotionRequestState State, int Decisions)> StateAsync(Guid id)
    {
        var promotion = await portal.WithDbAsync(db => db.Promotions.AsNoTracking().Include(p => p.Decisions).SingleAsync(p => p.Id == id));
        return (promotion.State, promotion.Decisions.Count);
    }

    private async Task<string> VersionOfAsync(Guid id) =>
        (await portal.WithDbAsync(db => db.Promotions.AsNoTracking().Include(p => p.Version).SingleAsync(p => p.Id == id))).Version.Number.ToString();

    private Task<long> LastSequenceAsync() => portal.WithDbAsync(db => db.AuditEvents.MaxAsync(e => e.Sequence));

    private async Task AssertNothingAuditedForAsync(string username, long after)
    {
        var actions = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Sequence > after && e.ActorUsername == username).Select(e => e.Action).ToListAsync());
        Assert.True(actions.Count == 0, $"Audited for {username}'s refused post: {string.Join(", ", actions)}");
    }
}

public sealed class StaleFormTestsOnSqlite(SqliteClockedPortal portal) : StaleFormTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class StaleFormTestsOnPostgreSql(PostgreSqlClockedPortal portal) : StaleFormTests(portal), IClassFixture<PostgreSqlClockedPortal>;
