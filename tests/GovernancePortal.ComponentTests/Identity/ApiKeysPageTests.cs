using Bunit;
using GovernancePortal.Audit;
using GovernancePortal.Components.Pages.Admin;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Identity;

/// <summary>The Admin's API keys page: field errors, a key shown once, and revocation behind a confirmation, each audited as the Admin.</summary>
public sealed class ApiKeysPageTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;
    private bool _servicesAdded;

    private IRenderedComponent<ApiKeys> RenderPage()
    {
        AddServices();
        return Render<ApiKeys>();
    }

    private void AddServices()
    {
        if (!_servicesAdded)
        {
            AuditTestServices.Add(Context, database, "admin@demo.test");
            Context.Render<MudPopoverProvider>();
            Context.Render<MudSnackbarProvider>();
            _dialogs = Context.Render<MudDialogProvider>();
            _servicesAdded = true;
        }
    }

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    private async Task<Guid> IssueAsync(string label)
    {
        AddServices();
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<GovernanceDbContext>().Users.SingleAsync(u => u.Username == "owner@demo.test");
        return (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync(user, label, "cli")).Key.Id;
    }

    [Fact]
    public async Task Creating_without_a_person_or_label_shows_both_errors_at_their_fields_and_saves_nothing()
    {
        var page = RenderPage();
        var before = await DbAsync(db => db.ApiKeys.CountAsync());

        page.WaitForElement("[data-testid=create-key-button]").Click();

        page.WaitForAssertion(() => Assert.Contains("Give the key a label.", page.Find("[data-testid=create-key]").TextContent));
        Assert.Contains("Choose the person the key acts as.", page.Find("[data-testid=create-key]").TextContent);
        Assert.Equal(before, await DbAsync(db => db.ApiKeys.CountAsync()));
    }

    [Fact]
    public async Task A_created_key_is_shown_once_listed_and_audited_as_the_admin()
    {
        var page = RenderPage();
        page.WaitForElement("[data-testid=key-label] input").Change("bunit-pipeline");
        // The person is chosen as the select's value is bound; its popover list is MudBlazor's to test.
        var select = page.FindComponent<MudSelect<string>>().Instance;
        await page.InvokeAsync(() => select.ValueChanged.InvokeAsync("owner@demo.test"));

        page.Find("[data-testid=create-key-button]").Click();

        var secret = page.WaitForElement("[data-testid=issued-secret]").TextContent;
        Assert.StartsWith("gp_", secret);
        var key = await DbAsync(db => db.ApiKeys.Include(k => k.User).SingleAsync(k => k.Label == "bunit-pipeline"));
        Assert.Equal("owner@demo.test", key.User.Username);
        page.WaitForElement($"[data-testid=key-row][data-key='{key.Id}'][data-active=true]");
        var created = await DbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "apikey.created" && e.EntityId == key.Id.ToString()));
        Assert.Equal(("admin@demo.test", Roles.Admin), (created.ActorUsername, created.ActorRoles));
    }

    [Fact]
    public async Task Revoking_asks_first_and_cancelling_revokes_nothing()
    {
        var id = await IssueAsync("bunit-cancelled");
        var page = RenderPage();

        page.WaitForElement($"[data-testid=key-row][data-key='{id}']").Closest("tr")!.QuerySelector("[data-testid=revoke]")!.Click();
        _dialogs.WaitForAssertion(() => Assert.Contains("bunit-cancelled", _dialogs.Markup));
        _dialogs.Find("[data-testid=cancel-revocation]").Click();

        _dialogs.WaitForAssertion(() => Assert.Empty(_dialogs.FindAll("[data-testid=confirm-revocation-button]")));
        Assert.Null(await DbAsync(db => db.ApiKeys.Where(k => k.Id == id).Select(k => k.RevokedAt).SingleAsync()));
        Assert.Equal(0, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "apikey.revoked" && e.EntityId == id.ToString())));
    }

    [Fact]
    public async Task Confirming_revokes_the_key_once_audited_as_the_admin()
    {
        var id = await IssueAsync("bunit-revoked");
        var page = RenderPage();

        page.WaitForElement($"[data-testid=key-row][data-key='{id}']").Closest("tr")!.QuerySelector("[data-testid=revoke]")!.Click();
        _dialogs.WaitForElement("[data-testid=confirm-revocation-button]").Click();

        page.WaitForAssertion(() => Assert.Equal("false", page.Find($"[data-testid=key-row][data-key='{id}']").GetAttribute("data-active")));
        Assert.NotNull(await DbAsync(db => db.ApiKeys.Where(k => k.Id == id).Select(k => k.RevokedAt).SingleAsync()));
        var revoked = await DbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "apikey.revoked" && e.EntityId == id.ToString()));
        Assert.Equal("admin@demo.test", revoked.ActorUsername);
    }
}
