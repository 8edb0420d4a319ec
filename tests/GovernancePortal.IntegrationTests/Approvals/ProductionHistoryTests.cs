using GovernancePortal.Data;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>
/// A model's Production history follows the order its changes committed, not the deciders' clocks: here some changes are
/// decided on a portal instance whose clock lags, so their decision timestamps run opposite to the commit order.
/// </summary>
public abstract class ProductionHistoryTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Changes_decided_on_a_lagging_instance_are_listed_and_rolled_back_in_commit_order()
    {
        var model = await _world.RegisterModelAsync("lagging-history", RiskTier.Limited, PromotionWorld.Owner2);
        var (v1, v2, v3) = (await VersionInStagingAsync(model), await VersionInStagingAsync(model), await VersionInStagingAsync(model));
        await _world.PromoteAsync(model, v1, Stage.Production);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        await _world.PromoteAsync(model, v2, Stage.Production);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        // Committed last, stamped five minutes before v2's approval.
        await PromoteOnLaggingInstanceAsync(model, v3, TimeSpan.FromMinutes(15));

        var history = await HistoryAsync(model);
        Assert.Equal([v1, v2, v3], history.Select(c => c.Version));
        Assert.True(history[2].Change.At < history[1].Change.At, "The lagging instance should have stamped v3's approval before v2's.");
        Assert.All(history, c => Assert.Equal([PromotionWorld.Compliance.Username], c.Change.By));
        Assert.Equal((v3, v2), await PlanAsync(model));

        // The rollback is decided on an instance an hour behind: stamped before every promotion, committed after them all.
        await RollBackAsync(model, TimeSpan.FromHours(1));
        Assert.Equal((Stage.Production, Stage.Staging), (await RollbackSetup.StageAsync(portal, model.Key, v2), await RollbackSetup.StageAsync(portal, model.Key, v3)));
        history = await HistoryAsync(model);
        Assert.Equal([v1, v2, v3, v2], history.Select(c => c.Version));
        Assert.True(history[3].Change.At < history[0].Change.At, "The rollback should be stamped before every promotion.");
        Assert.NotNull(history[3].Change.RollbackId);
        Assert.Equal([PromotionWorld.Owner2.Username, PromotionWorld.Compliance.Username], history[3].Change.By);
        Assert.Equal(await IdOfAsync(model, v3), history[3].Change.RolledBack);

        // Rolling back again restores the version before v2, not v3, which the first rollback took out.
        Assert.Equal((v2, v1), await PlanAsync(model));
        await RollBackAsync(model, TimeSpan.Zero);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, model.Key, v1));
        var problems = await _world.InScopeAsync(sp => new PromotionInvariants().CheckAsync(sp.GetRequiredService<GovernanceDbContext>(), everything: true));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Production_now_credits_the_approval_committed_last_whatever_its_timestamp()
    {
        var model = await _world.RegisterModelAsync("lagging-now", RiskTier.Limited, PromotionWorld.Owner2);
        var (v1, v2) = (await VersionInStagingAsync(model), await VersionInStagingAsync(model));
        var first = await _world.PromoteAsync(model, v1, Stage.Production);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        await _world.PromoteAsync(model, v2, Stage.Production);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        // v1 returns to Production by a new request, decided on an instance whose stamp falls before its first approval.
        var again = await PromoteOnLaggingInstanceAsync(model, v1, TimeSpan.FromMinutes(30));
        var decided = await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == first || p.Id == again).ToDictionaryAsync(p => p.Id, p => p.DecidedAt));
        Assert.True(decided[again] < decided[first], "The lagging instance should have stamped the second approval before the first.");

        var viewer = await PortalClient.SignedInAsync(portal, PromotionWorld.Viewer.Username);
        var page = await viewer.GetDocumentAsync("/production");

        var row = page.QuerySelectorAll("[data-testid=production-table] tbody tr").Single(r => r.QuerySelector($"a[href='/models/{model.Key}']") is not null);
        Assert.Equal($"/approvals/{again}", row.QuerySelector("[data-testid=approved] a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_versions_page_shows_its_stage_history_with_how_and_by_whom_in_commit_order()
    {
        var model = await _world.RegisterModelAsync("stage-history", RiskTier.Limited, PromotionWorld.Owner2);
        var (v1, v2) = (await VersionInStagingAsync(model), await VersionInStagingAsync(model));
        var first = await _world.PromoteAsync(model, v1, Stage.Production);
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        var second = await _world.PromoteAsync(model, v2, Stage.Production);
        await RollBackAsync(model, TimeSpan.Zero);

        var viewer = await PortalClient.SignedInAsync(portal, PromotionWorld.Viewer.Username);
        var page = await viewer.GetDocumentAsync($"/models/{model.Key}/versions/{v1}");

        var rows = page.QuerySelectorAll("[data-testid=stage-change]").Select(r => (Text: r.TextContent, Links: r.QuerySelectorAll("a").Select(a => a.GetAttribute("href")!).ToList())).ToList();
        Assert.Equal(5, rows.Count);
        Assert.Contains("Registered", rows[0].Text);
        Assert.Contains("Development", rows[0].Text);
        Assert.Contains("Staging", rows[1].Text);
        Assert.Contains($"/approvals/{first}", rows[2].Links);
        Assert.Contains("under policy version", rows[2].Text);
        Assert.Contains($"by {PromotionWorld.Compliance.Username}", rows[2].Text);
        Assert.Contains($"/approvals/{second}", rows[3].Links);
        Assert.Contains("Moved back", rows[3].Text);
        Assert.Contains("Restored to Production", rows[4].Text);
        Assert.Contains(rows[4].Links, l => l.StartsWith("/rollbacks/", StringComparison.Ordinal));
        // The audit event of each change is named; only people who may read the trail get a link to it.
        Assert.DoesNotContain(rows, r => r.Links.Any(l => l.StartsWith("/audit/events/", StringComparison.Ordinal)));

        var auditor = await PortalClient.SignedInAsync(portal, PromotionWorld.Auditor.Username);
        var events = (await auditor.GetDocumentAsync($"/models/{model.Key}/versions/{v1}"))
            .QuerySelectorAll("[data-testid=stage-change] a[href^='/audit/events/']").Select(a => long.Parse(a.GetAttribute("href")!["/audit/events/".Length..])).ToList();
        Assert.Equal(5, events.Count);
        Assert.Equal(events.Order(), events);
        var actions = await portal.WithDbAsync(db => db.AuditEvents.Where(e => events.Contains(e.Sequence)).Select(e => e.Action).ToListAsync());
        Assert.Equal(["version.registered", "version.stage-changed", "version.stage-changed", "version.stage-changed", "version.stage-changed"], actions.Order());
    }

    private async Task<string> VersionInStagingAsync(WorldModel model)
    {
        var number = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        await _world.PromoteAsync(model, number, Stage.Staging);
        return number;
    }

    /// <summary>Requested as usual; approved (by the one officer a Limited-risk Production promotion needs) on an instance whose clock is <paramref name="behind"/>.</summary>
    private async Task<Guid> PromoteOnLaggingInstanceAsync(WorldModel model, string number, TimeSpan behind)
    {
        var id = (await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, number, Stage.Production))).Promotion!.Id;
        var approved = await _world.InScopeAsync(sp => ActivatorUtilities.CreateInstance<PromotionService>(sp, portal.Clock.Behind(behind))
            .DecideAsync(PromotionWorld.Compliance.Caller, id, Verdict.Approve, null));
        Assert.Equal(PromotionRequestState.Approved, approved.Promotion?.State);
        return id;
    }

    /// <summary>Started by the owner and confirmed by an officer, both on an instance whose clock is <paramref name="behind"/>.</summary>
    private async Task RollBackAsync(WorldModel model, TimeSpan behind)
    {
        portal.Clock.Advance(TimeSpan.FromMinutes(10));
        RollbackService Lagging(IServiceProvider sp) => ActivatorUtilities.CreateInstance<RollbackService>(sp, portal.Clock.Behind(behind));
        var started = await _world.InScopeAsync(sp => Lagging(sp).StartAsync(model.Owner.Caller, model.Key, "Error rate doubled."));
        Assert.Null(started.Failure);
        var confirmed = await _world.InScopeAsync(sp => Lagging(sp).ConfirmAsync(PromotionWorld.Compliance.Caller, started.Rollback!.Id));
        Assert.Null(confirmed.Failure);
    }

    private async Task<List<(string Version, ProductionChange Change)>> HistoryAsync(WorldModel model)
    {
        var (modelId, numbers) = await ModelAsync(model);
        var history = await portal.WithDbAsync(db => ProductionHistory.OfModelAsync(db, modelId));
        return history.Select(c => (numbers[c.VersionId], c)).ToList();
    }

    private async Task<(string From, string To)> PlanAsync(WorldModel model)
    {
        var (modelId, _) = await ModelAsync(model);
        var (plan, refusal) = await _world.InScopeAsync(sp => sp.GetRequiredService<RollbackService>().PlanAsync(modelId));
        Assert.True(plan is not null, refusal?.Message);
        return (plan.From.Number, plan.To.Number);
    }

    private async Task<Guid> IdOfAsync(WorldModel model, string number) =>
        (await ModelAsync(model)).Numbers.Single(n => n.Value == number).Key;

    private Task<(Guid ModelId, Dictionary<Guid, string> Numbers)> ModelAsync(WorldModel model) => portal.WithDbAsync(async db =>
    {
        var versions = await db.ModelVersions.AsNoTracking().Where(v => v.Model.Key == model.Key).ToListAsync();
        return (versions[0].ModelId, versions.ToDictionary(v => v.Id, v => v.Number.ToString()));
    });
}

public sealed class ProductionHistoryTestsOnSqlite(SqliteClockedPortal portal) : ProductionHistoryTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class ProductionHistoryTestsOnPostgreSql(PostgreSqlClockedPortal portal) : ProductionHistoryTests(portal), IClassFixture<PostgreSqlClockedPortal>;
