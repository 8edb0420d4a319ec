using System.Security.Claims;
using Bunit;
using GovernancePortal.Components.Pages.Notifications;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Notifications;

/// <summary>A person's inbox over real notification rows: new, read and done told apart, marking read, and the empty views.</summary>
public sealed class NotificationsPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private bool _servicesAdded;

    private void AddServices(string username)
    {
        if (_servicesAdded)
        {
            return;
        }
        database.AddServices(Context.Services, TimeProvider.System);
        var persona = DemoPersonas.Find(username)!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, persona.ObjectId.ToString()), new Claim(PortalClaims.Name, persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, persona.Username), new Claim(PortalClaims.Roles, persona.Role));
        Context.Render<MudPopoverProvider>();
        Context.Render<MudSnackbarProvider>();
        _servicesAdded = true;
    }

    private async Task<T> ScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>Sends one notification pointing at <paramref name="link"/> to <paramref name="recipient"/>, as the notifier does.</summary>
    private Task<Guid> SendAsync(string recipient, string title, string link) => ScopeAsync(async services =>
    {
        var db = services.GetRequiredService<GovernanceDbContext>();
        services.GetRequiredService<Notifier>().Send([recipient], new NotificationMessage("promotion.needs-approval", title, "Please decide.", link));
        await db.SaveChangesAsync();
        return await db.Notifications.Where(n => n.Title == title).Select(n => n.Id).SingleAsync();
    });

    private Task SettleAsync(string link, string? recipient = null) => ScopeAsync(async services =>
    {
        await services.GetRequiredService<Notifier>().SettleAsync(link, CancellationToken.None, recipient);
        return await services.GetRequiredService<GovernanceDbContext>().SaveChangesAsync();
    });

    [Fact]
    public async Task A_notification_whose_matter_was_settled_is_shown_done_not_merely_read_and_leaves_the_not_done_view()
    {
        AddServices("compliance2@demo.test");
        var settledLink = $"/approvals/{Guid.NewGuid()}";
        var openLink = $"/approvals/{Guid.NewGuid()}";
        var settled = await SendAsync("compliance2@demo.test", "Approval needed: settled", settledLink);
        var open = await SendAsync("compliance2@demo.test", "Approval needed: open", openLink);
        await SettleAsync(settledLink);

        var page = Render<NotificationsPage>(uri: "http://localhost/notifications");

        var done = page.WaitForElement($"[data-testid=notification][data-id='{settled}']");
        Assert.Equal("true", done.GetAttribute("data-done"));
        Assert.Equal("false", done.GetAttribute("data-unread"));
        Assert.NotNull(done.QuerySelector("[data-testid=done]"));
        var waiting = page.Find($"[data-testid=notification][data-id='{open}']");
        Assert.Equal("false", waiting.GetAttribute("data-done"));
        Assert.NotNull(waiting.QuerySelector("[data-testid=new]"));

        var notDone = Render<NotificationsPage>(uri: "http://localhost/notifications?show=open");
        notDone.WaitForElement($"[data-testid=notification][data-id='{open}']");
        Assert.Empty(notDone.FindAll($"[data-testid=notification][data-id='{settled}']"));
    }

    [Fact]
    public async Task One_approvers_decision_settles_only_their_own_call_to_decide()
    {
        AddServices("compliance@demo.test");
        var link = $"/approvals/{Guid.NewGuid()}";
        var mine = await SendAsync("compliance@demo.test", "Approval needed: mine", link);
        var theirs = await SendAsync("compliance2@demo.test", "Approval needed: theirs", link);

        await SettleAsync(link, "compliance@demo.test");

        var rows = await ScopeAsync(s => s.GetRequiredService<GovernanceDbContext>().Notifications.AsNoTracking().Where(n => n.Link == link).ToListAsync());
        Assert.NotNull(rows.Single(n => n.Id == mine).DoneAt);
        Assert.Null(rows.Single(n => n.Id == theirs).DoneAt);
        Assert.Null(rows.Single(n => n.Id == theirs).ReadAt);
    }

    [Fact]
    public async Task Marking_one_read_keeps_it_listed_as_read_and_saves_it()
    {
        AddServices("owner2@demo.test");
        var id = await SendAsync("owner2@demo.test", "Approval given: read me", $"/approvals/{Guid.NewGuid()}");
        var unread = Render<NotificationsPage>(uri: "http://localhost/notifications?unread=true");
        unread.WaitForElement($"[data-testid=notification][data-id='{id}']");
        var page = Render<NotificationsPage>(uri: "http://localhost/notifications");

        page.WaitForElement($"[data-testid=notification][data-id='{id}']");
        page.Find($"[data-testid=notification][data-id='{id}'] [data-testid=mark-read]").Click();

        page.WaitForAssertion(() => Assert.Equal("false", page.Find($"[data-testid=notification][data-id='{id}']").GetAttribute("data-unread")));
        Assert.NotNull(await ScopeAsync(s => s.GetRequiredService<GovernanceDbContext>().Notifications.Where(n => n.Id == id).Select(n => n.ReadAt).SingleAsync()));
    }

    [Fact]
    public void Someone_without_notifications_sees_an_empty_state_in_every_view()
    {
        AddServices("viewer@demo.test");
        foreach (var (uri, title) in new[] { ("/notifications", "Nothing here"), ("/notifications?show=unread", "Nothing unread"), ("/notifications?show=open", "Nothing waiting to be done") })
        {
            var page = Render<NotificationsPage>(uri: "http://localhost" + uri);
            page.WaitForAssertion(() => Assert.Contains(title, page.Find(".empty-state").TextContent));
            Assert.All(page.FindAll("time[datetime]"), t => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$", t.GetAttribute("datetime")!));
        }
    }
}
