using System.Globalization;
using System.Net;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.AsOf;

/// <summary>What was in Production at an instant (issue 15, items 6 and 7), replayed from the stage history, over HTTP.</summary>
public abstract class ProductionAsOfTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string At(DateTimeOffset instant) =>
        "/api/v1/production?asOf=" + Uri.EscapeDataString(instant.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));

    private static async Task<List<JsonElement>> RowsAsync(HttpClient client, DateTimeOffset instant, string model)
    {
        var response = await client.GetAsync(At(instant));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await BodyAsync(response)).EnumerateArray().Where(r => r.GetProperty("model").GetString() == model).ToList();
    }

    [Fact]
    public async Task Each_instant_shows_the_version_then_in_production_with_its_approvers_and_policy_and_a_rollback_with_who_did_it()
    {
        var before = portal.Clock.GetUtcNow();
        var (model, previous, champion) = await _world.ChampionWithPredecessorAsync("as-of-history", PromotionWorld.Owner);
        var auditor = await TestApiKeys.ClientAsync(portal, PromotionWorld.Auditor.Username);
        var history = await _world.InScopeAsync(sp => ProductionHistory.OfModelAsync(sp.GetRequiredService<Data.GovernanceDbContext>(),
            sp.GetRequiredService<Data.GovernanceDbContext>().Models.Single(m => m.Key == model.Key).Id));
        Assert.Equal(2, history.Count);

        Assert.Empty(await RowsAsync(auditor, before, model.Key));

        // Between the two approvals: the predecessor, approved by the one officer the Limited policy asks for, under version 1.
        var first = Assert.Single(await RowsAsync(auditor, history[0].At.AddSeconds(30), model.Key));
        Assert.Equal((previous, 1), (first.GetProperty("version").GetString(), first.GetProperty("policyVersion").GetInt32()));
        Assert.Equal([PromotionWorld.Compliance.Username], first.GetProperty("approvedBy").EnumerateArray().Select(a => a.GetString()));
        // Since the stage change, saved with the approval.
        Assert.InRange(first.GetProperty("since").GetDateTimeOffset(), history[0].At, history[0].At.AddSeconds(1));

        var second = Assert.Single(await RowsAsync(auditor, portal.Clock.GetUtcNow(), model.Key));
        Assert.Equal(champion, second.GetProperty("version").GetString());

        portal.Clock.Advance(TimeSpan.FromMinutes(5));
        var rollback = (await _world.InScopeAsync(sp => PromotionWorld.StartRollbackAsync(sp, model.Owner, model.Key, "Alerts doubled."))).Rollback!.Id;
        Assert.Null((await _world.InScopeAsync(sp => PromotionWorld.ConfirmRollbackAsync(sp, PromotionWorld.Compliance, rollback))).Failure);
        var restored = Assert.Single(await RowsAsync(auditor, portal.Clock.GetUtcNow(), model.Key));
        Assert.Equal(previous, restored.GetProperty("version").GetString());
        Assert.Equal([model.Owner.Username, PromotionWorld.Compliance.Username], restored.GetProperty("approvedBy").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(JsonValueKind.Null, restored.GetProperty("policyVersion").ValueKind);
        // The earlier instant still shows what was true then.
        Assert.Equal(champion, Assert.Single(await RowsAsync(auditor, portal.Clock.GetUtcNow().AddMinutes(-4), model.Key)).GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("2026-06-30")]
    [InlineData("2026-06-30T12:00:00")]
    [InlineData("2026-13-30T12:00:00Z")]
    public async Task An_asOf_that_is_not_an_instant_is_a_400_problem(string asOf)
    {
        var auditor = await TestApiKeys.ClientAsync(portal, PromotionWorld.Auditor.Username);
        var response = await auditor.GetAsync("/api/v1/production?asOf=" + Uri.EscapeDataString(asOf));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await BodyAsync(response)).GetProperty("errors").TryGetProperty("asOf", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await auditor.GetAsync("/api/v1/production")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/v1/production?asOf=2026-06-30T12:00:00%2B02:00")).StatusCode);
    }
}

public sealed class ProductionAsOfTestsOnSqlite(SqliteClockedPortal portal) : ProductionAsOfTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class ProductionAsOfTestsOnPostgreSql(PostgreSqlClockedPortal portal) : ProductionAsOfTests(portal), IClassFixture<PostgreSqlClockedPortal>;
