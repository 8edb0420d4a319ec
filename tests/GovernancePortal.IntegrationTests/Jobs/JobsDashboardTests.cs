using System.Net;
using GovernancePortal.Data;
using GovernancePortal.Hosting;
using GovernancePortal.Testing;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Jobs;

/// <summary>The schedule as registered at start, and the dashboard behind the portal's sign-in; the server is off here.</summary>
public abstract class JobsDashboardTests(PortalFactory portal)
{
    [Fact]
    public void The_recurring_jobs_are_registered_at_start_in_the_database_s_storage()
    {
        _ = portal.Server;
        var storage = portal.Services.GetRequiredService<JobStorage>();
        Assert.IsType(portal.Database == TestDatabase.PostgreSql ? typeof(PostgreSqlStorage) : typeof(InMemoryStorage), storage);

        using var connection = storage.GetConnection();
        var registered = connection.GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.Equal(JobsServices.Schedule.Select(s => s.Id).Order(), registered.Keys.Order());
        foreach (var (id, type, cron) in JobsServices.Schedule)
        {
            Assert.Equal(cron, registered[id].Cron);
            Assert.Equal(type, registered[id].Job.Type);
            Assert.Equal("UTC", registered[id].TimeZoneId);
        }
        Assert.Equal("* * * * *", registered[AuditCheckpointJob.Id].Cron);
    }

    [Fact]
    public async Task On_postgresql_hangfire_keeps_its_tables_in_its_own_schema()
    {
        if (portal.Database != TestDatabase.PostgreSql)
        {
            return;
        }
        _ = portal.Server;
        var tables = await portal.WithDbAsync(db => db.Database
            .SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'hangfire'").ToListAsync());
        Assert.Contains("job", tables);
        Assert.Contains("lock", tables);
        var inPublic = await portal.WithDbAsync(db => db.Database
            .SqlQueryRaw<string>("SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('job', 'lock', 'hash')").ToListAsync());
        Assert.Empty(inPublic);
    }

    [Fact]
    public async Task Anonymous_people_are_sent_to_sign_in_and_come_back_to_the_dashboard()
    {
        var response = await PortalClient.Anonymous(portal).Http.GetAsync("/admin/jobs");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2Fadmin%2Fjobs", response.Headers.Location.Query);
    }

    [Theory]
    [InlineData("viewer@demo.test", "/admin/jobs")]
    [InlineData("compliance@demo.test", "/admin/jobs/recurring")]
    [InlineData("auditor@demo.test", "/admin/jobs/jobs/failed")]
    public async Task Others_than_admins_are_refused_and_the_refusal_is_audited(string username, string path)
    {
        var client = await PortalClient.SignedInAsync(portal, username);

        var response = await client.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
        await portal.RecordRefusalsAsync();
        // Folded per route (ADR-023): the event names the dashboard's route and the path refused first.
        Assert.True(await portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e =>
            e.Action == "authorization.refused" && e.Payload.Contains("\"firstPath\":\"" + path + "\"") && e.ActorUsername == username)));
        // The refusal happens before Hangfire: a post ("Trigger now") is refused the same way.
        var post = await client.Http.PostAsync("/admin/jobs/recurring/trigger", TriggerForm);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.Equal("/account/access-denied", post.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Admins_trigger_a_job_from_the_dashboard_with_the_portal_s_antiforgery_token_and_not_without()
    {
        var client = await PortalClient.SignedInAsync(portal, "admin@demo.test");
        var page = PortalClient.Parse(await client.Http.GetStringAsync("/admin/jobs/recurring"));
        var header = page.QuerySelector("meta[name=csrf-header]")!.GetAttribute("content")!;
        var token = page.QuerySelector("meta[name=csrf-token]")!.GetAttribute("content")!;

        var forged = await client.Http.PostAsync("/admin/jobs/recurring/trigger", TriggerForm);
        using (var before = portal.Services.GetRequiredService<JobStorage>().GetConnection())
        {
            Assert.Null(before.GetRecurringJobs().Single(j => j.Id == AuditCheckpointJob.Id).LastJobId);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/jobs/recurring/trigger") { Content = TriggerForm };
        request.Headers.Add(header, token);
        var triggered = await client.Http.SendAsync(request);

        Assert.True(forged.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.BadRequest,
            $"{(int)forged.StatusCode}: {await forged.Content.ReadAsStringAsync()}");
        Assert.Equal(HttpStatusCode.NoContent, triggered.StatusCode);
        using var connection = portal.Services.GetRequiredService<JobStorage>().GetConnection();
        Assert.NotNull(connection.GetRecurringJobs().Single(j => j.Id == AuditCheckpointJob.Id).LastJobId);
    }

    private static FormUrlEncodedContent TriggerForm => new(new Dictionary<string, string> { ["jobs[]"] = AuditCheckpointJob.Id });

    [Fact]
    public async Task Admins_see_the_dashboard_with_the_portal_s_security_headers()
    {
        var client = await PortalClient.SignedInAsync(portal, "admin@demo.test");

        var overview = await client.Http.GetAsync("/admin/jobs");
        var recurring = await client.Http.GetStringAsync("/admin/jobs/recurring");

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, overview.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("Background jobs · Governance Portal", await overview.Content.ReadAsStringAsync());
        Assert.All(JobsServices.Schedule, s => Assert.Contains(s.Id, recurring));
        var script = await client.Http.GetStringAsync(PortalClient.Parse(await overview.Content.ReadAsStringAsync())
            .QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).Single(s => s.StartsWith("/admin/jobs/js", StringComparison.Ordinal)));
        Assert.Contains("Chart.platform.disableCSSInjection = true", script);
    }
}

public sealed class JobsDashboardTestsOnSqlite(SqlitePortal portal) : JobsDashboardTests(portal), IClassFixture<SqlitePortal>;

public sealed class JobsDashboardTestsOnPostgreSql(PostgreSqlPortal portal) : JobsDashboardTests(portal), IClassFixture<PostgreSqlPortal>;

public sealed class DailyVerificationTests
{
    private static readonly DateTimeOffset Today0230 = new(2026, 12, 7, 2, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, 0, true)] // never verified
    [InlineData(-60, 30, true)] // verified before today's 02:30, now after it
    [InlineData(1, 30, false)] // verified after today's 02:30
    [InlineData(-60, -1, false)] // before 02:30 today: yesterday's 02:30 is the latest due, and it was verified after that
    [InlineData(-25 * 60, -1, true)] // nothing since yesterday's 02:30
    public void Verification_is_due_when_nothing_was_verified_since_the_latest_0230_utc(int? verifiedMinutes, int nowMinutes, bool due)
    {
        DateTimeOffset? verified = verifiedMinutes is { } m ? Today0230.AddMinutes(m) : null;
        Assert.Equal(due, AuditVerificationJob.IsDue(verified, Today0230.AddMinutes(nowMinutes)));
    }
}
