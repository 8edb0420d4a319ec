using Bunit;
using GovernancePortal.Components.Pages.Approvals;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>The policy list, history and editor over the stored policies, with the real policy store on SQLite.</summary>
public sealed class PolicyPagesTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IRenderedComponent<PolicyEditor> Editor(string stage, string tier) =>
        Render<PolicyEditor>(new() { [nameof(PolicyEditor.StageText)] = stage, [nameof(PolicyEditor.TierText)] = tier },
            $"http://localhost/approvals/policies/{stage}/{tier}/edit");

    private Task<PromotionPolicyVersion> CurrentAsync(Registry.Stage stage, Registry.RiskTier tier) =>
        InScopeAsync(async sp => (await sp.GetRequiredService<PromotionPolicyStore>().LatestRowAsync(stage, tier))!);

    [Fact]
    public async Task An_officer_publishes_the_next_version_through_the_dialog_and_the_trail_names_them()
    {
        SignIn("compliance@demo.test");
        var before = await CurrentAsync(Registry.Stage.Production, Registry.RiskTier.Minimal);
        var page = Editor("Production", "Minimal");
        await page.WaitForAssertionAsync(() => Assert.Equal(before.Version.ToString(), page.Find("[data-testid=current-version]").TextContent), Patience);

        page.Find("#completeness").Change("65");
        page.Find("#approvals-owner").Change("1");
        page.Find("#change-note").Change("Owners co-sign minimal-risk releases.");
        page.Find("[data-testid=save-policy]").Click();
        Dialogs.WaitForAssertion(() => Assert.Contains($"Publish version {before.Version + 1}?", Dialogs.Markup));
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.EndsWith("/approvals/policies/Production/Minimal/versions", Uri), Patience);
        var after = await CurrentAsync(Registry.Stage.Production, Registry.RiskTier.Minimal);
        Assert.Equal(before.Version + 1, after.Version);
        Assert.Equal(65, after.Policy().MinimumCardCompleteness);
        Assert.Equal([new RequiredApproval("ComplianceOfficer", 1), new RequiredApproval("ModelOwner", 1)], after.Policy().RequiredApprovals);
        Assert.Equal(before.Policy().AllowedFromStages, after.Policy().AllowedFromStages);
        Assert.Equal("compliance@demo.test", await DbAsync(db => db.AuditEvents.Where(e => e.Action == "policy.changed" && e.EntityId == $"Production/Minimal/{after.Version}")
            .Select(e => e.ActorUsername).SingleAsync()));
        Assert.Contains("Saved as version", Snackbars.Markup);

        var history = Render<PolicyHistory>(new() { [nameof(PolicyHistory.StageText)] = "Production", [nameof(PolicyHistory.TierText)] = "Minimal" });
        await history.WaitForAssertionAsync(() => Assert.Contains("Owners co-sign", history.Find($"[data-testid=policy-version-{after.Version}] [data-testid=change-note]").TextContent), Patience);
        Assert.Equal([PolicyFields.RequiredApprovals, PolicyFields.MinimumCardCompleteness],
            history.FindAll($"[data-testid=policy-version-{after.Version}] [data-testid=policy-changes] tr[data-field]").Select(r => r.GetAttribute("data-field")));
    }

    [Fact]
    public async Task Errors_show_at_their_fields_and_nothing_is_saved()
    {
        SignIn("admin@demo.test");
        var before = await CurrentAsync(Registry.Stage.Production, Registry.RiskTier.Limited);
        var events = await DbAsync(db => db.AuditEvents.CountAsync());
        var page = Editor("Production", "Limited");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=save-policy]")), Patience);

        // No change note: asked for at the field before anything is published.
        page.Find("[data-testid=save-policy]").Click();
        await page.WaitForAssertionAsync(() => Assert.Contains("Say what changed", page.Find(".mud-input-control.mud-input-error").TextContent), Patience);
        Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]"));

        // Every "promoted from" stage unticked: the store refuses, and says so by the field.
        foreach (var stage in before.Policy().AllowedFromStages)
        {
            var box = page.Find($"[data-testid=from-{stage}]");
            (box.TagName == "INPUT" ? box : box.QuerySelector("input")!).Change(false);
        }
        page.Find("#change-note").Change("Nothing may be promoted.");
        page.Find("[data-testid=save-policy]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("At least one stage", page.Find($"[data-field={PolicyFields.AllowedFromStages}]").TextContent), Patience);
        Assert.NotNull(page.Find("[data-testid=problem]"));
        Assert.Equal("Nothing may be promoted.", page.Find("#change-note").GetAttribute("value") ?? page.Find("#change-note").TextContent);
        Assert.Equal(before.Version, (await CurrentAsync(Registry.Stage.Production, Registry.RiskTier.Limited)).Version);
        Assert.Equal(events, await DbAsync(db => db.AuditEvents.CountAsync()));
    }

    [Fact]
    public async Task Publishing_on_top_of_a_version_someone_else_just_saved_shows_what_changed_and_keeps_the_edit()
    {
        SignIn("compliance@demo.test");
        var basedOn = await CurrentAsync(Registry.Stage.Staging, Registry.RiskTier.Prohibited);
        var page = Editor("Staging", "Prohibited");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=save-policy]")), Patience);
        var meanwhile = await InScopeAsync(async sp =>
        {
            var caller = await sp.GetRequiredService<Registry.RegistryService>().CallerAsync(Principal("compliance2@demo.test"));
            var input = PolicyInput.From(basedOn);
            input.RequestExpiryDays = 7;
            input.ChangeNote = "Shorter expiry.";
            return await sp.GetRequiredService<PromotionPolicyStore>().SaveAsync(caller, input.Edit(Registry.Stage.Staging, Registry.RiskTier.Prohibited, basedOn.Policy()));
        });
        Assert.Null(meanwhile.Failure?.Message);

        page.Find("#completeness").Change("95");
        page.Find("#change-note").Change("My careful edit.");
        page.Find("[data-testid=save-policy]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find($"[data-testid=superseded] tr[data-field={PolicyFields.RequestExpiry}]")), Patience);
        Assert.Contains($"compliance2@demo.test saved version {basedOn.Version + 1}", page.Find("[data-testid=problem]").TextContent);
        Assert.Equal(basedOn.Version + 1, (await CurrentAsync(Registry.Stage.Staging, Registry.RiskTier.Prohibited)).Version);

        // Publishing again, with the newer version in view, builds on it with the edit as typed (its expiry included).
        page.Find("[data-testid=save-policy]").Click();
        ConfirmDialog();
        await page.WaitForAssertionAsync(() => Assert.EndsWith("/versions", Uri), Patience);
        var saved = await CurrentAsync(Registry.Stage.Staging, Registry.RiskTier.Prohibited);
        Assert.Equal((basedOn.Version + 2, 95, TimeSpan.FromDays(14)), (saved.Version, saved.Policy().MinimumCardCompleteness, saved.Policy().RequestExpiry));
    }

    [Fact]
    public async Task The_list_shows_each_current_policy_and_offers_editing_only_to_editors()
    {
        SignIn("viewer@demo.test");

        var list = Render<PolicyList>();

        await list.WaitForAssertionAsync(() => Assert.NotNull(list.Find("[data-testid=policy-Production-High]")), Patience);
        Assert.Contains(list.FindAll("[data-testid=policy-Production-High] a"), a => a.GetAttribute("href") == PolicyPages.HistoryHref(Registry.Stage.Production, Registry.RiskTier.High));
        Assert.NotNull(list.Find($"[data-testid=policy-Production-High] [data-field={PolicyFields.MinimumCardCompleteness}]"));
        Assert.Empty(list.FindAll("[data-testid=edit-policy]"));
    }
}
