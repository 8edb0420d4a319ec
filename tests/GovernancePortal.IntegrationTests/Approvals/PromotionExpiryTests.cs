using GovernancePortal.Registry;
using GovernancePortal.Scheduling;
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
            await new PromotionExpiryJob(scope.ServiceProvider.GetRequiredService<PromotionService>()).Execute(null!, CancellationToken.None);
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
}

public sealed class PromotionExpiryTestsOnSqlite(SqlitePortal portal) : PromotionExpiryTests(portal), IClassFixture<SqlitePortal>;

public sealed class PromotionExpiryTestsOnPostgreSql(PostgreSqlPortal portal) : PromotionExpiryTests(portal), IClassFixture<PostgreSqlPortal>;
