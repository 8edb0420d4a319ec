using System.Security.Claims;
using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Notifications;

/// <summary>The signed-in person's preferences page over the real service: defaults shown, a choice saved and audited.</summary>
public sealed class PreferencesPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly Persona Owner = DemoPersonas.Find("owner@demo.test")!;

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> read)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    [Fact]
    public async Task Defaults_are_shown_and_a_changed_choice_is_saved_for_the_person_and_audited()
    {
        database.AddServices(Context.Services, TimeProvider.System);
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(Owner.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, Owner.ObjectId.ToString()), new Claim(PortalClaims.Name, Owner.DisplayName),
            new Claim(PortalClaims.PreferredUsername, Owner.Username), new Claim(PortalClaims.Roles, Owner.Role));
        Context.Render<MudPopoverProvider>();
        var snackbars = Context.Render<MudSnackbarProvider>();
        var page = Render<PreferencesPage>();

        // Waiting on you: immediately; news: the digest.
        page.WaitForElement("[data-testid='kind-promotion.needs-approval']");
        Assert.True(page.Find("[data-testid='kind-promotion.needs-approval'] input[data-testid=immediately]").HasAttribute("checked"));
        Assert.True(page.Find("[data-testid='kind-promotion.approved'] input[data-testid=digest]").HasAttribute("checked"));
        Assert.False(page.Find("[data-testid='kind-promotion.approved'] input[data-testid=immediately]").HasAttribute("checked"));
        Assert.Contains("E-mail is off", page.Find("[data-testid=email-off]").TextContent);

        page.Find("[data-testid='kind-promotion.approved'] input[data-testid=off]").Click();
        page.Find("[data-testid='kind-checklist.submitted'] input[data-testid=digest]").Click();
        page.Find("[data-testid=save-preferences]").Click();

        await page.WaitForAssertionAsync(async () =>
        {
            var stored = await DbAsync(db => db.NotificationPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.Username == Owner.Username));
            Assert.NotNull(stored);
            Assert.Equal((DeliveryMode.Off, DeliveryMode.Digest, DeliveryMode.Immediately),
                (stored.ModeFor("promotion.approved"), stored.ModeFor("checklist.submitted"), stored.ModeFor("promotion.needs-approval")));
        });
        snackbars.WaitForAssertion(() => Assert.Contains("saved", snackbars.Markup));
        var audited = await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == NotificationPreferences.ChangedAction && e.ActorUsername == Owner.Username));
        Assert.Equal(1, audited);
    }
}
