using System.Collections.Concurrent;
using System.Diagnostics;
using GovernancePortal.Data;
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
}

/// <summary>One chosen action; which fields matter depends on <see cref="Move"/>.</summary>
public sealed record Plan(Move Move, Actor By, string ModelKey = "", string Number = "", Stage Target = Stage.Staging, Guid Promotion = default,
    string? Comment = null, CardQuality Card = CardQuality.Complete, bool MetricsPass = true)
{
    public override string ToString() => Move switch
    {
        Move.Request => $"{By} requests {Target} for {ModelKey} {Number}",
        Move.Approve or Move.Reject => $"{By} {Move.ToString().ToLowerInvariant()}s {Promotion}{(Comment is null ? "" : $" (\"{Comment}\")")}",
        Move.Withdraw => $"{By} withdraws {Promotion}",
        Move.Expire => "the expiry job runs",
        Move.EditCard => $"{By} saves a {Card} card on {ModelKey} {Number}",
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
        Move.Expire => $"ok ({await PromotionWorld.ExpireAsync(sp)} expired)",
        Move.EditCard => Label((await PromotionWorld.SaveCardAsync(sp, plan.By, plan.ModelKey, plan.Number, plan.Card))),
        _ => Label((await PromotionWorld.RegisterVersionAsync(sp, plan.By, plan.ModelKey, plan.Card, plan.MetricsPass)).Failure),
    });

    private static string Label(PromotionOutcome outcome) =>
        outcome.Failure is { } failure ? Label(failure) : $"ok ({outcome.Promotion!.State})";

    private static string Label(RegistryFailure? failure) => failure is null ? "ok" : failure.Kind.ToString();
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

    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    public int Batches { get; private set; }

    public TimeSpan Elapsed { get; private set; }

    public TimeSpan CheckingTime { get; private set; }

    public TimeSpan ActingTime { get; private set; }

    /// <summary>How many requests ended in each state.</summary>
    public IReadOnlyDictionary<PromotionRequestState, int> States { get; private set; } = new Dictionary<PromotionRequestState, int>();

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
            acting.Start();
            var results = await Task.WhenAll(plans.Select(plan => Task.Run(() => RunOneAsync(plan))));
            acting.Stop();
            done += plans.Count;

            checking.Start();
            state = await world.InScopeAsync(sp => Invariants.CheckStateAsync(sp.GetRequiredService<GovernanceDbContext>()));
            checking.Stop();
            _decided.AddRange(state.Decided);
            _decided.RemoveRange(0, Math.Max(0, _decided.Count - 20));
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
    }

    public string Summary() =>
        $"{Outcomes.Values.Sum()} actions in {Batches} batches, {Elapsed.TotalSeconds:0.0} s ({ActingTime.TotalSeconds:0.0} s acting, "
        + $"{CheckingTime.TotalSeconds:0.0} s checking invariants); {Invariants.StageChangesChecked} stage changes and {Invariants.PromotionsChecked} promotion checks; "
        + $"requests ended {string.Join(", ", States.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}\n  "
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
        if (roll < 0.94 || versions.Count >= MaxVersionsPerModel)
        {
            return new Plan(Move.EditCard, _random.NextDouble() < 0.85 ? Editor(model) : Pick(people), model.Key, version.Number,
                Card: (CardQuality)_random.Next(3));
        }
        return new Plan(Move.RegisterVersion, model.Owner, model.Key, Card: (CardQuality)_random.Next(3), MetricsPass: _random.NextDouble() < 0.7);
    }

    /// <summary>Someone allowed to change the model: its owner, or for the first owner's models sometimes a teammate.</summary>
    private Actor Editor(WorldModel model) =>
        model.Owner == PromotionWorld.Owner && _random.NextDouble() < 0.3 ? PromotionWorld.Teammate : model.Owner;

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private sealed record Result(Plan Plan, string Outcome, Exception? Error);
}
