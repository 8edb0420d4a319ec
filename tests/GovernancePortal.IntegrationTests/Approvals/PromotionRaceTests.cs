using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace GovernancePortal.Approvals;

/// <summary>
/// Decisions racing each other, a withdrawal or the expiry job, each contender in a DI scope (and DbContext) of its
/// own, released together. Every round must end in one consistent state: one winner, a clear conflict for the loser,
/// nothing half-saved, and an audit trail holding exactly the winner's events.
/// </summary>
public abstract class PromotionRaceTests(ClockedPortal portal, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 8;
    private const string SameMoment = "same moment";

    private readonly PromotionWorld _world = new(portal);
    private readonly PromotionInvariants _invariants = new();

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_decision_racing_a_withdrawal_ends_with_one_of_them()
    {
        var model = await _world.RegisterModelAsync("race-withdrawal", RiskTier.High, PromotionWorld.Owner);
        var overlapped = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (number, id) = await PendingStagingRequestAsync(model);

            var (approval, withdrawal) = await RaceAsync(
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance, id, Verdict.Approve),
                sp => PromotionWorld.WithdrawAsync(sp, PromotionWorld.Owner, id));

            var (winner, loser) = OneWinner(approval, withdrawal);
            overlapped += loser.Failure!.Message.Contains(SameMoment) ? 1 : 0;
            if (winner == approval)
            {
                await AssertEndedAsync(id, model, number, PromotionRequestState.Approved, Stage.Staging, ["promotion.requested", "promotion.approved-by", "promotion.approved", "version.stage-changed"]);
            }
            else
            {
                await AssertEndedAsync(id, model, number, PromotionRequestState.Withdrawn, Stage.Development, ["promotion.requested", "promotion.withdrawn"]);
            }
        }
        output.WriteLine($"{overlapped} of {Rounds} rounds overlapped in the database (the loser lost on the concurrency token).");
    }

    [Fact]
    public async Task A_decision_racing_the_expiry_job_ends_with_one_of_them()
    {
        var model = await _world.RegisterModelAsync("race-expiry", RiskTier.High, PromotionWorld.Owner);
        var (expiries, overlapped) = (0, 0);
        for (var round = 0; round < Rounds; round++)
        {
            var (number, id) = await PendingStagingRequestAsync(model);
            var expiresAt = await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.ExpiresAt).SingleAsync());
            portal.Clock.Advance(expiresAt - TimeSpan.FromMinutes(1) - portal.Clock.GetUtcNow());

            // The approver's instance still sees a minute before the expiry, the job's instance a minute after it.
            // The job sweeps every due request, including other tests' leftovers, so the promotion's own end is what counts.
            var (approval, _) = await RaceAsync(
                sp => ActivatorUtilities.CreateInstance<PromotionService>(sp, new TestClock(expiresAt - TimeSpan.FromMinutes(1)))
                    .DecideAsync(PromotionWorld.Compliance.Caller, id, Verdict.Approve, "In time."),
                sp => ActivatorUtilities.CreateInstance<PromotionService>(sp, new TestClock(expiresAt + TimeSpan.FromMinutes(1))).ExpireDueAsync());
            portal.Clock.Advance(TimeSpan.FromMinutes(2));

            if (approval.Failure is null)
            {
                await AssertEndedAsync(id, model, number, PromotionRequestState.Approved, Stage.Staging, ["promotion.requested", "promotion.approved-by", "promotion.approved", "version.stage-changed"]);
            }
            else
            {
                Assert.Equal(FailureKind.Conflict, approval.Failure.Kind);
                expiries++;
                overlapped += approval.Failure.Message.Contains(SameMoment) ? 1 : 0;
                await AssertEndedAsync(id, model, number, PromotionRequestState.Expired, Stage.Development, ["promotion.requested", "promotion.expired"]);
            }
        }
        output.WriteLine($"The expiry won {expiries} of {Rounds} rounds; {overlapped} overlapped in the database.");
    }

    [Fact]
    public async Task Two_final_approvals_at_once_approve_once()
    {
        var model = await _world.RegisterModelAsync("race-approvals", RiskTier.High, PromotionWorld.Owner);
        var overlapped = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (number, id) = await PendingStagingRequestAsync(model);

            var (first, second) = await RaceAsync(
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance, id, Verdict.Approve),
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance2, id, Verdict.Approve));

            var (_, loser) = OneWinner(first, second);
            overlapped += loser.Failure!.Message.Contains(SameMoment) ? 1 : 0;
            await AssertEndedAsync(id, model, number, PromotionRequestState.Approved, Stage.Staging, ["promotion.requested", "promotion.approved-by", "promotion.approved", "version.stage-changed"]);
        }
        output.WriteLine($"{overlapped} of {Rounds} rounds overlapped in the database.");
    }

    [Fact]
    public async Task A_rejection_racing_an_approval_ends_with_one_of_them()
    {
        var model = await _world.RegisterModelAsync("race-rejection", RiskTier.High, PromotionWorld.Owner);
        var overlapped = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var (number, id) = await PendingStagingRequestAsync(model);

            var (approval, rejection) = await RaceAsync(
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance, id, Verdict.Approve),
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance2, id, Verdict.Reject, "Fairness review first."));

            var (winner, loser) = OneWinner(approval, rejection);
            overlapped += loser.Failure!.Message.Contains(SameMoment) ? 1 : 0;
            if (winner == approval)
            {
                await AssertEndedAsync(id, model, number, PromotionRequestState.Approved, Stage.Staging, ["promotion.requested", "promotion.approved-by", "promotion.approved", "version.stage-changed"]);
            }
            else
            {
                await AssertEndedAsync(id, model, number, PromotionRequestState.Rejected, Stage.Development, ["promotion.requested", "promotion.rejected-by", "promotion.rejected"]);
            }
        }
        output.WriteLine($"{overlapped} of {Rounds} rounds overlapped in the database.");
    }

    /// <summary>
    /// Two requests for different versions of one model, each one approval from Production, approved at once: in any
    /// order they leave one Production version (the policy allows one), with or without a champion before.
    /// </summary>
    [Fact]
    public async Task Two_final_approvals_of_different_versions_at_once_leave_one_production_version()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var model = await _world.RegisterModelAsync($"race-champion-{round}", RiskTier.Limited, PromotionWorld.Owner);
            var champion = round % 2 == 1 ? await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true) : null;
            var a = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
            var b = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
            foreach (var number in new[] { champion, a, b }.OfType<string>())
            {
                await _world.PromoteAsync(model, number, Stage.Staging);
            }
            if (champion is not null)
            {
                await _world.PromoteAsync(model, champion, Stage.Production);
            }
            var forA = (await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, a, Stage.Production))).Promotion!.Id;
            var forB = (await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, b, Stage.Production))).Promotion!.Id;

            var (first, second) = await RaceAsync(
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance, forA, Verdict.Approve),
                sp => PromotionWorld.DecideAsync(sp, PromotionWorld.Compliance2, forB, Verdict.Approve));

            Assert.True(first.Failure is null || second.Failure is null, $"Both lost: {first.Failure?.Message} / {second.Failure?.Message}");
            Assert.All(new[] { first, second }.Where(o => o.Failure is not null), o => Assert.Equal(FailureKind.Conflict, o.Failure!.Kind));
            var stages = await portal.WithDbAsync(db => db.ModelVersions.Where(v => v.Model.Key == model.Key).Select(v => v.Stage).ToListAsync());
            Assert.True(stages.Count(s => s == Stage.Production) == 1, $"Round {round}: stages {string.Join(", ", stages)} after {Describe(first)} / {Describe(second)}.");
            await AssertInvariantsAsync();
        }
    }

    /// <summary>Both requests pass the service's "no open request" check; the database lets one through. Minimal risk opens approved.</summary>
    [Fact]
    public async Task Two_requests_for_one_version_at_once_open_one()
    {
        var high = await _world.RegisterModelAsync("race-requests-high", RiskTier.High, PromotionWorld.Owner);
        var minimal = await _world.RegisterModelAsync("race-requests-minimal", RiskTier.Minimal, PromotionWorld.Owner);
        for (var round = 0; round < Rounds; round++)
        {
            var model = round % 2 == 0 ? high : minimal;
            var number = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);

            var (first, second) = await RaceAsync(
                sp => PromotionWorld.RequestAsync(sp, PromotionWorld.Owner, model.Key, number, Stage.Staging),
                sp => PromotionWorld.RequestAsync(sp, PromotionWorld.Teammate, model.Key, number, Stage.Staging));

            Assert.True((first.Failure is null) != (second.Failure is null), $"Exactly one must win: {Describe(first)} / {Describe(second)}.");
            var (winner, loser) = first.Failure is null ? (first, second) : (second, first);
            // A loser that read the version after a Minimal-risk winner had moved it finds the route gate closed (422).
            Assert.Contains(loser.Failure!.Kind, (FailureKind[])(model == high ? [FailureKind.Conflict] : [FailureKind.Conflict, FailureKind.Rule]));
            var expected = model == high ? PromotionRequestState.Pending : PromotionRequestState.Approved;
            Assert.Equal(expected, winner.Promotion!.State);
            var requests = await portal.WithDbAsync(db => db.Promotions.Where(p => p.VersionId == winner.Promotion.VersionId)
                .Select(p => p.Id).ToListAsync());
            Assert.Equal([winner.Promotion.Id], requests);
            await AssertEndedAsync(winner.Promotion.Id, model, number, expected, model == high ? Stage.Development : Stage.Staging,
                model == high ? ["promotion.requested"] : ["promotion.requested", "promotion.approved", "version.stage-changed"]);
        }
    }

    /// <summary>
    /// Both starts find no pending rollback (found by the randomized run: two officers started rollbacks of one model in one
    /// batch and both stayed pending); the champion's concurrency stamp lets one through.
    /// </summary>
    [Fact]
    public async Task Two_rollback_starts_at_once_leave_one_pending()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var (model, _, _) = await _world.ChampionWithPredecessorAsync($"race-rollback-start-{round}", PromotionWorld.Owner2);
            var (firstBy, secondBy) = round % 2 == 0 ? (PromotionWorld.Compliance, PromotionWorld.Compliance2) : (PromotionWorld.Owner2, PromotionWorld.Compliance);

            var (first, second) = await RaceAsync(
                sp => PromotionWorld.StartRollbackAsync(sp, firstBy, model.Key, "Incident: error rate doubled."),
                sp => PromotionWorld.StartRollbackAsync(sp, secondBy, model.Key, "Incident: latency tripled."));

            Assert.True((first.Failure is null) != (second.Failure is null),
                $"Round {round}: exactly one must start: {first.Failure?.Message ?? "started"} / {second.Failure?.Message ?? "started"}.");
            Assert.Equal(FailureKind.Conflict, (first.Failure ?? second.Failure)!.Kind);
            var pending = await portal.WithDbAsync(db => db.Rollbacks.CountAsync(r => r.Model.Key == model.Key && r.State == RollbackState.Pending));
            Assert.Equal(1, pending);
            await AssertInvariantsAsync();
        }
    }

    /// <summary>
    /// Two portal instances run the rollback expiry job at the same moment: each due rollback is stored Expired once, with
    /// one audit event by the system and one note to its starter, and the two runs' counts add up to what was due.
    /// </summary>
    [Fact]
    public async Task Two_rollback_expiry_jobs_at_once_expire_each_rollback_once()
    {
        var split = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var (model, previous, champion) = await _world.ChampionWithPredecessorAsync($"race-rollback-expiry-{round}", PromotionWorld.Owner2);
            var id = await StartRollbackAsync(model);
            var after = await portal.WithDbAsync(db => db.Rollbacks.Where(r => r.Id == id).Select(r => r.ExpiresAt).SingleAsync()) + TimeSpan.FromMinutes(1);
            var due = await portal.WithDbAsync(db => db.Rollbacks.CountAsync(r => r.State == RollbackState.Pending && r.ExpiresAt <= after));

            var (first, second) = await RaceAsync(
                sp => ActivatorUtilities.CreateInstance<RollbackService>(sp, new TestClock(after)).ExpireDueAsync(),
                sp => ActivatorUtilities.CreateInstance<RollbackService>(sp, new TestClock(after)).ExpireDueAsync());
            portal.Clock.Advance(after + TimeSpan.FromMinutes(1) - portal.Clock.GetUtcNow());

            Assert.True(first + second == due, $"Round {round}: {due} due, the two jobs expired {first} and {second}.");
            split.Add($"{first}/{second}");
            await AssertRollbackEndedAsync(id, model, previous, champion, RollbackState.Expired);
            Assert.Equal(["system"], await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityId == id.ToString() && e.Action == "rollback.expired")
                .Select(e => e.ActorUsername).ToListAsync()));
            Assert.Equal([PromotionWorld.Owner2.Username], await RollbackSetup.RecipientsAsync(portal, "rollback.expired", $"/rollbacks/{id}"));
        }
        output.WriteLine($"Rollbacks expired by the first/second job per round: {string.Join(", ", split)}.");
    }

    [Fact]
    public async Task A_rollback_confirmation_racing_the_expiry_job_ends_with_one_of_them()
    {
        var (expiries, overlapped) = (0, 0);
        for (var round = 0; round < Rounds; round++)
        {
            var (model, previous, champion) = await _world.ChampionWithPredecessorAsync($"race-rollback-confirm-{round}", PromotionWorld.Owner2);
            var id = await StartRollbackAsync(model);
            var expiresAt = await portal.WithDbAsync(db => db.Rollbacks.Where(r => r.Id == id).Select(r => r.ExpiresAt).SingleAsync());
            portal.Clock.Advance(expiresAt - TimeSpan.FromMinutes(1) - portal.Clock.GetUtcNow());

            // The officer's instance still sees a minute before the window closes, the job's instance a minute after it.
            var (confirmation, _) = await RaceAsync(
                sp => ActivatorUtilities.CreateInstance<RollbackService>(sp, new TestClock(expiresAt - TimeSpan.FromMinutes(1)))
                    .ConfirmAsync(PromotionWorld.Compliance.Caller, id),
                sp => ActivatorUtilities.CreateInstance<RollbackService>(sp, new TestClock(expiresAt + TimeSpan.FromMinutes(1))).ExpireDueAsync());
            portal.Clock.Advance(TimeSpan.FromMinutes(2));

            if (confirmation.Failure is null)
            {
                await AssertRollbackEndedAsync(id, model, previous, champion, RollbackState.Confirmed);
            }
            else
            {
                Assert.Equal(FailureKind.Conflict, confirmation.Failure.Kind);
                expiries++;
                overlapped += confirmation.Failure.Message.Contains(SameMoment) ? 1 : 0;
                await AssertRollbackEndedAsync(id, model, previous, champion, RollbackState.Expired);
            }
        }
        output.WriteLine($"The expiry won {expiries} of {Rounds} rounds; {overlapped} overlapped in the database.");
    }

    private async Task<Guid> StartRollbackAsync(WorldModel model)
    {
        var started = await _world.InScopeAsync(sp => PromotionWorld.StartRollbackAsync(sp, model.Owner, model.Key, "Incident: error rate doubled."));
        Assert.Null(started.Failure);
        return started.Rollback!.Id;
    }

    /// <summary>The rollback's state, both versions' stages, and the rollback's own audit events: a confirmation swaps the two, an expiry changes nothing else.</summary>
    private async Task AssertRollbackEndedAsync(Guid id, WorldModel model, string previous, string champion, RollbackState state)
    {
        var (stored, stages, events) = await portal.WithDbAsync(async db =>
        {
            var rollback = await db.Rollbacks.AsNoTracking().SingleAsync(r => r.Id == id);
            var versions = await db.ModelVersions.Where(v => v.Model.Key == model.Key).ToListAsync();
            var actions = await db.AuditEvents.AsNoTracking().Where(e => e.EntityId == id.ToString()).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
            return (rollback, versions.ToDictionary(v => v.Number.ToString(), v => v.Stage), actions);
        });
        Assert.Equal(state, stored.State);
        var confirmed = state == RollbackState.Confirmed;
        Assert.Equal((confirmed ? Stage.Production : Stage.Staging, confirmed ? Stage.Staging : Stage.Production), (stages[previous], stages[champion]));
        Assert.Equal(["rollback.started", confirmed ? "rollback.confirmed" : "rollback.expired"], events);
        Assert.Equal(confirmed ? 1 : 0, await portal.WithDbAsync(db => db.RetrospectiveReviews.CountAsync(r => r.RollbackId == id)));
        await AssertInvariantsAsync();
    }

    private async Task<(string Number, Guid Id)> PendingStagingRequestAsync(WorldModel model)
    {
        var number = await _world.RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        var requested = await _world.InScopeAsync(sp => PromotionWorld.RequestAsync(sp, model.Owner, model.Key, number, Stage.Staging));
        Assert.Null(requested.Failure);
        Assert.Equal(PromotionRequestState.Pending, requested.Promotion!.State);
        return (number, requested.Promotion.Id);
    }

    /// <summary>Runs the contenders together, each in its own scope, released at once after their services are resolved.</summary>
    private async Task<(T1, T2)> RaceAsync<T1, T2>(Func<IServiceProvider, Task<T1>> first, Func<IServiceProvider, Task<T2>> second)
    {
        await using var a = portal.Services.CreateAsyncScope();
        await using var b = portal.Services.CreateAsyncScope();
        a.ServiceProvider.GetRequiredService<PromotionService>();
        b.ServiceProvider.GetRequiredService<PromotionService>();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var one = Task.Run(async () => { await start.Task; return await first(a.ServiceProvider); });
        var two = Task.Run(async () => { await start.Task; return await second(b.ServiceProvider); });
        start.SetResult();
        return (await one, await two);
    }

    private static (PromotionOutcome Winner, PromotionOutcome Loser) OneWinner(PromotionOutcome a, PromotionOutcome b)
    {
        Assert.True((a.Failure is null) != (b.Failure is null), $"Exactly one must win: {Describe(a)} / {Describe(b)}.");
        var (winner, loser) = a.Failure is null ? (a, b) : (b, a);
        Assert.Equal(FailureKind.Conflict, loser.Failure!.Kind);
        Assert.False(string.IsNullOrWhiteSpace(loser.Failure.Message));
        return (winner, loser);
    }

    private static string Describe(PromotionOutcome o) => o.Failure is { } f ? $"{f.Kind}: {f.Message}" : $"ok, {o.Promotion?.State}";

    /// <summary>The promotion's state, its version's stage, and every audit event that names it, in order.</summary>
    private async Task AssertEndedAsync(Guid id, WorldModel model, string number, PromotionRequestState state, Stage stage, string[] audit)
    {
        var (saved, version, decisions, events) = await portal.WithDbAsync(async db =>
        {
            var promotion = await db.Promotions.AsNoTracking().SingleAsync(p => p.Id == id);
            var found = await RegistryQueries.FindVersionAsync(db, model.Key, number);
            var count = await db.PromotionDecisions.CountAsync(d => d.PromotionId == id);
            var text = id.ToString();
            var actions = await db.AuditEvents.AsNoTracking().Where(e => e.EntityId == text || e.Payload.Contains(text))
                .OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
            return (promotion, found!, count, actions);
        });
        Assert.Equal(state, saved.State);
        Assert.Equal(stage, version.Stage);
        Assert.Equal(audit.Count(a => a.EndsWith("-by", StringComparison.Ordinal)), decisions);
        Assert.Equal(audit, events);
        await AssertInvariantsAsync();
    }

    private async Task AssertInvariantsAsync()
    {
        var problems = await _world.InScopeAsync(sp => _invariants.CheckAsync(sp.GetRequiredService<GovernanceDbContext>(), everything: true));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}

public sealed class PromotionRaceTestsOnSqlite(SqliteClockedPortal portal, ITestOutputHelper output)
    : PromotionRaceTests(portal, output), IClassFixture<SqliteClockedPortal>;

public sealed class PromotionRaceTestsOnPostgreSql(PostgreSqlClockedPortal portal, ITestOutputHelper output)
    : PromotionRaceTests(portal, output), IClassFixture<PostgreSqlClockedPortal>;
