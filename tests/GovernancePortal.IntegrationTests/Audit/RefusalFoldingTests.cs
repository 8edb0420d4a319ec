using System.Net;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Audit;

/// <summary>The demo portfolio with the test's clock, so a flood can span minutes.</summary>
public class RefusalPortal(TestDatabase database) : PortalFactory(database)
{
    public TestClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 60 * 60 + 5));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class SqliteRefusalPortal() : RefusalPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlRefusalPortal() : RefusalPortal(TestDatabase.PostgreSql);

/// <summary>A flood of forbidden requests adds at most one authorization.refused event per identity, route and minute.</summary>
public abstract class RefusalFoldingTests(RefusalPortal portal)
{
    private Task<List<AuditEvent>> RefusalsAsync(string username) => portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
        .Where(e => e.Action == AuthorizationRefusals.Action && e.ActorUsername == username).OrderBy(e => e.Sequence).ToListAsync());

    private Task<int> RecordAsync(DateTimeOffset asOf) => portal.WithDbAsync(db =>
        new AuthorizationRefusals(db, portal.Clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuthorizationRefusals>.Instance)
            .RecordDueAsync(asOf, CancellationToken.None));

    private static async Task FloodAsync(HttpClient client, IEnumerable<string> paths)
    {
        var responses = await Task.WhenAll(paths.Select(p => client.GetAsync(p)));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
    }

    [Fact]
    public async Task A_flood_of_forbidden_requests_adds_one_event_per_identity_route_and_minute_with_its_count()
    {
        var viewer = await TestApiKeys.ClientAsync(portal, "viewer@demo.test", "flood");

        await FloodAsync(viewer, Enumerable.Repeat("/api/v1/audit/verify", 150)
            .Concat(Enumerable.Range(1, 50).Select(i => $"/api/v1/audit/events/{i}/proof")));
        Assert.Empty(await RefusalsAsync("viewer@demo.test"));
        Assert.Equal(0, await RecordAsync(portal.Clock.GetUtcNow()));
        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await FloodAsync(viewer, Enumerable.Repeat("/api/v1/audit/verify", 20));
        portal.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(3, await RecordAsync(portal.Clock.GetUtcNow()));
        Assert.Equal(0, await RecordAsync(portal.Clock.GetUtcNow()));

        var events = await RefusalsAsync("viewer@demo.test");
        var folded = events.Select(e => (Route: e.EntityId, Count: Count(e))).ToList();
        Assert.Equal(3, folded.Count);
        // Both routes of the first minute were flooded at once: which was refused first is up to the scheduler.
        Assert.Equal([("/api/v1/audit/events/{sequence:long}/proof", 50), ("/api/v1/audit/verify", 150)], folded.Take(2).Order());
        Assert.Equal(("/api/v1/audit/verify", 20), folded[2]);
        Assert.All(events, e => Assert.Equal("flood", e.ActorApiKey));
        Assert.Contains("\"firstPath\":\"/api/v1/audit/events/", events.Single(e => e.EntityId.EndsWith("/proof")).Payload);
        await using var scope = portal.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync()).Valid);
    }

    [Fact]
    public async Task Instances_recording_at_once_write_each_minute_once_and_lose_no_count()
    {
        var owner = await TestApiKeys.ClientAsync(portal, "owner@demo.test", "race");
        portal.Clock.Advance(TimeSpan.FromMinutes(5));
        await FloodAsync(owner, Enumerable.Repeat("/api/v1/audit/checkpoints", 80));
        portal.Clock.Advance(TimeSpan.FromMinutes(2));

        var written = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => RecordAsync(portal.Clock.GetUtcNow()))));

        var events = await RefusalsAsync("owner@demo.test");
        Assert.Equal(1, written.Sum());
        Assert.Equal(80, Count(Assert.Single(events)));
    }

    /// <summary>The count in the event's payload, wherever the payload nests its details.</summary>
    private static int Count(AuditEvent e)
    {
        var root = JsonDocument.Parse(e.Payload).RootElement;
        return root.EnumerateObject().Select(p => p.Value).Prepend(root)
            .First(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("count", out _)).GetProperty("count").GetInt32();
    }
}

public sealed class RefusalFoldingTestsOnSqlite(SqliteRefusalPortal portal) : RefusalFoldingTests(portal), IClassFixture<SqliteRefusalPortal>;

public sealed class RefusalFoldingTestsOnPostgreSql(PostgreSqlRefusalPortal portal) : RefusalFoldingTests(portal), IClassFixture<PostgreSqlRefusalPortal>;
