using System.Net;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Sessions;

/// <summary>A browser whose cookie jar the test can read and refill: what an attacker who copied a cookie holds.</summary>
public sealed class SessionBrowser
{
    private static readonly Uri Origin = new("http://localhost");

    private readonly PortalFactory _portal;

    private SessionBrowser(PortalFactory portal)
    {
        _portal = portal;
        Client = new PortalClient(portal.CreateDefaultClient(Origin, new CookieContainerHandler(Cookies)));
    }

    /// <summary>The session this browser's sign-in started.</summary>
    public Guid SessionId { get; private set; }

    public CookieContainer Cookies { get; } = new();
    public PortalClient Client { get; }
    public HttpClient Http => Client.Http;

    public static async Task<SessionBrowser> SignedInAsync(PortalFactory portal, string username)
    {
        var browser = new SessionBrowser(portal);
        await browser.SignInAsync(username);
        return browser;
    }

    public async Task SignInAsync(string username)
    {
        var before = await _portal.WithDbAsync(db => db.Set<UserSession>().Select(s => s.Id).ToListAsync());
        await Client.SignInAsync(username);
        SessionId = (await _portal.WithDbAsync(db => db.Set<UserSession>().Select(s => s.Id).ToListAsync())).Except(before).Single();
    }

    public Task<UserSession> SessionAsync() =>
        _portal.WithDbAsync(db => db.Set<UserSession>().AsNoTracking().SingleAsync(s => s.Id == SessionId));

    public static SessionBrowser Anonymous(PortalFactory portal) => new(portal);

    /// <summary>The session cookie's value, as someone copying it would take it.</summary>
    public string? SessionCookie => Cookies.GetCookies(Origin)["gp.auth"]?.Value;

    public void Replay(string sessionCookie) => Cookies.Add(new Cookie("gp.auth", sessionCookie, "/", Origin.Host));

    /// <summary>Signs out with the sign-out form's antiforgery token, as the app bar's button does.</summary>
    public async Task<HttpResponseMessage> SignOutAsync()
    {
        var page = await Client.GetDocumentAsync("/models");
        return await Client.PostFormAsync("/account/sign-out", page, []);
    }

    public static bool IsSignInRedirect(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/account/sign-in", StringComparison.Ordinal);
}
