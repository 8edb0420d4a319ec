using System.Security.Claims;
using Bunit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Approvals;

/// <summary>
/// An approvals page over the demo database with the real workflow services, signed in as one persona, with the dialog
/// and snackbar providers the pages confirm and report through. Each test makes the requests it acts on.
/// </summary>
public abstract class ApprovalPageTest(PortalDatabase database) : BunitTest
{
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; private set; } = null!;

    protected IRenderedComponent<MudSnackbarProvider> Snackbars { get; private set; } = null!;

    protected Persona Persona { get; private set; } = null!;

    /// <summary>Signs in as <paramref name="username"/>, with the policies the portal would grant that persona's role.</summary>
    protected void SignIn(string username)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        Persona = DemoPersonas.Find(username)!;
        var authorization = Context.AddAuthorization();
        authorization.SetAuthorized(Persona.DisplayName);
        authorization.SetClaims(new Claim(PortalClaims.ObjectId, Persona.ObjectId.ToString()), new Claim(PortalClaims.Name, Persona.DisplayName),
            new Claim(PortalClaims.PreferredUsername, Persona.Username), new Claim(PortalClaims.Roles, Persona.Role));
        authorization.SetPolicies(Persona.Role switch
        {
            Roles.ComplianceOfficer => [Policies.Reader, Policies.Approver, Policies.PromotionDecider, Policies.PolicyEditor, Policies.RollbackParticipant],
            Roles.ModelOwner => [Policies.Reader, Policies.ModelOwner, Policies.PromotionDecider, Policies.RollbackParticipant],
            Roles.Auditor => [Policies.Reader, Policies.AuditReader],
            _ => [Policies.Reader],
        });
        Dialogs = Context.Render<MudDialogProvider>();
        Snackbars = Context.Render<MudSnackbarProvider>();
    }

    protected async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    protected Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work) => InScopeAsync(sp => work(sp.GetRequiredService<GovernanceDbContext>()));

    protected static ClaimsPrincipal Principal(string username)
    {
        var persona = DemoPersonas.Find(username)!;
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(PortalClaims.PreferredUsername, persona.Username), new Claim(PortalClaims.Roles, persona.Role)], "test"));
    }

    /// <summary>Gives the version the demo's complete sepsis card, so that the card gate passes.</summary>
    protected Task CompleteCardAsync(string owner, string key, string version) => InScopeAsync(async sp =>
    {
        var db = sp.GetRequiredService<GovernanceDbContext>();
        var cards = sp.GetRequiredService<ModelCardService>();
        var card = (await cards.CurrentAsync((await RegistryQueries.FindVersionAsync(db, "sepsis-early-warning", "1.1.0"))!)).Card;
        var caller = await sp.GetRequiredService<RegistryService>().CallerAsync(Principal(owner));
        var saved = await cards.SaveAsync(caller, (await RegistryQueries.FindVersionAsync(db, key, version))!, card, null, null, "card.replaced");
        Assert.True(saved.Failure is null, saved.Failure?.Message);
        return true;
    });

    /// <summary>A request by <paramref name="owner"/> for the version, its card completed first.</summary>
    protected async Task<Guid> RequestAsync(string owner, string key, string version, Stage target, string justification = "Pilot went well.")
    {
        await CompleteCardAsync(owner, key, version);
        return await InScopeAsync(async sp =>
        {
            var found = await RegistryQueries.FindVersionAsync(sp.GetRequiredService<GovernanceDbContext>(), key, version);
            var caller = await sp.GetRequiredService<RegistryService>().CallerAsync(Principal(owner));
            var outcome = await sp.GetRequiredService<PromotionService>().RequestAsync(caller, found!, target, justification);
            Assert.True(outcome.Promotion is not null, outcome.Failure?.Message);
            return outcome.Promotion!.Id;
        });
    }

    /// <summary><paramref name="by"/> decides on the request through the service, as the API would.</summary>
    protected Task<PromotionOutcome> DecideAsync(string by, Guid id, Verdict verdict, string? comment = null) => InScopeAsync(async sp =>
        await sp.GetRequiredService<PromotionService>().DecideAsync(await sp.GetRequiredService<RegistryService>().CallerAsync(Principal(by)), id, verdict, comment));

    protected Task<Stage> StageAsync(string key, string version) => DbAsync(async db => (await RegistryQueries.FindVersionAsync(db, key, version))!.Stage);

    protected string Uri => Context.Services.GetRequiredService<NavigationManager>().Uri;

    /// <summary>Confirms the dialog the page opened.</summary>
    protected void ConfirmDialog() => Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();
}
