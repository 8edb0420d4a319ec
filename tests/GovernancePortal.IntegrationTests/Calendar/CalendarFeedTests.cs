using System.Net;
using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Calendar;

/// <summary>
/// Personal calendar feeds (issue 15, item 5): fetched without signing in by the secret in the address, parsed here by Ical.Net
/// as a calendar application would, showing each person only the retirements and reviews that concern them.
/// </summary>
public abstract class CalendarFeedTests(ClockedPortal portal) : IAsyncLifetime
{
    private readonly PromotionWorld _world = new(portal);

    public Task InitializeAsync() => _world.ProvisionPeopleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private DateOnly Today => DateOnly.FromDateTime(portal.Clock.GetUtcNow().UtcDateTime);

    private Task<string> FeedTokenAsync(Actor person) =>
        _world.InScopeAsync(sp => sp.GetRequiredService<CalendarFeeds>().CreateAsync(person.Username, new AuditActor(person.Username, person.Username, person.Roles)));

    private async Task<(HttpStatusCode Status, Ical.Net.Calendar? Calendar, HttpResponseMessage Response)> FetchAsync(string token)
    {
        using var anonymous = portal.CreateClient(new() { AllowAutoRedirect = false });
        var response = await anonymous.GetAsync(CalendarFeeds.Path(token));
        return response.StatusCode == HttpStatusCode.OK
            ? (response.StatusCode, Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync()), response)
            : (response.StatusCode, null, response);
    }

    [Fact]
    public async Task A_feed_carries_the_retirements_and_reviews_that_concern_its_holder_and_nothing_else()
    {
        var model = await _world.RegisterModelAsync("calendar-feed", RiskTier.Limited, PromotionWorld.Owner);
        var old = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        var successor = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        await _world.PromoteAsync(model, old, Stage.Staging);
        await _world.PromoteAsync(model, old, Stage.Production);
        var approvedOn = Today;
        var planned = Today.AddDays(45);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var put = await owner.PutAsync($"/api/v1/models/{model.Key}/versions/{old}/retirement", Json(new
        {
            plannedDate = planned.ToString("yyyy-MM-dd"), reason = "superseded", successor = new { model = model.Key, version = successor },
            noSuccessorReason = (string?)null, note = "Moves to the retrained model.", notify = new[] { PromotionWorld.Compliance.Username },
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var (status, calendar, response) = await FetchAsync(await FeedTokenAsync(PromotionWorld.Owner));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal(CalendarFeeds.ProductId, calendar!.ProductId);

        var retirement = Assert.Single(calendar.Events, e => e.Categories.Contains("Retirement") && e.Summary!.Contains(old));
        Assert.Equal(planned, DateOnly.FromDateTime(retirement.DtStart!.Value));
        Assert.False(retirement.DtStart.HasTime);
        Assert.Equal($"/models/{model.Key}/versions/{old}/retirement", retirement.Url!.AbsolutePath);
        Assert.Contains(successor, retirement.Description);

        // A Limited-risk model is reviewed every 24 months after its Production approval.
        var review = Assert.Single(calendar.Events, e => e.Categories.Contains("Review"));
        Assert.Equal(approvedOn.AddMonths(24), DateOnly.FromDateTime(review.DtStart!.Value));
        Assert.Equal($"/models/{model.Key}/review", review.Url!.AbsolutePath);

        // The officer named on the plan sees the retirement, not the owner's review; someone unrelated sees neither.
        var (_, officerCalendar, _) = await FetchAsync(await FeedTokenAsync(PromotionWorld.Compliance));
        Assert.Equal([retirement.Uid], officerCalendar!.Events.Where(e => e.Summary!.Contains("calendar-feed") || e.Description!.Contains("calendar-feed")).Select(e => e.Uid));
        var (_, viewerCalendar, _) = await FetchAsync(await FeedTokenAsync(PromotionWorld.Viewer));
        Assert.DoesNotContain(viewerCalendar!.Events, e => e.Uid == retirement.Uid || e.Uid == review.Uid);
    }

    [Fact]
    public async Task The_upcoming_list_exports_as_csv_within_the_chosen_window_and_only_to_people_signed_in()
    {
        var model = await _world.RegisterModelAsync("upcoming-csv", RiskTier.Limited, PromotionWorld.Owner);
        var version = await _world.RegisterVersionAsync(model, CardQuality.Complete, true);
        var planned = Today.AddDays(45);
        var owner = await TestApiKeys.ClientAsync(portal, PromotionWorld.Owner.Username);
        var put = await owner.PutAsync($"/api/v1/models/{model.Key}/versions/{version}/retirement", Json(new
        {
            plannedDate = planned.ToString("yyyy-MM-dd"), reason = "other", successor = (object?)null,
            noSuccessorReason = "The programme ends", note = "", notify = Array.Empty<string>(),
        }));
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        // A download for people in a browser: the signed-in cookie, as a link on the upcoming page sends it.
        var viewer = (await PortalClient.SignedInAsync(portal, PromotionWorld.Viewer.Username)).Http;
        var export = await viewer.GetAsync("/retirements.csv?days=90&kind=Retirement");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", export.Content.Headers.ContentDisposition?.ToString());
        var lines = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,kind,status,model,modelName,version,owner,team,detail,link", lines[0].TrimEnd('\r'));
        var row = Assert.Single(lines, l => l.Contains(",upcoming-csv,"));
        Assert.StartsWith($"{planned:yyyy-MM-dd},Retirement,scheduled,upcoming-csv,", row);
        Assert.Contains($"/models/upcoming-csv/versions/{version}/retirement", row);
        Assert.Contains("no successor: The programme ends", row);

        // A 30-day window leaves out a retirement 45 days away; without signing in there is no list.
        Assert.DoesNotContain(",upcoming-csv,", await viewer.GetStringAsync("/retirements.csv?days=30&kind=Retirement"));
        using var anonymous = portal.CreateClient(new() { AllowAutoRedirect = false });
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/retirements.csv")).StatusCode);
    }

    [Fact]
    public async Task A_replaced_or_revoked_address_stops_working_and_each_change_is_audited_without_the_secret()
    {
        var first = await FeedTokenAsync(PromotionWorld.Owner2);
        Assert.Equal(HttpStatusCode.OK, (await FetchAsync(first)).Status);

        var second = await FeedTokenAsync(PromotionWorld.Owner2);
        Assert.Equal(HttpStatusCode.NotFound, (await FetchAsync(first)).Status);
        Assert.Equal(HttpStatusCode.OK, (await FetchAsync(second)).Status);

        Assert.True(await _world.InScopeAsync(sp => sp.GetRequiredService<CalendarFeeds>().RevokeAsync(PromotionWorld.Owner2.Username)));
        Assert.Equal(HttpStatusCode.NotFound, (await FetchAsync(second)).Status);
        Assert.False(await _world.InScopeAsync(sp => sp.GetRequiredService<CalendarFeeds>().RevokeAsync(PromotionWorld.Owner2.Username)));

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.EntityType == nameof(CalendarFeedToken) && e.Payload.Contains(PromotionWorld.Owner2.Username))
            .OrderBy(e => e.Sequence).Select(e => new { e.Action, e.Payload }).ToListAsync());
        Assert.Equal(["calendar-feed.created", "calendar-feed.replaced", "calendar-feed.revoked"], events.Select(e => e.Action));
        Assert.DoesNotContain(events, e => e.Payload.Contains(first) || e.Payload.Contains(second));
        Assert.True((await _world.VerifyAuditAsync()).Valid);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not a token but long enough to be looked up")]
    public async Task An_unknown_address_is_not_found_and_serves_no_calendar(string token)
    {
        var (status, _, response) = await FetchAsync(token);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("VCALENDAR", await response.Content.ReadAsStringAsync());
    }
}

public sealed class CalendarFeedTestsOnSqlite(SqliteClockedPortal portal) : CalendarFeedTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class CalendarFeedTestsOnPostgreSql(PostgreSqlClockedPortal portal) : CalendarFeedTests(portal), IClassFixture<PostgreSqlClockedPortal>;
