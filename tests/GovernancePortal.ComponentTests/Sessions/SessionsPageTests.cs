using System.Security.Claims;
using Bunit;
using GovernancePortal.Components.Pages.Sessions;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Sessions;

/// <summary>The Admin's sessions page over real session rows: listing per person, and revocations behind a confirmation.</summary>
public sealed class SessionsPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Persona Admin = DemoPersonas.Find("admin@demo.test")!;

    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    private bool _servicesAdded;

    private void AddServices()
    {
        if (!_servicesAdded)
        {
            database.AddServices(Context.Services, TimeProvider.System);
            Context.Services.AddOptions<PortalSessionOptions>();
            Context.Services.AddScoped<SessionAdministration>();
            var authorization = Context.AddAuthorization();
            authorization.SetAuthorized(Admin.DisplayName);
            authorization.SetClaims(new Claim(PortalClaims.ObjectId, Admin.ObjectId.ToString()), new Claim(PortalClaims.Name, Admin.DisplayName),
                new Claim(PortalClaims.PreferredUsername, Admin.Username), new Claim(PortalClaims.Roles, Admin.Role));
            _servicesAdded = true;
        }
    }

    private IRenderedComponent<SessionsPage> RenderPage()
    {
        AddServices();
        _dialogs = Context.Render<MudDialogProvider>();
        return Render<SessionsPage>();
    }

    /// <summary>A session row as the store writes it, <paramref name="signedInAgo"/> ago and last seen <paramref name="seenAgo"/> ago.</summary>
    private async Task<Guid> AddSessionAsync(string username, TimeSpan signedInAgo, TimeSpan seenAgo, string address = "203.0.113.7")
    {
        var persona = DemoPersonas.Find(username)!;
        var now = DateTimeOffset.UtcNow;
        var session = new UserSession
        {
            ObjectId = persona.ObjectId, Username = persona.Username, DisplayName = persona.DisplayName, SignInMethod = "development",
            Ticket = [1, 2, 3], CreatedAt = now - signedInAgo, LastSeenAt = now - seenAgo, ExpiresAt = now - signedInAgo + TimeSpan.FromHours(8),
            ClientAddress = address, UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
        };
        await DbAsync(async db =>
        {
            db.Set<UserSession>().Add(session);
            return await db.SaveChangesAsync();
        });
        return session.Id;
    }

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        AddServices();
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    private Task<bool> ExistsAsync(Guid id) => DbAsync(db => db.Set<UserSession>().AnyAsync(s => s.Id == id));

    private Task<int> EventsAsync(string action, string entityId) =>
        DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action && e.EntityId == entityId));

    [Fact]
    public async Task Active_sessions_are_listed_per_person_and_ended_ones_are_not()
    {
        var active = await AddSessionAsync("owner@demo.test", TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(2));
        var idle = await AddSessionAsync("owner@demo.test", TimeSpan.FromHours(3), TimeSpan.FromHours(2));
        var expired = await AddSessionAsync("viewer@demo.test", TimeSpan.FromHours(9), TimeSpan.FromMinutes(1));

        var page = RenderPage();

        var owner = page.WaitForElement("[data-testid=person-sessions][data-user='owner@demo.test']");
        Assert.NotNull(owner.QuerySelector($"[data-session='{active}']"));
        Assert.Contains("203.0.113.7", owner.QuerySelector($"[data-session='{active}']")!.TextContent);
        Assert.Equal("Firefox 140 on Linux", owner.QuerySelector($"[data-session='{active}'] .user-agent")!.TextContent);
        Assert.Empty(page.FindAll($"[data-session='{idle}'], [data-session='{expired}']"));
        Assert.Empty(page.FindAll("[data-testid=person-sessions][data-user='viewer@demo.test']"));
    }

    [Fact]
    public async Task Revoking_a_session_asks_first_then_deletes_it_with_an_audit_event()
    {
        var kept = await AddSessionAsync("compliance@demo.test", TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(1));
        var revoked = await AddSessionAsync("compliance@demo.test", TimeSpan.FromMinutes(10), TimeSpan.Zero, "198.51.100.4");
        var page = RenderPage();

        page.WaitForElement($"[data-session='{revoked}'] [data-testid=revoke]").Click();
        var dialog = _dialogs.WaitForElement("[data-testid=confirm-revocation-button]");
        Assert.Contains("198.51.100.4", _dialogs.Markup);
        Assert.True(await ExistsAsync(revoked));
        dialog.Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-session='{revoked}']")));
        Assert.False(await ExistsAsync(revoked));
        Assert.True(await ExistsAsync(kept));
        Assert.NotEmpty(page.FindAll($"[data-session='{kept}']"));
        Assert.Equal(1, await EventsAsync(SessionAdministration.RevokedAction, revoked.ToString()));
        var actor = await DbAsync(db => db.AuditEvents.Where(e => e.EntityId == revoked.ToString()).Select(e => e.ActorUsername).SingleAsync());
        Assert.Equal(Admin.Username, actor);
    }

    [Fact]
    public async Task Cancelling_the_confirmation_revokes_nothing()
    {
        var session = await AddSessionAsync("auditor@demo.test", TimeSpan.FromMinutes(5), TimeSpan.Zero);
        var page = RenderPage();

        page.WaitForElement($"[data-session='{session}'] [data-testid=revoke]").Click();
        _dialogs.WaitForElement("[data-testid=cancel-revocation]").Click();

        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("[data-testid=confirm-revocation-button]")));
        Assert.True(await ExistsAsync(session));
        Assert.NotEmpty(page.FindAll($"[data-session='{session}']"));
        Assert.Equal(0, await EventsAsync(SessionAdministration.RevokedAction, session.ToString()));
    }

    [Fact]
    public async Task Revoke_all_ends_every_session_of_that_person_only()
    {
        var first = await AddSessionAsync("owner2@demo.test", TimeSpan.FromMinutes(40), TimeSpan.FromMinutes(3));
        var second = await AddSessionAsync("owner2@demo.test", TimeSpan.FromMinutes(4), TimeSpan.Zero);
        var other = await AddSessionAsync("compliance2@demo.test", TimeSpan.FromMinutes(4), TimeSpan.Zero);
        var page = RenderPage();

        page.WaitForElement("[data-testid=person-sessions][data-user='owner2@demo.test'] [data-testid=revoke-all]").Click();
        _dialogs.WaitForElement("[data-testid=confirm-revocation-button]").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=person-sessions][data-user='owner2@demo.test']")));
        Assert.False(await ExistsAsync(first));
        Assert.False(await ExistsAsync(second));
        Assert.True(await ExistsAsync(other));
        Assert.Equal(1, await EventsAsync(SessionAdministration.RevokedAllAction, DemoPersonas.Find("owner2@demo.test")!.ObjectId.ToString()));
    }
}
