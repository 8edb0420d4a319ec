using System.Net;
using GovernancePortal.Approvals;
using GovernancePortal.Jobs;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GovernancePortal.Sessions;

/// <summary>The idle timeout and absolute lifetime, on the test's clock; each test signs in a persona of its own.</summary>
public abstract class SessionLifetimeTests(ClockedPortal portal)
{
    private TestClock Clock => portal.Clock;

    private async Task<HttpStatusCode> OpenAsync(SessionBrowser browser)
    {
        var response = await browser.Http.GetAsync("/models");
        return SessionBrowser.IsSignInRedirect(response) ? HttpStatusCode.Unauthorized : response.StatusCode;
    }

    [Fact]
    public async Task A_session_idle_for_an_hour_is_refused_and_one_in_use_is_not()
    {
        var browser = await SessionBrowser.SignedInAsync(portal, "owner@demo.test");

        Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        Clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.Unauthorized, await OpenAsync(browser));
    }

    [Fact]
    public async Task Last_seen_is_written_at_most_once_a_minute()
    {
        var browser = await SessionBrowser.SignedInAsync(portal, "owner2@demo.test");
        var signedIn = await browser.SessionAsync();

        Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        Assert.Equal(signedIn.LastSeenAt, (await browser.SessionAsync()).LastSeenAt);

        Clock.Advance(TimeSpan.FromSeconds(45));
        var before = Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        var seen = (await browser.SessionAsync()).LastSeenAt;
        Assert.True(seen > before, $"Last seen {seen:O} was not moved to the request at {before:O}.");
    }

    [Fact]
    public async Task A_session_ends_eight_hours_after_sign_in_however_busy()
    {
        var browser = await SessionBrowser.SignedInAsync(portal, "compliance@demo.test");

        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromHours(7.5); elapsed += TimeSpan.FromMinutes(45))
        {
            Clock.Advance(TimeSpan.FromMinutes(45));
            Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));
        }
        Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(HttpStatusCode.Unauthorized, await OpenAsync(browser));
    }

    [Fact]
    public async Task Work_on_an_open_interactive_page_counts_as_seen_once_a_minute_and_never_revives_an_ended_session()
    {
        var browser = await SessionBrowser.SignedInAsync(portal, "compliance2@demo.test");
        var principal = TicketSerializer.Default.Deserialize((await browser.SessionAsync()).Ticket)!.Principal;
        var activity = new SessionActivity(new Fixed(new AuthenticationState(principal)), portal.Services.GetRequiredService<IServiceScopeFactory>(),
            Clock, NullLogger<SessionActivity>.Instance);
        // What the circuit runs before each event it receives from the browser (the context is not read).
        var onEvent = activity.CreateInboundActivityHandler(_ => Task.CompletedTask);

        Clock.Advance(TimeSpan.FromMinutes(50));
        await onEvent(null!);
        var seen = (await browser.SessionAsync()).LastSeenAt;
        Clock.Advance(TimeSpan.FromSeconds(30));
        await onEvent(null!);
        Assert.Equal(seen, (await browser.SessionAsync()).LastSeenAt);
        Clock.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(browser));

        Clock.Advance(TimeSpan.FromMinutes(61));
        var idleSince = (await browser.SessionAsync()).LastSeenAt;
        await onEvent(null!);
        Assert.Equal(idleSince, (await browser.SessionAsync()).LastSeenAt);
        Assert.Equal(HttpStatusCode.Unauthorized, await OpenAsync(browser));
    }

    private sealed class Fixed(AuthenticationState state) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(state);
    }

    [Fact]
    public async Task The_sweep_deletes_ended_sessions_and_keeps_active_ones()
    {
        var idle = await SessionBrowser.SignedInAsync(portal, "viewer@demo.test");
        var busy = await SessionBrowser.SignedInAsync(portal, "auditor@demo.test");
        var idleSession = await idle.SessionAsync();
        var busySession = await busy.SessionAsync();
        Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(busy));
        Clock.Advance(TimeSpan.FromMinutes(35));

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SessionSweepJob>().RunAsync(CancellationToken.None);
        }

        var left = await portal.WithDbAsync(db => db.Set<UserSession>().Select(s => s.Id).ToListAsync());
        Assert.DoesNotContain(idleSession.Id, left);
        Assert.Contains(busySession.Id, left);
        Assert.Equal(HttpStatusCode.Unauthorized, await OpenAsync(idle));
        Assert.Equal(HttpStatusCode.OK, await OpenAsync(busy));
    }
}

public sealed class SessionLifetimeTestsOnSqlite(SqliteClockedPortal portal) : SessionLifetimeTests(portal), IClassFixture<SqliteClockedPortal>;

public sealed class SessionLifetimeTestsOnPostgreSql(PostgreSqlClockedPortal portal) : SessionLifetimeTests(portal), IClassFixture<PostgreSqlClockedPortal>;

/// <summary>The portal with sessions set shorter in configuration.</summary>
public sealed class ShortSessionPortal() : ClockedPortal(TestDatabase.Sqlite)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Sessions:IdleTimeout", "00:10:00");
        builder.UseSetting("Sessions:AbsoluteLifetime", "00:30:00");
    }
}

public sealed class ConfiguredSessionLifetimeTests(ShortSessionPortal portal) : IClassFixture<ShortSessionPortal>
{
    [Fact]
    public async Task The_idle_timeout_and_lifetime_come_from_configuration()
    {
        var idle = await SessionBrowser.SignedInAsync(portal, "owner@demo.test");
        var busy = await SessionBrowser.SignedInAsync(portal, "owner2@demo.test");
        var session = await busy.SessionAsync();
        Assert.Equal(TimeSpan.FromMinutes(30), session.ExpiresAt - session.CreatedAt);

        for (var i = 0; i < 3; i++)
        {
            portal.Clock.Advance(TimeSpan.FromMinutes(9));
            Assert.Equal(HttpStatusCode.OK, (await busy.Http.GetAsync("/models")).StatusCode);
        }
        Assert.True(SessionBrowser.IsSignInRedirect(await idle.Http.GetAsync("/models")));
        portal.Clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(SessionBrowser.IsSignInRedirect(await busy.Http.GetAsync("/models")));
    }
}
