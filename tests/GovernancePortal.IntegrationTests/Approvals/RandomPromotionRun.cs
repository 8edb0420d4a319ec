using System.Collections.Concurrent;
using System.Diagnostics;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

public enum Move
{
    Request,
    Approve,
    Reject,
    Withdraw,
    Expire,
    EditCard,
    RegisterVersion,
    StartRollback,
    ConfirmRollback,
    CancelRollback,
    CloseReview,
    Recheck,
}

/// <summary>One chosen action; which fields matter depends on <see cref="Move"/>.</summary>
/// <remarks>For rollbacks <see cref="Promotion"/> names the rollback (or retrospective) and <see cref="Comment"/> the reason (or findings).</remarks>
public sealed record Plan(Move Move, Actor By, string ModelKey = "", string Number = "", Stage Target = Stage.Staging, Guid Promotion = default,
    string? Comment = null, CardQuality Card = CardQuality.Complete, bool MetricsPass = true)
{
    public override string ToString() => Move switch
    {
        Move.Request => $"{By} requests {Target} for {ModelKey} {Number}",
        Move.Approve or Move.Reject => $"{By} {Move.ToString().ToLowerInvariant()}s {Promotion}{(Comment is null ? "" : $" (\"{Comment}\")")}",
        Move.Withdraw => $"{By} withdraws {Promotion}",
        Move.Recheck => $"{By} asks for the gates of {Promotion} to be judged again",
        Move.Expire => "the expiry jobs run",
        Move.EditCard => $"{By} saves a {Card} card on {ModelKey} {Number}",
        Move.StartRollback => $"{By} starts a rollback of {ModelKey} (\"{Comment}\")",
        Move.ConfirmRollback => $"{By} confirms rollback {Promotion}",
        Move.CancelRollback => $"{By} cancels rollback {Promotion}",
        Move.CloseReview => $"{By} closes retrospective {Promotion} (\"{Comment}\")",
        _ => $"{By} registers a version of {ModelKey} ({Card} card, metrics {(MetricsPass ? "pass" : "fail")})",
    };
}

/// <summary>Carries out a plan and names its outcome: "ok", or the kind of refusal (Forbidden, Conflict, Rule, ...).</summary>
public interface IPromotionDriver
{
    Task<string> RunAsync(Plan plan);
}

/// <summary>Calls the services directly, each action in a DI scope of its own.</summary>
public sealed class ServiceDriver(PromotionWorld world) : IPromotionDriver
{
    public Task<string> RunAsync(Plan plan) => world.InScopeAsync(async sp => plan.Move switch
    {
        Move.Request => Label(await PromotionWorld.RequestAsync(sp, plan.By, plan.ModelKey, plan.Number, plan.Target)),
        Move.Approve => Label(await PromotionWorld.DecideAsync(sp, plan.By, plan.Promotion, Verdict.Approve, plan.Comment)),
        Move.Reject => Label(await PromotionWorld.DecideAsync(sp, plan.By, plan.Promotion, Verdict.Reject, plan.Comment)),
        Move.Withdraw => Label(await PromotionWorld.WithdrawAsync(sp, plan.By, plan.Promotion)),
        Move.Recheck => Label(await sp.GetRequiredService<PromotionService>().RecheckAsync(plan.By.Caller, plan.Promotion)),
        Move.Expire => $"ok ({await PromotionWorld.ExpireAsync(sp)} expired, {await PromotionWorld.ExpireRollbacksAsync(sp)} rollbacks expired)",
        Move.EditCard => Label((await PromotionWorld.SaveCardAsync(sp, plan.By, plan.ModelKey, plan.Number, plan.Card))),
        Move.StartRollback => Label(await PromotionWorld.StartRollbackAsync(sp, plan.By, plan.ModelKey, plan.Comment)),
        Move.ConfirmRollback => Label(await PromotionWorld.ConfirmRollbackAsync(sp, plan.By, plan.Promotion)),
        Move.CancelRollback => Label(await PromotionWorld.CancelRollbackAsync(sp, plan.By, plan.Promotion)),
        Move.CloseReview => Label((await PromotionWorld.CloseReviewAsync(sp, plan.By, plan.Promotion, plan.Comment)).Failure),
        _ => Label((await PromotionWorld.RegisterVersionAsync(sp, plan.By, plan.ModelKey, plan.Card, plan.MetricsPass)).Failure),
    });

    private static string Label(PromotionOutcome outcome) =>
        outcome.Failure is { } failure ? Label(failure) : $"ok ({outcome.Promotion!.State})";

    private static string Label(Failure? failure) => failure is null ? "ok" : failure.Kind.ToString();

    /// <summary>A rollback's conflicts come in kinds the floors count separately; the domain's messages tell them apart.</summary>
    private static string Label(RollbackOutcome outcome) => outcome.Failure switch
    {
        null => $"ok ({outcome.Rollback!.State})",
        { Kind: FailureKind.Conflict, Message: var m } when m.Contains("already waiting", StringComparison.Ordinal) => "Conflict (one pending)",
        { Kind: FailureKind.Conflict, Message: var m } when m.Contains("was not confirmed by", StringComparison.Ordinal) => "Conflict (expired)",
        { Kind: FailureKind.Conflict, Message: var m } when m.Contains("Production changed since", StringComparison.Ordinal) => "Conflict (stale)",
        { Kind: FailureKind.Conflict, Message: var m } when m.Contains("is already", StringComparison.Ordinal) => "Conflict (decided)",
        { Kind: FailureKind.Conflict } => "Conflict (race)",
        { Kind: FailureKind.Forbidden, Message: var m } when m.Contains("You started", StringComparison.Ordinal) => "Forbidden (starter)",
        { Kind: FailureKind.Forbidden, Message: var m } when m.Contains("it must be confirmed by", StringComparison.Ordinal) => "Forbidden (same side)",
        { } failure => failure.Kind.ToString(),
    };
}

/// <summary>
/// A seeded random run: batches of one to four actions by random people, the actions of a batch in parallel, the clock
/// moved between batches, and every invariant checked against the database after every batch.
/// </summary>
public sealed class RandomPromotionRun(PromotionWorld world, IReadOnlyList<WorldModel> models, IPromotionDriver driver, IReadOnlyList<Actor> people, int seed)
{
    private const int MaxVersionsPerModel = 25;

    private readonly Random _random = new(seed);
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private readonly List<Guid> _decided = [];
    private readonly List<Guid> _decidedRollbacks = [];

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    public int Batches { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public TimeSpan CheckingTime { get; private set; }

    public TimeSpan ActingTime { get; private set; }

    /// <summary>How many requests ended in each state.</summary>
    public IReadOnlyDictionary<PromotionRequestState, int> States { get; private set; } = new Dictionary<PromotionRequestState, int>();

    /// <summary>How many rollbacks ended in each state; a pending one past its window counts as Expired, stored so by the job or not yet.</summary>
    public IReadOnlyDictionary<string, int> RollbackStates { get; private set; } = new Dictionary<string, int>();

    public PromotionInvariants Invariants { get; } = new();

    public async Task RunAsync(int actions)
    {
        var total = Stopwatch.StartNew();
        var checking = new Stopwatch();
        var acting = new Stopwatch();
        // The check after each batch reads the state the next batch plans from.
        var state = await world.InScopeAsync(sp => Invariants.CheckStateAsync(sp.GetRequiredService<GovernanceDbContext>()));
        var done = 0;
        while (done < actions)
        {
            Batches++;
            // Mostly minutes to hours between batches; now and then days, and rarely a quiet fortnight after which every
            // open request is past its expiry (decisions must then be refused until the job marks them Expired).
            var pause = _random.NextDouble();
            world.Portal.Clock.Advance(pause < 0.03 ? TimeSpan.FromHours(_random.Next(24 * 10, 24 * 20))
                : pause < 0.15 ? TimeSpan.FromHours(_random.Next(48, 24 * 6))
                : TimeSpan.FromMinutes(_random.Next(1, 180)));
            var plans = Enumerable.Range(0, Math.Min(_random.Next(2, 5), actions - done)).Select(_ => Choose(state)).ToList();
            if (plans.Count >= 2 && _random.NextDouble() < 0.08 && Race(state) is { } race)
            {
                plans[0] = race.Confirm;
                plans[1] = race.Approve;
            }
            acting.Start();
            var results = await Task.WhenAll(plans.Select(plan => Task.Run(() => RunOneAsync(plan))));
            acting.Stop();
            done += plans.Count;

            checking.Start();
            state = await world.InScopeAsync(sp => Invariants.CheckStateAsync(sp.GetRequiredService<GovernanceDbContext>(), now: world.Portal.Clock.GetUtcNow()));
            checking.Stop();
            _decided.AddRange(state.Decided);
            _decided.RemoveRange(0, Math.Max(0, _decided.Count - 20));
            _decidedRollbacks.AddRange(state.DecidedRollbacks);
            _decidedRollbacks.RemoveRange(0, Math.Max(0, _decidedRollbacks.Count - 20));
            var crashed = results.Where(r => r.Error is not null).ToList();
            if (state.Problems.Count > 0 || crashed.Count > 0)
            {
                throw new InvalidOperationException($"Batch {Batches} (action {done - plans.Count + 1}–{done}, seed {seed}) broke the approval workflow.\n"
                    + $"The batch ran in parallel:\n  {string.Join("\n  ", results.Select(r => $"{r.Plan} → {r.Outcome}"))}\n"
                    + string.Join("\n", state.Problems.Select(p => "Invariant: " + p))
                    + string.Join("\n", crashed.Select(r => $"{r.Plan} threw (an HTTP caller would get a 500):\n{r.Error}")));
            }
        }
        checking.Start();
        var final = await world.InScopeAsync(sp => Invariants.CheckAsync(sp.GetRequiredService<GovernanceDbContext>(), everything: true));
        checking.Stop();
        if (final.Count > 0)
        {
            throw new InvalidOperationException($"After the run (seed {seed}):\n" + string.Join("\n", final));
        }
        Elapsed = total.Elapsed;
        CheckingTime = checking.Elapsed;
        ActingTime = acting.Elapsed;
        States = await world.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().Promotions.GroupBy(p => p.State)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));
        var now = world.Portal.Clock.GetUtcNow();
        RollbackStates = (await world.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().Rollbacks.Select(r => new { r.State, r.ExpiresAt }).ToListAsync()))
            .GroupBy(r => r.State == RollbackState.Pending && r.ExpiresAt <= now ? "Expired" : r.State.ToString()).ToDictionary(g => g.Key, g => g.Count());
    }

    public string Summary() =>
        $"{Outcomes.Values.Sum()} actions in {Batches} batches, {Elapsed.TotalSeconds:0.0} s ({ActingTime.TotalSeconds:0.0} s acting, "
        + $"{CheckingTime.TotalSeconds:0.0} s checking invariants); {Invariants.StageChangesChecked} stage changes and {Invariants.PromotionsChecked} promotion checks; "
        + $"{Invariants.RollbacksChecked} rollback checks, {Invariants.NotificationsChecked} notifications checked; "
        + $"requests ended {string.Join(", ", States.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}; "
        + $"rollbacks ended {string.Join(", ", RollbackStates.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key} {s.Value}"))}\n  "
        + string.Join("\n  ", Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"));

    public int Count(string prefix) => Outcomes.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(o => o.Value);

    private async Task<Result> RunOneAsync(Plan plan)
    {
        try
        {
            var outcome = await driver.RunAsync(plan);
            _outcomes.AddOrUpdate($"{plan.Move} {outcome}", 1, (_, n) => n + 1);
            return new Result(plan, outcome, null);
        }
        catch (Exception e)
        {
            return new Result(plan, "exception", e);
        }
    }

    private Plan Choose(CheckResult now)
    {
        if (_random.NextDouble() < 0.15)
        {
            return ChooseRollback(now);
        }
        var roll = _random.NextDouble();
        var model = Pick(models);
        var versions = now.Versions.Where(v => v.ModelKey == model.Key).ToList();
        var version = Pick(versions);
        if (roll < 0.30)
        {
            // Mostly versions that can still move; a request for a Production version is refused by the route gate.
            var movable = versions.Where(v => v.Stage != Stage.Production).ToList();
            if (movable.Count > 0 && _random.NextDouble() < 0.8)
            {
                version = Pick(movable);
            }
            var target = version.Stage switch
            {
                Stage.Development => _random.NextDouble() < 0.85 ? Stage.Staging : Stage.Production,
                Stage.Staging => _random.NextDouble() < 0.9 ? Stage.Production : Stage.Staging,
                _ => _random.NextDouble() < 0.5 ? Stage.Staging : Stage.Production,
            };
            return new Plan(Move.Request, _random.NextDouble() < 0.75 ? Editor(model) : Pick(people), model.Key, version.Number, target);
        }
        if (roll < 0.68)
        {
            var move = roll < 0.54 ? Move.Approve : roll < 0.61 ? Move.Reject : Move.Withdraw;
            var pending = now.Pending.Count > 0 && _random.NextDouble() < 0.9 ? Pick(now.Pending) : null;
            // Now and then a decided request (a late decision must get a clear conflict) or one that does not exist.
            var promotion = pending?.Id ?? (_decided.Count > 0 && _random.NextDouble() < 0.9 ? Pick(_decided) : Guid.NewGuid());
            if (move == Move.Withdraw)
            {
                var requester = pending is null ? null : PromotionWorld.Find(pending.Requester);
                var by = requester is not null && _random.NextDouble() < 0.6 ? requester : Pick(people);
                return new Plan(Move.Withdraw, by, Promotion: promotion);
            }
            var decider = _random.NextDouble() < 0.65 ? Pick(PromotionWorld.Officers) : Pick(people);
            var comment = move == Move.Reject
                ? (_random.NextDouble() < 0.1 ? "" : $"Needs more evidence ({_random.Next(1000)}).")
                : (_random.NextDouble() < 0.5 ? null : "Reviewed the card and metrics.");
            return new Plan(move, decider, Promotion: promotion, Comment: comment);
        }
        if (roll < 0.76)
        {
            return new Plan(Move.Expire, PromotionWorld.Admin);
        }
        if (roll < 0.80)
        {
            // Mostly on pending requests, whose approvals may all be in while a card edit made a gate fail.
            var waiting = now.Pending.Where(p => p.WaitsForGates).ToList();
            var pending = waiting.Count > 0 && _random.NextDouble() < 0.8 ? Pick(waiting)
                : now.Pending.Count > 0 && _random.NextDouble() < 0.9 ? Pick(now.Pending) : null;
            var promotion = pending?.Id ?? (_decided.Count > 0 && _random.NextDouble() < 0.9 ? Pick(_decided) : Guid.NewGuid());
            return new Plan(Move.Recheck, _random.NextDouble() < 0.7 ? Pick(PromotionWorld.Officers) : Pick(people), Promotion: promotion);
        }
        if (roll < 0.94 || versions.Count >= MaxVersionsPerModel)
        {
            return new Plan(Move.EditCard, _random.NextDouble() < 0.85 ? Editor(model) : Pick(people), model.Key, version.Number,
                Card: (CardQuality)_random.Next(3));
        }
        return new Plan(Move.RegisterVersion, model.Owner, model.Key, Card: (CardQuality)_random.Next(3), MetricsPass: _random.NextDouble() < 0.7);
    }

    /// <summary>
    /// Start, confirm, cancel or decline a rollback, or close a retrospective; by the right people mostly, and by the wrong
    /// ones (the starter, the same side, admins, auditors, viewers), on rollbacks past their window or already decided, often enough.
    /// </summary>
    private Plan ChooseRollback(CheckResult now)
    {
        var clock = world.Portal.Clock.GetUtcNow();
        var live = now.Rollbacks.Where(r => r.ExpiresAt > clock).ToList();
        // While a rollback waits, mostly act on it (confirm 0.15–0.62, cancel 0.62–0.82); otherwise mostly start one. Only a
        // rollback still in its window can be cancelled, and confirmations end most of them quickly, so cancels get a wide band.
        var roll = live.Count > 0 ? _random.NextDouble() : _random.NextDouble() < 0.6 ? 0.0 : 0.15 + _random.NextDouble() * 0.85;
        if (roll >= 0.82 && now.OpenReviews.Count == 0 && _random.NextDouble() < 0.8)
        {
            roll = 0.0;
        }
        if (roll < 0.15)
        {
            // Mostly a model with a single champion (the only kind a rollback can restore), sometimes one with nothing to roll back.
            var single = models.Where(m => now.Versions.Count(v => v.ModelKey == m.Key && v.Stage == Stage.Production) == 1).ToList();
            var model = single.Count > 0 && _random.NextDouble() < 0.8 ? Pick(single) : Pick(models);
            var by = _random.NextDouble() < 0.7 ? (_random.NextDouble() < 0.5 ? Editor(model) : Pick(PromotionWorld.Officers)) : Pick(people);
            var reason = _random.NextDouble() < 0.08 ? (_random.NextDouble() < 0.5 ? "" : "   ") : $"Incident {_random.Next(10_000)}: error rate up after the release.";
            return new Plan(Move.StartRollback, by, model.Key, Comment: reason);
        }
        if (roll < 0.82)
        {
            var rollback = live.Count > 0 && _random.NextDouble() < 0.8 ? Pick(live) : now.Rollbacks.Count > 0 && _random.NextDouble() < 0.85 ? Pick(now.Rollbacks) : null;
            var id = rollback?.Id ?? (_decidedRollbacks.Count > 0 && _random.NextDouble() < 0.9 ? Pick(_decidedRollbacks) : Guid.NewGuid());
            var model = rollback is null ? null : models.Single(m => m.Key == rollback.ModelKey);
            if (roll < 0.62)
            {
                var side = _random.NextDouble();
                var by = model is null || side >= 0.85 ? Pick(people)
                    : side < 0.65 ? OtherSide(rollback!, model)
                    : side < 0.72 ? PromotionWorld.Find(rollback!.StartedBy)!
                    : side < 0.8 ? SameSide(rollback!, model)
                    : Pick(new[] { PromotionWorld.Admin, PromotionWorld.Auditor, PromotionWorld.Viewer, PromotionWorld.OfficerAdmin }.Where(people.Contains).ToList());
                return new Plan(Move.ConfirmRollback, by, rollback?.ModelKey ?? "", Promotion: id);
            }
            var canceller = model is null || _random.NextDouble() < 0.35 ? Pick(people)
                : _random.NextDouble() < 0.5 ? PromotionWorld.Find(rollback!.StartedBy)! : OtherSide(rollback!, model);
            return new Plan(Move.CancelRollback, canceller, rollback?.ModelKey ?? "", Promotion: id);
        }
        var review = now.OpenReviews.Count > 0 && _random.NextDouble() < 0.9 ? Pick(now.OpenReviews) : Guid.NewGuid();
        var closer = _random.NextDouble() < 0.6 ? Pick(PromotionWorld.Officers) : Pick(people);
        var findings = _random.NextDouble() < 0.1 ? " " : $"The release skipped the shadow period ({_random.Next(1000)}); the pipeline now requires it.";
        return new Plan(Move.CloseReview, closer, Promotion: review, Comment: findings);
    }

    /// <summary>
    /// A confirmation of a model's pending rollback and a Production approval of the same model's pending request, to run in
    /// one parallel batch: at most one of them may move Production.
    /// </summary>
    private (Plan Confirm, Plan Approve)? Race(CheckResult now)
    {
        var clock = world.Portal.Clock.GetUtcNow();
        var modelOf = now.Versions.ToDictionary(v => v.Id, v => v.ModelKey);
        var pairs = (from r in now.Rollbacks
                     where r.ExpiresAt > clock
                     from p in now.Pending
                     where p.Target == Stage.Production && modelOf.GetValueOrDefault(p.VersionId) == r.ModelKey
                     select (r, p)).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }
        var (rollback, promotion) = Pick(pairs);
        var model = models.Single(m => m.Key == rollback.ModelKey);
        return (new Plan(Move.ConfirmRollback, OtherSide(rollback, model), model.Key, Promotion: rollback.Id),
            new Plan(Move.Approve, Pick(PromotionWorld.Officers), Promotion: promotion.Id, Comment: "Racing a rollback."));
    }

    /// <summary>Someone who may confirm: an officer outside the owning team when an owner started, else the owning side.</summary>
    private Actor OtherSide(RollbackRow rollback, WorldModel model) =>
        rollback.StartedRole == Roles.ModelOwner ? Pick(PromotionWorld.Officers.Where(o => o.Team != model.Owner.Team).DefaultIfEmpty(PromotionWorld.Compliance).ToList())
        : Editor(model);

    /// <summary>Someone from the starter's own side, who must be refused.</summary>
    private Actor SameSide(RollbackRow rollback, WorldModel model) =>
        rollback.StartedRole == Roles.ModelOwner ? Editor(model) : Pick(PromotionWorld.Officers);

    /// <summary>Someone allowed to change the model: its owner, or for the first owner's models sometimes a teammate.</summary>
    private Actor Editor(WorldModel model) =>
        model.Owner == PromotionWorld.Owner && _random.NextDouble() < 0.3 ? PromotionWorld.Teammate : model.Owner;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed record Result(Plan Plan, string Outcome, Exception? Error);
}
