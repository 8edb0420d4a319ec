using System.Security.Claims;
using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Calendar;

/// <summary>The account page's calendar feed over the real service: an address shown once, replaced and revoked only after asking.</summary>
public sealed class MyAccountPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Persona Owner = DemoPersonas.Find("owner2@demo.test")!;
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    private IRenderedComponent<MyAccountPage> RenderPage()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        Context.Services.AddCalendarFeeds();
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(Owner.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, Owner.ObjectId.ToString()), new Claim(PortalClaims.Name, Owner.DisplayName),
            new Claim(PortalClaims.PreferredUsername, Owner.Username), new Claim(PortalClaims.Roles, Owner.Role));
        Context.Render<MudPopoverProvider>();
        Context.Render<MudSnackbarProvider>();
        _dialogs = Context.Render<MudDialogProvider>();
        return Render<MyAccountPage>();
    }

    private async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<string?> FeedOfAsync(string address) =>
        InScopeAsync(sp => sp.GetRequiredService<CalendarFeeds>().FeedAsync(address.Split('/')[^1].Replace(".ics", ""), "http://localhost"));

    private void Confirm(string button) =>
        _dialogs.WaitForElements("button").Single(b => b.TextContent.Trim() == button).Click();

    [Fact]
    public async Task An_address_is_shown_once_a_new_one_replaces_it_after_asking_and_revoking_ends_it()
    {
        var page = RenderPage();
        Assert.Contains("no feed address", page.WaitForElement("[data-testid=feed-status]").TextContent);

        page.Find("[data-testid=create-feed]").Click();
        var first = page.WaitForElement("[data-testid=feed-address] input").GetAttribute("value")!;
        Assert.Matches("^http://localhost/calendar/[A-Za-z0-9_-]{43}\\.ics$", first);
        Assert.StartsWith("BEGIN:VCALENDAR", await FeedOfAsync(first));

        // Making another asks first, because subscribed calendars stop receiving the old one.
        page.Find("[data-testid=create-feed]").Click();
        Confirm("Make a new address");
        page.WaitForAssertion(() => Assert.NotEqual(first, page.Find("[data-testid=feed-address] input").GetAttribute("value")));
        var second = page.Find("[data-testid=feed-address] input").GetAttribute("value")!;
        Assert.Null(await FeedOfAsync(first));
        Assert.NotNull(await FeedOfAsync(second));

        page.Find("[data-testid=revoke-feed]").Click();
        Confirm("Keep it");
        Assert.NotNull(await FeedOfAsync(second));
        page.Find("[data-testid=revoke-feed]").Click();
        Confirm("Revoke");
        page.WaitForAssertion(() => Assert.Contains("no feed address", page.Find("[data-testid=feed-status]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=feed-address]"));
        Assert.Null(await FeedOfAsync(second));
        var actions = await InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().AuditEvents
            .Where(e => e.EntityType == nameof(CalendarFeedToken) && e.ActorUsername == Owner.Username).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());
        Assert.Equal(["calendar-feed.created", "calendar-feed.replaced", "calendar-feed.revoked"], actions);
    }
}
