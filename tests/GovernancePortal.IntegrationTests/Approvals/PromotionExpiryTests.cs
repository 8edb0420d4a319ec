using System.Net.Http.Json;
using System.Text.Json;
using GovernancePortal.Jobs;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

public abstract class PromotionExpiryTests(PortalFactory portal)
{
    [Fact]
    public async Task Requests_past_their_expiry_are_expired_once_and_then_refuse_decisions()
    {
        var id = await portal.WithDbAsync(async db =>
        {
            var version = (await RegistryQueries.FindVersionAsync(db, "mortgage-affordability", "0.9.0"))!;
            var policy = PromotionPolicies.Default(Stage.Staging, version.Model.RiskTier)!;
            var promotion = new Promotion
            {
                VersionId = version.Id, FromStage = Stage.Development, TargetStage = Stage.Staging, Requester = "owner@demo.test",
                Justification = "Pilot.", State = PromotionRequestState.Pending, PolicyVersion = policy.Version,
                PolicyJson = PromotionService.SerializePolicy(policy),
                GatesJson = "[]", CreatedAt = DateTimeOffset.UtcNow.AddDays(-20), ExpiresAt = DateTimeOffset.UtcNow.AddDays(-6),
            };
            db.Promotions.Add(promotion);
            db.Audit.Record("promotion.requested", promotion);
            await db.SaveChangesAsync();
            return promotion.Id;
        });

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await new PromotionExpiryJob(scope.ServiceProvider.GetRequiredService<PromotionService>()).RunAsync(CancellationToken.None);
        }
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<PromotionService>().ExpireDueAsync());
        }
        var decision = await portal.WithDbAsync(async db =>
        {
            await using var scope = portal.Services.CreateAsyncScope();
            var service = scope.ServiceProvider.GetRequiredService<PromotionService>();
            return await service.DecideAsync(new Caller("compliance@demo.test", [Identity.Roles.ComplianceOfficer], "Model Risk Management"), id, Verdict.Approve, null);
        });

        Assert.Equal(PromotionRequestState.Expired, await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));
        Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "promotion.expired" && e.EntityId == id.ToString())));
        Assert.Equal(FailureKind.Conflict, decision.Failure!.Kind);
    }

    /// <summary>A pending request written directly, so its age and expiry can be anything.</summary>
    private Task<Guid> AddPendingAsync(string key, string number, Stage target, double createdDaysAgo, double expiresInDays) => portal.WithDbAsync(async db =>
    {
        var version = (await RegistryQueries.FindVersionAsync(db, key, number))!;
        var policy = PromotionPolicies.Default(target, version.Model.RiskTier)!;
        var now = DateTimeOffset.UtcNow;
        var promotion = new Promotion
        {
            VersionId = version.Id, FromStage = version.Stage, TargetStage = target, Requester = version.Model.Owner,
            Justification = $"{key} {number} for the inbox.", State = PromotionRequestState.Pending, PolicyVersion = policy.Version,
            PolicyJson = PromotionService.SerializePolicy(policy), GatesJson = "[]",
            CreatedAt = now.AddDays(-createdDaysAgo), ExpiresAt = now.AddDays(expiresInDays),
        };
        db.Promotions.Add(promotion);
        db.Audit.Record("promotion.requested", promotion);
        await db.SaveChangesAsync();
        return promotion.Id;
    });

    [Fact]
    public async Task The_api_lists_pending_requests_oldest_first()
    {
        var recent = await AddPendingAsync("claims-triage", "1.4.0", Stage.Staging, createdDaysAgo: 1, expiresInDays: 13);
        var oldest = await AddPendingAsync("readmission-30d", "2.0.1", Stage.Staging, createdDaysAgo: 13, expiresInDays: 1);
        var middle = await AddPendingAsync("credit-default-pd", "2.0.0", Stage.Staging, createdDaysAgo: 10, expiresInDays: 4);
        var api = await (await TestApiKeys.ClientAsync(portal, "viewer@demo.test", "inbox-tests")).GetFromJsonAsync<JsonElement>("/api/v1/promotions?status=pending&stage=staging");

        // The inbox page's order, overdue marks and age filter: PromotionPagesTests (bUnit), through the same query.
        Guid[] mine = [oldest, middle, recent];
        Assert.Equal(mine, api.EnumerateArray().Select(p => p.GetProperty("id").GetGuid()).Where(mine.Contains));
        Assert.All(api.EnumerateArray(), p => Assert.Equal(("pending", "staging"), (p.GetProperty("status").GetString(), p.GetProperty("targetStage").GetString())));
    }

    [Fact]
    public async Task Two_expiry_sweeps_at_once_expire_each_due_request_exactly_once()
    {
        (string Key, string Number, Stage Target)[] due =
        [
            ("aml-transaction-monitoring", "1.0.1", Stage.Staging), ("sepsis-early-warning", "1.2.0", Stage.Production),
            ("fraud-card-realtime", "3.5.1", Stage.Production), ("churn-retail", "2.2.0", Stage.Production), ("demand-forecast-stores", "4.0.1", Stage.Production),
        ];
        var ids = new List<Guid>();
        foreach (var (key, number, target) in due)
        {
            ids.Add(await AddPendingAsync(key, number, target, createdDaysAgo: 15, expiresInDays: -1));
        }

        async Task<int> SweepAsync()
        {
            await using var scope = portal.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PromotionService>().ExpireDueAsync();
        }
        var swept = await Task.WhenAll(SweepAsync(), SweepAsync());

        Assert.Equal(due.Length, swept.Sum());
        foreach (var id in ids)
        {
            Assert.Equal(PromotionRequestState.Expired, await portal.WithDbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));
            Assert.Equal(1, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "promotion.expired" && e.EntityId == id.ToString())));
        }
        await using var verify = portal.Services.CreateAsyncScope();
        Assert.True((await verify.ServiceProvider.GetRequiredService<Audit.AuditVerificationService>().VerifyAsync()).Valid);
    }
}

public sealed class PromotionExpiryTestsOnSqlite(SqlitePortal portal) : PromotionExpiryTests(portal), IClassFixture<SqlitePortal>;

public sealed class PromotionExpiryTestsOnPostgreSql(PostgreSqlPortal portal) : PromotionExpiryTests(portal), IClassFixture<PostgreSqlPortal>;
