using System.Text.RegularExpressions;
using Bunit;
using GovernancePortal.Components.Pages.Audit;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace GovernancePortal.Audit;

/// <summary>The auditor's trail, event and verification pages over the seeded demo trail.</summary>
public sealed partial class AuditPagesTests(PortalDatabase database) : BunitTest, IClassFixture<PortalDatabase>
{
    private IRenderedComponent<MudPopoverProvider>? _popovers;
    private IRenderedComponent<MudSnackbarProvider>? _snackbars;

    private void AddServices()
    {
        if (_popovers is null)
        {
            AuditTestServices.Add(Context, database, "auditor@demo.test");
            _popovers = Context.Render<MudPopoverProvider>();
            _snackbars = Context.Render<MudSnackbarProvider>();
        }
    }

    private async Task<T> DbAsync<T>(Func<GovernanceDbContext, Task<T>> work)
    {
        AddServices();
        await using var scope = Context.Services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<GovernanceDbContext>());
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")]
    private static partial Regex ValidDateTime();

    [Fact]
    public void The_trail_names_each_subject_by_model_key_and_version_and_links_it_instead_of_showing_its_id()
    {
        AddServices();
        var page = Render<AuditTrail>(uri: "http://localhost/audit?action=version.registered");

        var links = page.WaitForElements("[data-testid=subject-link]");
        Assert.Contains(links, a => a.TextContent.Trim() == "credit-default-pd 1.0.0" && a.GetAttribute("href") == "/models/credit-default-pd/versions/1.0.0");
        Assert.All(page.FindAll("[data-testid=audit-grid] tbody tr"), row => Assert.DoesNotMatch(Guid(), row.TextContent));
        Assert.All(page.FindAll("time[datetime]"), t => Assert.Matches(ValidDateTime(), t.GetAttribute("datetime")!));
    }

    [Fact]
    public void Promotions_checklists_and_cards_are_named_and_linked_too()
    {
        AddServices();
        foreach (var (action, href) in new[] { ("promotion.approved", "/approvals/"), ("assessment.signed-off", "/compliance/"), ("card.revised", "/card/revisions") })
        {
            var page = Render<AuditTrail>(uri: $"http://localhost/audit?action={action}");
            var link = page.WaitForElements("[data-testid=subject-link]")[0];
            Assert.Contains(href, link.GetAttribute("href"));
            Assert.DoesNotMatch(Guid(), link.TextContent);
        }
    }

    [Fact]
    public async Task Page_and_page_size_come_from_the_address_and_paging_moves_the_address()
    {
        AddServices();
        var total = await DbAsync(db => db.AuditEvents.CountAsync());
        var page = Render<AuditTrail>(uri: "http://localhost/audit?size=25&page=2");

        page.WaitForAssertion(() => Assert.Equal($"26–50 of {total} events", page.Find("[data-testid=shown]").TextContent.Trim()));
        var newest = page.FindAll("[data-testid=event-link]").Select(a => long.Parse(a.TextContent)).First();
        Assert.Equal(total - 25, newest);
        page.FindAll("[data-testid=pages] button").First(b => b.TextContent.Trim() == "3").Click();
        Assert.Contains("page=3", Context.Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Contains("size=25", Context.Services.GetRequiredService<NavigationManager>().Uri);

        // A new filter starts again at the first page, keeping the page size.
        var text = page.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Text").Instance;
        await page.InvokeAsync(() => text.ValueChanged.InvokeAsync("sepsis"));
        var uri = Context.Services.GetRequiredService<NavigationManager>().Uri;
        Assert.Contains("q=sepsis", uri);
        Assert.DoesNotContain("page=", uri);
        Assert.Contains("size=25", uri);
    }

    [Fact]
    public async Task A_page_past_the_end_shows_the_last_page_without_moving_the_address()
    {
        AddServices();
        var total = await DbAsync(db => db.AuditEvents.CountAsync());
        var page = Render<AuditTrail>(uri: "http://localhost/audit?size=25&page=2147483647");

        page.WaitForAssertion(() => Assert.EndsWith($"of {total} events", page.Find("[data-testid=shown]").TextContent.Trim()));
        Assert.NotEmpty(page.FindAll("[data-testid=event-link]"));
        Assert.Contains("page=2147483647", Context.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void A_filter_that_matches_nothing_shows_an_empty_state()
    {
        AddServices();
        var page = Render<AuditTrail>(uri: "http://localhost/audit?q=no-such-event-anywhere");

        page.WaitForAssertion(() => Assert.Contains("No events match", page.Markup));
        Assert.Contains("No events", page.Find("[data-testid=shown]").TextContent);
        Assert.Contains("q=no-such-event-anywhere", page.Find("[data-testid=export-csv]").GetAttribute("href"));
    }

    [Fact]
    public async Task An_event_shows_its_subject_and_what_changed_before_and_after_with_the_raw_json_one_click_away()
    {
        AddServices();
        var sequence = await DbAsync(async db =>
        {
            var model = await db.Models.SingleAsync(m => m.Key == "credit-default-pd");
            var before = model.Description;
            model.Description = "Probability of default, recalibrated.";
            db.Audit.Record("model.updated", model, new { model = model.Key });
            await db.SaveChangesAsync();
            return await db.AuditEvents.Where(e => e.Action == "model.updated").MaxAsync(e => e.Sequence);
        });

        var page = Render<AuditEventDetails>(new() { ["Sequence"] = sequence });

        var subject = page.WaitForElement("[data-testid=event-subject] [data-testid=subject-link]");
        Assert.Equal("/models/credit-default-pd", subject.GetAttribute("href"));
        Assert.Contains("credit-default-pd", subject.TextContent);
        var change = page.Find("[data-testid=change][data-field=description]");
        Assert.Contains("Probability of default, recalibrated.", change.QuerySelector("[data-testid=after]")!.TextContent);
        Assert.NotEqual(change.QuerySelector("[data-testid=before]")!.TextContent, change.QuerySelector("[data-testid=after]")!.TextContent);
        Assert.Contains("credit-default-pd", page.Find("[data-testid=details]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=payload]"));

        page.Find("[data-testid=raw-toggle] input").Change(true);

        var raw = page.WaitForElement("[data-testid=payload]").TextContent;
        Assert.Contains("\"before\":", raw);
        Assert.Contains("\"description\": {", raw);
        Assert.StartsWith("/audit?entityType=Model&entityId=", page.Find("[data-testid=subject-history]").GetAttribute("href"));
    }

    [Fact]
    public async Task Verifying_from_the_page_records_the_run_as_the_auditor_and_says_the_outcome()
    {
        AddServices();
        var page = Render<GovernancePortal.Components.Pages.Audit.AuditVerification>();
        var before = await DbAsync(db => db.AuditVerifications.CountAsync());

        page.WaitForElement("[data-testid=verify-now]").Click();

        // Verification recomputes every hash; a loaded machine needs more than the default second.
        _snackbars!.WaitForAssertion(() => Assert.Matches("Valid|Invalid", _snackbars!.Markup), TimeSpan.FromSeconds(30));
        page.WaitForAssertion(() => Assert.Equal(before + 1, page.FindAll("[data-testid=verification-run]").Count), TimeSpan.FromSeconds(30));
        var recorded = await DbAsync(db => db.AuditEvents.Where(e => e.Action == "audit.verified" || e.Action == "audit.verification-failed")
            .OrderByDescending(e => e.Sequence).FirstAsync());
        Assert.Equal("auditor@demo.test", recorded.ActorUsername);
        Assert.Equal(before + 1, await DbAsync(db => db.AuditVerifications.CountAsync()));
    }
}
