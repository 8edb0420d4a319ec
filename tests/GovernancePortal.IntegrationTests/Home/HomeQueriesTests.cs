using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Home;

/// <summary>The home pages' reads on the demo portfolio, checked against the rows themselves, on both databases.</summary>
public abstract class HomeQueriesTests(PortalFactory portal)
{
    private async Task<T> QueryAsync<T>(Func<HomeQueries, Task<T>> read)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<HomeQueries>());
    }

    [Fact]
    public async Task Stakeholders_get_versions_by_tier_and_stage_and_each_production_cards_latest_completeness()
    {
        var overview = await QueryAsync(q => q.StakeholderAsync());
        var versions = await portal.WithDbAsync(db => db.ModelVersions.Select(v => new { v.Id, v.Model.RiskTier, v.Stage, v.Model.Key }).ToListAsync());
        var revisions = await portal.WithDbAsync(db => db.ModelCardRevisions.Select(r => new { r.VersionId, r.Number, r.Completeness }).ToListAsync());

        foreach (var group in versions.Where(v => v.Stage is Stage.Development or Stage.Staging or Stage.Production).GroupBy(v => (v.RiskTier, v.Stage)))
        {
            Assert.Equal(group.Count(), overview.VersionsByTierAndStage.Single(c => c.Tier == group.Key.RiskTier && c.Stage == group.Key.Stage).Versions);
        }
        var production = versions.Where(v => v.Stage == Stage.Production).ToList();
        Assert.NotEmpty(production);
        Assert.Equal(production.Count, overview.ProductionCards.Count);
        foreach (var version in production)
        {
            var latest = revisions.Where(r => r.VersionId == version.Id).MaxBy(r => r.Number)?.Completeness ?? 0;
            Assert.Contains(overview.ProductionCards, c => c.ModelKey == version.Key && c.Completeness == latest);
        }
        Assert.Equal(overview.ProductionCards.OrderBy(c => c.Completeness).Select(c => c.Completeness), overview.ProductionCards.Select(c => c.Completeness));
        Assert.Contains(overview.Checklists, c => c.Applicable > 0);
    }

    [Fact]
    public async Task Compliance_officers_get_every_pending_request_oldest_first_and_the_oldest_checklists_in_review()
    {
        var work = await QueryAsync(q => q.ComplianceAsync());
        var pending = await portal.WithDbAsync(db => db.Promotions.Where(p => p.State == PromotionRequestState.Pending).Select(p => new { p.Id, p.CreatedAt }).ToListAsync());
        var inReview = await portal.WithDbAsync(db => db.Assessments.Where(a => a.Status == AssessmentStatus.InReview).Select(a => new { a.Id, a.SubmittedAt }).ToListAsync());

        Assert.Equal(pending.OrderBy(p => p.CreatedAt).Select(p => p.Id), work.Approvals.Select(a => a.Id));
        Assert.Equal(inReview.Count, work.Reviews.Total);
        Assert.Equal(inReview.OrderBy(a => a.SubmittedAt).ThenBy(a => a.Id).Take(HomeQueries.ReviewsOnHome).Select(a => a.Id), work.Reviews.Items.Select(r => r.AssessmentId));
        Assert.All(work.Approvals, a => Assert.False(string.IsNullOrEmpty(a.ModelKey)));
    }

    [Fact]
    public async Task Auditors_get_the_event_count_todays_events_and_the_latest_checkpoint()
    {
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true);
        }
        var overview = await QueryAsync(q => q.AuditAsync());
        var events = await portal.WithDbAsync(db => db.AuditEvents.Select(e => e.Timestamp).ToListAsync());
        var checkpoint = await portal.WithDbAsync(db => db.AuditCheckpoints.MaxAsync(c => c.TreeSize));

        Assert.Equal(events.Count, overview.Events);
        Assert.Equal(HomeQueries.DaysOfActivity, overview.EventsPerDay.Count);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(today, overview.EventsPerDay[^1].Day);
        Assert.All(overview.EventsPerDay, d => Assert.Equal(events.Count(t => DateOnly.FromDateTime(t.UtcDateTime) == d.Day), d.Events));
        Assert.True(overview.EventsPerDay[^1].Events > 0);
        Assert.Equal(checkpoint, overview.Checkpoint!.TreeSize);
        Assert.Empty(overview.OpenAlerts);
    }

    [Fact]
    public async Task Owners_get_their_teams_models_with_what_blocks_the_newest_version()
    {
        // A model of owner2's registered without any version: every demo model has one.
        using var owner2 = await TestApiKeys.ClientAsync(portal, "owner2@demo.test", "home-tests");
        var bare = RegistryTestData.ModelBody("home-no-version-yet");
        bare["owner"] = "owner2@demo.test";
        bare["team"] = "Clinical AI";
        var created = await owner2.PostAsync("/api/v1/models", ApiBodies.Json(bare));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var models = await QueryAsync(q => q.OwnerAsync("owner@demo.test"));
        var team = await portal.WithDbAsync(db => db.Models.Where(m => m.Team == "Credit Risk Analytics").Select(m => m.Key).ToListAsync());
        var other = await QueryAsync(q => q.OwnerAsync("owner2@demo.test"));

        Assert.Equal(team.Order(StringComparer.Ordinal), models.Select(m => m.Key));
        Assert.DoesNotContain(other, m => team.Contains(m.Key));
        Assert.All(models.Where(m => m.LatestStage == Stage.Production), m => Assert.Empty(m.Blockers));
        // A newest version short of production with an incomplete card names its completeness as a blocker.
        var versions = await portal.WithDbAsync(db => db.ModelVersions.Where(v => team.Contains(v.Model.Key) && v.Stage != Stage.Archived && v.Stage != Stage.Retired)
            .Select(v => new { v.Model.Key, v.Major, v.Minor, v.Pipeline, v.Stage, Card = db.ModelCardRevisions.Where(r => r.VersionId == v.Id).OrderByDescending(r => r.Number).Select(r => (int?)r.Completeness).FirstOrDefault() })
            .ToListAsync());
        var checkedOne = false;
        foreach (var newest in versions.GroupBy(v => v.Key).Select(g => g.MaxBy(v => new VersionNumber(v.Major, v.Minor, v.Pipeline))!))
        {
            var model = models.Single(m => m.Key == newest.Key);
            Assert.Equal(new VersionNumber(newest.Major, newest.Minor, newest.Pipeline).ToString(), model.Latest);
            if (newest.Stage != Stage.Production && (newest.Card ?? 0) < 100)
            {
                Assert.Contains($"Model card {newest.Card ?? 0}% complete", model.Blockers);
                checkedOne = true;
            }
        }
        Assert.True(checkedOne, "The demo data should have a newest version with an incomplete card for this team.");
        // A model registered without any version says so instead of looking ready.
        Assert.Contains(other, m => m.Key == "home-no-version-yet" && m.Latest is null);
        Assert.All(models.Concat(other).Where(m => m.Latest is null), m => Assert.Equal(["No version registered yet"], m.Blockers));
        Assert.Empty(await QueryAsync(q => q.OwnerAsync("nobody@demo.test")));
    }
}

public sealed class HomeQueriesTestsOnSqlite(SqlitePortal portal) : HomeQueriesTests(portal), IClassFixture<SqlitePortal>;

public sealed class HomeQueriesTestsOnPostgreSql(PostgreSqlPortal portal) : HomeQueriesTests(portal), IClassFixture<PostgreSqlPortal>;
