using System.Net;
using System.Security.Claims;
using GovernancePortal.Audit;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Sessions;

/// <summary>Sessions kept on the server (ADR-024): what sign-out and revocation end, on both databases.</summary>
public abstract class SessionTests(PortalFactory portal)
{
    // A post that changes state (it prints and registers a dossier), from the version page's form.
    private const string DossierPage = "/models/credit-default-pd/versions/1.2.0";

    [Fact]
    public async Task A_cookie_copied_before_sign_out_is_refused_after_it_on_a_page_and_a_post()
    {
        var browser = await SessionBrowser.SignedInAsync(portal, "owner@demo.test");
        var session = await browser.SessionAsync();
        var copied = browser.SessionCookie!;
        Assert.DoesNotContain("owner@demo.test", copied);
        var form = await browser.Client.GetDocumentAsync(DossierPage);
        var attacker = SessionBrowser.Anonymous(portal);
        attacker.Replay(copied);
        Assert.Equal(HttpStatusCode.OK, (await attacker.Http.GetAsync("/models")).StatusCode);

        var signedOut = await browser.SignOutAsync();

        Assert.Equal(AccountEndpoints.SignedOutPath, signedOut.Headers.Location!.OriginalString);
        Assert.Null(browser.SessionCookie);
        attacker.Replay(copied);
        Assert.True(SessionBrowser.IsSignInRedirect(await attacker.Http.GetAsync("/models")));
        var reports = await portal.WithDbAsync(db => db.Reports.CountAsync());
        Assert.True(SessionBrowser.IsSignInRedirect(await attacker.Client.PostFormAsync(DossierPage + "/reports/dossier", form, [])));
        Assert.Equal(reports, await portal.WithDbAsync(db => db.Reports.CountAsync()));
        Assert.False(await portal.WithDbAsync(db => db.Set<UserSession>().AnyAsync(s => s.Id == session.Id)));
        Assert.True(await portal.WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "user.signed-out"
            && e.EntityId == DemoPersonas.Find("owner@demo.test")!.ObjectId.ToString())));
    }

    [Fact]
    public async Task Signing_out_in_one_browser_leaves_the_same_persons_other_browser_signed_in()
    {
        var laptop = await SessionBrowser.SignedInAsync(portal, "owner2@demo.test");
        var phone = await SessionBrowser.SignedInAsync(portal, "owner2@demo.test");

        await laptop.SignOutAsync();

        Assert.True(SessionBrowser.IsSignInRedirect(await laptop.Http.GetAsync("/models")));
        Assert.Equal(HttpStatusCode.OK, (await phone.Http.GetAsync("/models")).StatusCode);
    }

    [Fact]
    public async Task The_session_row_holds_the_ticket_the_person_and_where_they_signed_in_from()
    {
        var browser = SessionBrowser.Anonymous(portal);
        browser.Http.DefaultRequestHeaders.UserAgent.ParseAdd("SessionTest/1.0");
        await browser.SignInAsync("auditor@demo.test");

        var session = await browser.SessionAsync();

        Assert.Equal("auditor@demo.test", session.Username);
        Assert.Equal("Arthur Auditor", session.DisplayName);
        Assert.Equal(SessionClaims.DevelopmentSignIn, session.SignInMethod);
        Assert.Equal("SessionTest/1.0", session.UserAgent);
        Assert.NotEmpty(session.Ticket);
        Assert.Equal(TimeSpan.FromHours(8), session.ExpiresAt - session.CreatedAt);
        Assert.Equal(session.CreatedAt, session.LastSeenAt, TimeSpan.FromSeconds(5));
        var ticket = Microsoft.AspNetCore.Authentication.TicketSerializer.Default.Deserialize(session.Ticket)!;
        Assert.Equal(session.Id.ToString(), ticket.Principal.FindFirstValue(SessionClaims.SessionId));
        Assert.Equal("auditor@demo.test", ticket.Principal.FindFirstValue(PortalClaims.PreferredUsername));
    }

    [Fact]
    public async Task Only_an_admin_opens_the_sessions_page_and_sees_who_is_signed_in()
    {
        var person = await SessionBrowser.SignedInAsync(portal, "compliance2@demo.test");
        var session = await person.SessionAsync();
        var viewer = await SessionBrowser.SignedInAsync(portal, "viewer@demo.test");
        var admin = await SessionBrowser.SignedInAsync(portal, "admin@demo.test");

        var refused = await viewer.Http.GetAsync("/admin/sessions");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/account/access-denied", refused.Headers.Location!.AbsolutePath);
        Assert.True(SessionBrowser.IsSignInRedirect(await SessionBrowser.Anonymous(portal).Http.GetAsync("/admin/sessions")));
        var page = await admin.Client.GetDocumentAsync("/admin/sessions");
        var listed = page.QuerySelector("[data-testid=person-sessions][data-user='compliance2@demo.test']");
        Assert.NotNull(listed);
        Assert.NotNull(listed.QuerySelector($"[data-session='{session.Id}']"));
    }

    [Fact]
    public async Task A_revoked_session_is_refused_and_the_revocation_is_audited_with_the_admin_as_actor()
    {
        var owner = await SessionBrowser.SignedInAsync(portal, "compliance@demo.test");
        var session = await owner.SessionAsync();
        var admin = HttpAuditContextAccessor.ActorOf(AccountEndpoints.Principal(DemoPersonas.Find("admin@demo.test")!));
        var principal = Principal(session);
        Assert.True(await WithSessionsAsync(s => s.IsActiveAsync(principal)));

        Assert.True(await WithSessionsAsync(s => s.RevokeAsync(session.Id, admin)));

        Assert.True(SessionBrowser.IsSignInRedirect(await owner.Http.GetAsync("/models")));
        Assert.False(await WithSessionsAsync(s => s.IsActiveAsync(principal)));
        Assert.False(await WithSessionsAsync(s => s.RevokeAsync(session.Id, admin)));
        var recorded = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == SessionAdministration.RevokedAction
            && e.EntityId == session.Id.ToString()));
        Assert.Equal("admin@demo.test", recorded.ActorUsername);
        Assert.Contains("compliance@demo.test", recorded.Payload);
        Assert.DoesNotContain(Convert.ToBase64String(session.Ticket)[..16], recorded.Payload);
    }

    [Fact]
    public async Task Revoking_all_of_a_persons_sessions_ends_every_browser_in_one_audited_change()
    {
        var first = await SessionBrowser.SignedInAsync(portal, "owner@demo.test");
        var second = await SessionBrowser.SignedInAsync(portal, "owner@demo.test");
        var other = await SessionBrowser.SignedInAsync(portal, "auditor@demo.test");
        var oid = DemoPersonas.Find("owner@demo.test")!.ObjectId;
        var admin = HttpAuditContextAccessor.ActorOf(AccountEndpoints.Principal(DemoPersonas.Find("admin@demo.test")!));
        var before = await portal.WithDbAsync(db => db.Set<UserSession>().CountAsync(s => s.ObjectId == oid));

        var ended = await WithSessionsAsync(s => s.RevokeAllAsync(oid, admin));

        Assert.True(ended >= 2);
        Assert.Equal(before, ended);
        Assert.True(SessionBrowser.IsSignInRedirect(await first.Http.GetAsync("/models")));
        Assert.True(SessionBrowser.IsSignInRedirect(await second.Http.GetAsync("/models")));
        Assert.Equal(HttpStatusCode.OK, (await other.Http.GetAsync("/models")).StatusCode);
        var recorded = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == SessionAdministration.RevokedAllAction
            && e.EntityId == oid.ToString()).OrderByDescending(e => e.Sequence).FirstAsync());
        Assert.Contains($"\"count\":{ended}", recorded.Payload);
        Assert.Equal(0, await WithSessionsAsync(s => s.RevokeAllAsync(oid, admin)));
    }

    private static ClaimsPrincipal Principal(UserSession session) =>
        Microsoft.AspNetCore.Authentication.TicketSerializer.Default.Deserialize(session.Ticket)!.Principal;

    private async Task<T> WithSessionsAsync<T>(Func<SessionAdministration, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<SessionAdministration>());
    }
}

public sealed class SessionTestsOnSqlite(SqlitePortal portal) : SessionTests(portal), IClassFixture<SqlitePortal>;

public sealed class SessionTestsOnPostgreSql(PostgreSqlPortal portal) : SessionTests(portal), IClassFixture<PostgreSqlPortal>;
