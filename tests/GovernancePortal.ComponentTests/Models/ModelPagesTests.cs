using Bunit;
using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Models;

/// <summary>
/// The model and version pages over the demo database: the open tab lives in the address (and a tab change while the page
/// closes is ignored, not thrown), an admin reassigns ownership audited as the admin, and the version page shows the gates
/// of the next stages with request links for those who may ask, and the requests made.
/// </summary>
public sealed class ModelPagesTests(PortalDatabase database) : RegistryPageTest(database), IClassFixture<PortalDatabase>
{
    private IRenderedComponent<IComponent> RenderModel(string key, string query = "") =>
        Render<ModelPage>(new() { ["Key"] = key }, $"http://localhost/models/{key}{query}");

    private IRenderedComponent<IComponent> RenderVersion(string key, string version, string query = "") =>
        Render<VersionPage>(new() { ["Key"] = key, ["Version"] = version }, $"http://localhost/models/{key}/versions/{version}{query}");

    private static string ActiveTab(IRenderedComponent<IComponent> page) => page.Find(".mud-tab.mud-tab-active").TextContent.Trim();

    [Fact]
    public async Task The_open_tab_comes_from_the_address_goes_into_it_and_an_unknown_one_reads_as_the_first()
    {
        SignIn("viewer@demo.test");
        var key = await RegisterAsync(NewKey("tabs"));

        var versions = RenderModel(key, "?tab=versions");
        await WaitAsync(versions, () => Assert.StartsWith("Versions (1)", ActiveTab(versions)));
        Assert.Equal("1.0.0", versions.Find("[data-testid=versions] tbody td a").TextContent);
        Assert.Equal($"/models/{key}/versions/1.0.0", versions.Find("[data-testid=versions] tbody td a").GetAttribute("href"));

        var unknown = RenderModel(key, "?tab=not-a-value");
        await WaitAsync(unknown, () => Assert.Equal("Overview", ActiveTab(unknown)));
        Assert.Equal("No", unknown.Find("dd[data-testid=eu-data-subjects]").TextContent);

        unknown.FindAll(".mud-tab")[2].Click();
        await WaitAsync(unknown, () => Assert.EndsWith($"/models/{key}?tab=card", Uri));
        Assert.Equal("Model card", ActiveTab(unknown));
        Assert.Contains("the newest version", unknown.Find("[data-testid=card-version]").TextContent);
        unknown.FindAll(".mud-tab")[0].Click();
        await WaitAsync(unknown, () => Assert.EndsWith($"/models/{key}", Uri));
    }

    [Fact]
    public async Task A_tab_change_reported_while_the_page_closes_or_after_it_left_is_ignored()
    {
        SignIn("viewer@demo.test");
        var key = await RegisterAsync(NewKey("closing"));
        var page = RenderVersion(key, "1.0.0", "?tab=history");
        await WaitAsync(page, () => Assert.Equal("Stage history", ActiveTab(page)));
        var tabs = page.FindComponent<MudTabs>();

        // Out of range, as MudTabs reports while its panels go one by one.
        await tabs.InvokeAsync(() => tabs.Instance.ActivePanelIndexChanged.InvokeAsync(99));
        await tabs.InvokeAsync(() => tabs.Instance.ActivePanelIndexChanged.InvokeAsync(-1));
        Assert.EndsWith("?tab=history", Uri);
        // The address already names another page: the old page does not pull it back.
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/approvals");
        await tabs.InvokeAsync(() => tabs.Instance.ActivePanelIndexChanged.InvokeAsync(1));
        Assert.Equal("http://localhost/approvals", Uri);

        await Context.DisposeComponentsAsync();
        Assert.Equal("http://localhost/approvals", Uri);
    }

    [Fact]
    public async Task An_admin_reassigns_ownership_after_confirming_the_team_follows_and_the_audit_names_the_admin()
    {
        SignIn("admin@demo.test");
        var key = await RegisterAsync(NewKey("reassign"));
        var page = RenderModel(key);
        await WaitAsync(page, () => page.Find("[data-testid=ownership]"));

        var picker = page.FindComponent<MudAutocomplete<UserAccount>>();
        var owner2 = await DbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Username == "owner2@demo.test"));
        await picker.InvokeAsync(() => picker.Instance.SelectOptionAsync(owner2));
        page.Find("[data-testid=reassign]").Click();
        Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();

        await WaitAsync(page, () => Assert.Equal("owner2@demo.test", page.Find("dd[data-testid=owner]").TextContent));
        Assert.Equal("Clinical AI", page.Find("dd[data-testid=team]").TextContent);
        Assert.Contains(Snackbars, s => (s.Message ?? "").Contains("now belongs to owner2@demo.test (Clinical AI)"));
        var model = await StoredAsync(key);
        Assert.Equal(("owner2@demo.test", "Clinical AI"), (model.Owner, model.Team));
        var audit = Assert.Single(await DbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == "model.ownership-reassigned" && e.EntityId == model.Id.ToString()).ToListAsync()));
        Assert.Equal("admin@demo.test", audit.ActorUsername);
    }

    [Fact]
    public async Task Owners_see_no_ownership_form_and_the_search_offers_only_model_owners()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("noadmin"));
        var page = RenderModel(key);
        await WaitAsync(page, () => page.Find("[data-testid=edit-model]"));

        Assert.Empty(page.FindAll("[data-testid=ownership]"));
        // The service refuses an owner all the same: the page is not what keeps them out.
        var refused = await InScopeAsync(sp => sp.GetRequiredService<RegistryService>().ReassignAsync(
            new Caller("owner@demo.test", [Roles.ModelOwner], "Credit Risk Analytics"), key, "owner2@demo.test"));
        Assert.Equal(FailureKind.Forbidden, refused.Failure?.Kind);
        var people = await InScopeAsync(sp => sp.GetRequiredService<RegistryReads>().PeopleAsync("demo", modelOwnersOnly: true));
        Assert.Equal(["owner@demo.test", "owner2@demo.test"], people.Select(p => p.Username).Order());
        Assert.Equal(["compliance@demo.test", "compliance2@demo.test"],
            (await InScopeAsync(sp => sp.GetRequiredService<RegistryReads>().PeopleAsync("complian"))).Select(p => p.Username).Order());
    }

    [Fact]
    public async Task The_owner_sees_the_next_stages_gates_with_request_links_and_the_requests_made()
    {
        SignIn("owner@demo.test");
        var key = await RegisterAsync(NewKey("gates"));
        var page = RenderVersion(key, "1.0.0", "?tab=gates");
        await WaitAsync(page, () => Assert.Equal("Gates and approvals", ActiveTab(page)));

        // The card is empty: its gate blocks, and the link opens the request page that says why.
        var staging = page.Find("[data-testid=gates-Staging]");
        Assert.Contains("under policy version", staging.TextContent);
        Assert.NotEmpty(staging.QuerySelectorAll("[data-testid=gates] li.gate-block"));
        Assert.Contains("Open the request to Staging", page.Find("[data-testid=request-Staging]").TextContent);
        Assert.Equal($"/models/{key}/versions/1.0.0/promote?target=Staging", page.Find("[data-testid=request-Staging]").GetAttribute("href"));
        Assert.Equal($"/models/{key}/versions/1.0.0/promote?target=Production", page.Find("[data-testid=request-Production]").GetAttribute("href"));
        Assert.Contains("No requests yet", page.Find("[data-testid=version-requests]").TextContent);

        // With the demo's complete sepsis card the Staging gates pass; a request made then shows, and no second one is offered while it waits.
        var id = await InScopeAsync(async sp =>
        {
            var reads = sp.GetRequiredService<RegistryReads>();
            var cards = sp.GetRequiredService<ModelCardService>();
            var caller = new Caller("owner@demo.test", [Roles.ModelOwner], "Credit Risk Analytics");
            var card = (await cards.CurrentAsync((await reads.VersionAsync("sepsis-early-warning", "1.1.0"))!)).Card;
            Assert.Null((await cards.SaveAsync(caller, (await reads.VersionAsync(key, "1.0.0"))!, card, null, null, "card.replaced")).Failure);
            var outcome = await sp.GetRequiredService<PromotionService>().RequestAsync(caller, (await reads.VersionAsync(key, "1.0.0"))!, Stage.Staging, "Ready for the pilot.");
            Assert.True(outcome.Promotion is not null, outcome.Failure?.Message);
            return outcome.Promotion!.Id;
        });
        var again = RenderVersion(key, "1.0.0", "?tab=gates");
        await WaitAsync(again, () => again.Find("[data-testid=pending-request]"));
        Assert.Equal($"/approvals/{id}", again.Find("[data-testid=pending-request] a").GetAttribute("href"));
        Assert.Single(again.FindAll("[data-testid=version-request]"));
        Assert.Empty(again.FindAll("[data-testid=request-Staging], [data-testid=request-Production]"));
        Assert.Equal("Registered", again.Find("[data-testid=stage-change] td:nth-child(3)").TextContent.Trim());
    }

    [Fact]
    public async Task A_reader_sees_the_gates_but_no_request_links()
    {
        SignIn("viewer@demo.test");
        var key = await RegisterAsync(NewKey("reader"));
        var page = RenderVersion(key, "1.0.0", "?tab=gates");
        await WaitAsync(page, () => page.Find("[data-testid=gates-Production]"));

        Assert.Empty(page.FindAll("[data-testid=request-Staging], [data-testid=request-Production], [data-testid=request-promotion]"));
        Assert.Contains("Loan pricing 1.0.0", page.Find("h1").TextContent);
    }
}
