using Bunit;
using GovernancePortal.Components.Pages.Compliance;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using GovernancePortal.Registry;
using MudBlazor;
using static GovernancePortal.Compliance.ComplianceTestData;

namespace GovernancePortal.Compliance;

/// <summary>The template item editor over the real template service: errors at their fields, publishing confirmed and audited as the officer, a stale page refused.</summary>
public sealed class TemplatePagesTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private IRenderedComponent<MudDialogProvider> _dialogs = null!;

    private IRenderedComponent<TemplateItemEditor> Open(string templateId, string query)
    {
        database.AddServices(Context.Services, TimeProvider.System);
        Context.SignIn(Officer);
        Context.Render<MudPopoverProvider>();
        _dialogs = Context.Render<MudDialogProvider>();
        Context.Render<MudSnackbarProvider>();
        var page = Render<TemplateItemEditor>(new() { [nameof(TemplateItemEditor.TemplateId)] = templateId },
            $"http://localhost/compliance/templates/{templateId}/edit?{query}");
        page.WaitForElement("[data-testid=publish]", Wait);
        return page;
    }

    private void Publish(IRenderedComponent<TemplateItemEditor> page)
    {
        page.Find("[data-testid=publish]").Click();
        _dialogs.WaitForElement("[data-testid=confirm-action]", Wait).Click();
    }

    private Task<int> VersionsAsync(string templateId) =>
        Context.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().ChecklistTemplateVersions.CountAsync(t => t.TemplateId == templateId));

    [Fact]
    public async Task A_rule_that_does_not_parse_is_shown_at_its_field_and_nothing_is_published()
    {
        var page = Open("hipaa", "item=hipaa-164-312-b-audit-controls");
        Assert.Equal("hipaa-164-312-b-audit-controls", page.Find("[data-testid=item-id]").TextContent);
        var before = await VersionsAsync("hipaa");

        page.Find("[data-testid=item-applies-when] input").Change("data has PII");
        page.Find("[data-testid=change-note] textarea").Change("Narrow it.");
        Publish(page);

        page.WaitForAssertion(() => Assert.Contains("expected a data category", page.Find("[data-testid=item-applies-when]").TextContent), Wait);
        Assert.Equal("data has PII", page.Find("[data-testid=item-applies-when] input").GetAttribute("value"));
        Assert.Equal(before, await VersionsAsync("hipaa"));
    }

    [Fact]
    public async Task Publishing_creates_the_next_version_audited_as_the_officer()
    {
        const string item = "nist-ai-rmf-govern-1-6-inventory";
        var page = Open("nist-ai-rmf", $"item={item}");
        var before = await VersionsAsync("nist-ai-rmf");

        page.Find("[data-testid=item-text] input").Change("Inventory the AI system, with its owner and purpose");
        page.Find("[data-testid=change-note] textarea").Change("Say what the inventory records.");
        Publish(page);
        await page.WaitForAssertionAsync(async () => Assert.Equal(before + 1, await VersionsAsync("nist-ai-rmf")), Wait);
        var stored = await Context.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().ChecklistTemplateVersions.AsNoTracking().Include(t => t.Items)
            .Where(t => t.TemplateId == "nist-ai-rmf").OrderByDescending(t => t.Version).FirstAsync());
        Assert.Equal(("portal", Officer.Username, "Say what the inventory records."), (stored.Source, stored.CreatedBy, stored.ChangeNote));
        Assert.Equal("Inventory the AI system, with its owner and purpose", stored.Items.Single(i => i.ItemId == item).Text);
        var actor = await Context.InScopeAsync(sp => sp.GetRequiredService<GovernanceDbContext>().AuditEvents
            .Where(e => e.Action == "checklist-template.version-published" && e.EntityId == stored.Id.ToString()).Select(e => e.ActorUsername).SingleAsync());
        Assert.Equal(Officer.Username, actor);
    }

    [Fact]
    public async Task A_page_opened_before_someone_else_published_is_refused_not_published_over_their_version()
    {
        var page = Open("eu-ai-act", "");
        var before = await VersionsAsync("eu-ai-act");
        var other = new Caller("compliance2@demo.test", [Identity.Roles.ComplianceOfficer], null);
        await Context.InScopeAsync(async sp =>
        {
            var templates = sp.GetRequiredService<TemplateEditing>().ActingAs(ActorOf(other));
            var latest = (await templates.VersionsAsync("eu-ai-act"))[^1];
            var items = latest.ToTemplate().Items.Select(i => new ItemDraft(i.Id, i.Text + ".", i.Guidance, i.Citation, i.Evidence, i.Obligation, i.AppliesWhen?.ToString())).ToList();
            var published = await templates.PublishAsync(other, "eu-ai-act", latest.Version, new TemplateVersionDraft(null, null, null, null, items, "Full stops."));
            Assert.Null(published.Failure);
            return true;
        });

        page.Find("[data-testid=item-id-field] input").Change("eu-ai-act-extra-duty");
        page.Find("[data-testid=item-text] input").Change("Do more");
        page.Find("[data-testid=item-guidance] textarea").Change("More.");
        page.Find("[data-testid=item-citation] input").Change("EU AI Act Art. 99");
        page.Find("[data-testid=change-note] textarea").Change("Add one.");
        Publish(page);
        page.WaitForAssertion(() => Assert.Contains("was published by compliance2@demo.test", page.Find("[data-testid=form-problem]").TextContent), Wait);
        Assert.Equal(before + 1, await VersionsAsync("eu-ai-act"));
    }
}
