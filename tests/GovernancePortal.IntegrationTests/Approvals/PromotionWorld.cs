using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Demo;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>Someone who acts in the approval tests; <see cref="Caller"/> is what the services are handed.</summary>
public sealed record Actor(string Username, string Team, params string[] Roles)
{
    public Caller Caller => new(Username, Roles, Team);

    public bool Holds(string role) => Roles.Contains(role, StringComparer.Ordinal);

    public override string ToString() => Username;
}

/// <summary>How much of a model card is written, chosen so each level passes some policies' card gate and blocks others.</summary>
public enum CardQuality
{
    /// <summary>100: passes every card gate.</summary>
    Complete,
    /// <summary>72: passes Staging at every tier and Production for Minimal and Limited, blocks High-risk Production (80).</summary>
    Adequate,
    /// <summary>48: passes Minimal Staging (40) only.</summary>
    Sketchy,
}

public sealed record WorldModel(string Key, RiskTier Tier, Actor Owner);

/// <summary>
/// People, models and versions for the approval tests, and the service calls they make, each in a DI scope (and so a
/// DbContext) of its own, as a request would have.
/// </summary>
public sealed class PromotionWorld(ClockedPortal portal)
{
    public static readonly Actor Owner = Demo("owner@demo.test");
    public static readonly Actor Owner2 = Demo("owner2@demo.test");
    public static readonly Actor Compliance = Demo("compliance@demo.test");
    public static readonly Actor Compliance2 = Demo("compliance2@demo.test");
    public static readonly Actor Viewer = Demo("viewer@demo.test");
    public static readonly Actor Auditor = Demo("auditor@demo.test");
    public static readonly Actor Admin = Demo("admin@demo.test");
    /// <summary>In the owner's team but not the owner: may request, may never decide on the team's Production promotions.</summary>
    public static readonly Actor Teammate = new("teammate@demo.test", Owner.Team, Roles.ModelOwner);
    /// <summary>Owns a model in the compliance officers' own team, so neither officer may approve its Production promotions.</summary>
    public static readonly Actor RiskOwner = new("risk-owner@demo.test", Compliance.Team, Roles.ModelOwner);
    /// <summary>Holds ComplianceOfficer beside Admin; Admin disqualifies.</summary>
    public static readonly Actor OfficerAdmin = new("officer-admin@demo.test", Admin.Team, Roles.ComplianceOfficer, Roles.Admin);

    public static readonly IReadOnlyList<Actor> Everyone = [Owner, Owner2, Teammate, RiskOwner, Compliance, Compliance2, OfficerAdmin, Admin, Auditor, Viewer];

    public static readonly IReadOnlyList<Actor> Officers = [Compliance, Compliance2];

    internal static readonly MetricRequest[] PassingMetrics =
    [
        new("auc", 0.81, "holdout", "overall", 0.75, true),
        new("expected calibration error", 0.04, "holdout", "overall", 0.06, false),
    ];

    private static readonly MetricRequest[] FailingMetrics =
    [
        new("auc", 0.70, "holdout", "overall", 0.75, true),
        new("expected calibration error", 0.04, "holdout", "overall", 0.06, false),
    ];

    public ClockedPortal Portal => portal;

    public static Actor? Find(string username) => Everyone.FirstOrDefault(a => string.Equals(a.Username, username, StringComparison.OrdinalIgnoreCase));

    public static ModelCard Card(CardQuality quality)
    {
        // The demo's complete card for a production version; the lesser levels leave sections out of it.
        var complete = DemoCards.For("world", "1.0.0", Stage.Production, "World model", "Scores applications for the approval tests.", "Approval testing")!;
        return quality switch
        {
            CardQuality.Complete => complete,
            CardQuality.Adequate => complete with { Users = "", Factors = "", FairnessAnalysis = "", EthicalConsiderations = [], CaveatsAndRecommendations = "" },
            _ => new ModelCard { Overview = complete.Overview, IntendedUse = complete.IntendedUse, OutOfScopeUses = complete.OutOfScopeUses, Limitations = complete.Limitations },
        };
    }

    /// <summary>Adds the people the services look up (owners' teams); safe to call again.</summary>
    public async Task ProvisionPeopleAsync()
    {
        foreach (var (quality, range) in new[] { (CardQuality.Complete, (80, 100)), (CardQuality.Adequate, (60, 79)), (CardQuality.Sketchy, (40, 49)) })
        {
            // Two metrics count for the quantitative analysis section.
            var score = ModelCardCompleteness.Score(Card(quality), 2).Score;
            if (score < range.Item1 || score > range.Item2)
            {
                throw new InvalidOperationException($"The {quality} card scores {score}; the tests assume {range.Item1}–{range.Item2}.");
            }
        }
        await portal.WithDbAsync(async db =>
        {
            var known = await db.Users.Select(u => u.Username).ToListAsync();
            var people = DemoPersonas.All.Concat(
            [
                new Persona(Guid.Parse("0d3e0000-0000-4000-8000-0000000000a1"), Teammate.Username, "Tom Teammate", Teammate.Team, Roles.ModelOwner, "Owner's teammate."),
                new Persona(Guid.Parse("0d3e0000-0000-4000-8000-0000000000a2"), RiskOwner.Username, "Rita Risk", RiskOwner.Team, Roles.ModelOwner, "Owns a model-risk model."),
            ]);
            foreach (var persona in people.Where(p => !known.Contains(p.Username)))
            {
                var user = UserAccount.For(persona);
                db.Users.Add(user);
                db.Audit.Record("user.provisioned", user, new { source = "tests" });
            }
            await db.SaveChangesAsync();
        });
    }

    public async Task<WorldModel> RegisterModelAsync(string key, RiskTier tier, Actor owner)
    {
        var result = await InScopeAsync(sp => sp.GetRequiredService<RegistryService>().RegisterModelAsync(owner.Caller, new RegisterModelRequest(
            key, $"Model {key}", "A model of the approval tests.", owner.Username, "Head of Testing", owner.Team, "Approval testing", tier, [DataCategories.None], [])));
        if (result.Failure is { } failure)
        {
            throw new InvalidOperationException($"Registering {key}: {failure.Message}");
        }
        return new WorldModel(key, tier, owner);
    }

    /// <summary>Registers the next minor version; null (with the reason) when refused, e.g. because a concurrent registration took the number.</summary>
    public static async Task<(string? Number, Failure? Failure)> RegisterVersionAsync(IServiceProvider services, Actor by, string modelKey, CardQuality card, bool metricsPass)
    {
        var db = services.GetRequiredService<GovernanceDbContext>();
        var minors = await db.ModelVersions.Where(v => v.Model.Key == modelKey).Select(v => v.Minor).ToListAsync();
        var number = $"1.{(minors.Count == 0 ? 0 : minors.Max() + 1)}.0";
        var result = await services.GetRequiredService<RegistryService>().RegisterVersionAsync(by.Caller, modelKey, new RegisterVersionRequest(
            number, ChangeKind.ImprovedModel, "Retrained for the approval tests.", $"s3://ml-artifacts/{modelKey}/{number}/model.tar.gz",
            RegistryTestData.Sha, null, metricsPass ? PassingMetrics : FailingMetrics, Card(card)));
        return (result.Failure is null ? number : null, result.Failure);
    }

    public async Task<string> RegisterVersionAsync(WorldModel model, CardQuality card, bool metricsPass)
    {
        var (number, failure) = await InScopeAsync(sp => RegisterVersionAsync(sp, model.Owner, model.Key, card, metricsPass));
        return number ?? throw new InvalidOperationException($"Registering a version of {model.Key}: {failure!.Message}");
    }

    public static async Task<PromotionOutcome> RequestAsync(IServiceProvider services, Actor by, string modelKey, string number, Stage target)
    {
        var version = await RegistryQueries.FindVersionAsync(services.GetRequiredService<GovernanceDbContext>(), modelKey, number)
            ?? throw new InvalidOperationException($"{modelKey} has no version {number}.");
        return await services.GetRequiredService<PromotionService>().RequestAsync(by.Caller, version, target, $"{by.Username} asks for {target}.");
    }

    public static Task<PromotionOutcome> DecideAsync(IServiceProvider services, Actor by, Guid promotion, Verdict verdict, string? comment = null) =>
        services.GetRequiredService<PromotionService>().DecideAsync(by.Caller, promotion, verdict, comment ?? (verdict == Verdict.Reject ? "Not convinced yet." : null));

    public static Task<PromotionOutcome> WithdrawAsync(IServiceProvider services, Actor by, Guid promotion) =>
        services.GetRequiredService<PromotionService>().WithdrawAsync(by.Caller, promotion);

    public static Task<int> ExpireAsync(IServiceProvider services) => services.GetRequiredService<PromotionService>().ExpireDueAsync();

    public static Task<int> ExpireRollbacksAsync(IServiceProvider services) => services.GetRequiredService<RollbackService>().ExpireDueAsync();

    public static async Task<Failure?> SaveCardAsync(IServiceProvider services, Actor by, string modelKey, string number, CardQuality quality)
    {
        var version = await RegistryQueries.FindVersionAsync(services.GetRequiredService<GovernanceDbContext>(), modelKey, number)
            ?? throw new InvalidOperationException($"{modelKey} has no version {number}.");
        return (await services.GetRequiredService<ModelCardService>().SaveAsync(by.Caller, version, Card(quality), null, null, "card.revised")).Failure;
    }

    public static Task<RollbackOutcome> StartRollbackAsync(IServiceProvider services, Actor by, string modelKey, string? reason) =>
        services.GetRequiredService<RollbackService>().StartAsync(by.Caller, modelKey, reason);

    public static Task<RollbackOutcome> ConfirmRollbackAsync(IServiceProvider services, Actor by, Guid rollback) =>
        services.GetRequiredService<RollbackService>().ConfirmAsync(by.Caller, rollback);

    public static Task<RollbackOutcome> CancelRollbackAsync(IServiceProvider services, Actor by, Guid rollback) =>
        services.GetRequiredService<RollbackService>().CancelAsync(by.Caller, rollback);

    public static Task<ReviewOutcome> CloseReviewAsync(IServiceProvider services, Actor by, Guid review, string? findings) =>
        services.GetRequiredService<RollbackService>().CloseReviewAsync(by.Caller, review, findings);

    /// <summary>
    /// Requests a promotion and has it approved by the officers it needs; for setting up a version's stage. A High-risk
    /// version's applicable checklists are signed off first, as the default Production policy asks (ADR-031).
    /// </summary>
    public async Task<Guid> PromoteAsync(WorldModel model, string number, Stage target)
    {
        if (target == Stage.Production && model.Tier == RiskTier.High)
        {
            await SignOffChecklistsAsync(model, number);
        }
        var requested = await InScopeAsync(sp => RequestAsync(sp, model.Owner, model.Key, number, target));
        if (requested.Failure is { } failure)
        {
            throw new InvalidOperationException($"Requesting {target} for {model.Key} {number}: {failure.Message}");
        }
        var id = requested.Promotion!.Id;
        foreach (var officer in Officers)
        {
            if (requested.Promotion!.State != PromotionRequestState.Pending)
            {
                break;
            }
            requested = await InScopeAsync(sp => DecideAsync(sp, officer, id, Verdict.Approve));
            if (requested.Failure is { } refused)
            {
                throw new InvalidOperationException($"Approving {target} for {model.Key} {number}: {refused.Message}");
            }
        }
        return requested.Promotion!.State == PromotionRequestState.Approved
            ? id
            : throw new InvalidOperationException($"{target} for {model.Key} {number} stayed {requested.Promotion.State}: {requested.Message}");
    }

    /// <summary>Every checklist that applies to the version signed off through the checklist API: the owner answers, Compliance signs off.</summary>
    public async Task SignOffChecklistsAsync(WorldModel model, string number) =>
        await GovernancePortal.Compliance.ChecklistCalls.SignOffApplicableAsync(await TestApiKeys.ClientAsync(portal, model.Owner.Username, "promotion-world"),
            await TestApiKeys.ClientAsync(portal, Compliance.Username, "promotion-world"), model.Key, number);

    /// <summary>
    /// A model whose champion replaced an earlier Production version, each promoted the ordinary way a minute apart: ready to roll back.
    /// </summary>
    public async Task<(WorldModel Model, string Previous, string Champion)> ChampionWithPredecessorAsync(string key, Actor owner)
    {
        var model = await RegisterModelAsync(key, RiskTier.Limited, owner);
        var previous = await RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        var champion = await RegisterVersionAsync(model, CardQuality.Complete, metricsPass: true);
        foreach (var (number, stage) in new[] { (previous, Stage.Staging), (champion, Stage.Staging), (previous, Stage.Production), (champion, Stage.Production) })
        {
            portal.Clock.Advance(TimeSpan.FromMinutes(1));
            await PromoteAsync(model, number, stage);
        }
        return (model, previous, champion);
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    public Task<AuditVerificationResult> VerifyAuditAsync() => InScopeAsync(sp => sp.GetRequiredService<AuditVerificationService>().VerifyAsync());

    private static Actor Demo(string username)
    {
        var persona = DemoPersonas.Find(username)!;
        return new Actor(persona.Username, persona.Team, persona.Role);
    }
}
