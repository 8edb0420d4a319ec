using System.Net;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Sessions;

/// <summary>Sessions of people signed in through Microsoft.Identity.Web against the test OIDC provider.</summary>
public sealed class EntraSessionTests(SqliteEntraPortal portal) : IClassFixture<SqliteEntraPortal>
{
    private Task<List<Guid>> SessionIdsAsync() => portal.WithDbAsync(db => db.Set<UserSession>().Select(s => s.Id).ToListAsync());

    private async Task<UserSession> SignInAsync(SessionBrowser browser, TestEntraUser user)
    {
        var before = await SessionIdsAsync();
        // A provider session of its own each time, so the provider asks who signs in.
        using var entra = new EntraBrowser(portal, browser.Client);
        Assert.Equal(HttpStatusCode.Redirect, (await entra.SignInAsync(user.Username)).StatusCode);
        var id = (await SessionIdsAsync()).Except(before).Single();
        return await portal.WithDbAsync(db => db.Set<UserSession>().AsNoTracking().SingleAsync(s => s.Id == id));
    }

    [Fact]
    public async Task Each_sign_in_starts_a_new_session_and_ends_the_one_the_browser_had()
    {
        var browser = SessionBrowser.Anonymous(portal);
        var first = await SignInAsync(browser, OidcProvider.Owner);
        var copied = browser.SessionCookie!;
        Assert.Equal(EntraAuthentication.SignInMethod, first.SignInMethod);
        Assert.Equal(OidcProvider.Owner.Oid, first.ObjectId);

        var second = await SignInAsync(browser, OidcProvider.Auditor);

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(OidcProvider.Auditor.Username, second.Username);
        Assert.DoesNotContain(first.Id, await SessionIdsAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.Http.GetAsync("/audit")).StatusCode);
        var attacker = SessionBrowser.Anonymous(portal);
        attacker.Replay(copied);
        Assert.True(SessionBrowser.IsSignInRedirect(await attacker.Http.GetAsync("/models")));
    }
}
