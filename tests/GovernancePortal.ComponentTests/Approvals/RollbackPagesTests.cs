using Bunit;
using GovernancePortal.Components.Pages.Approvals;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>
/// Starting a rollback, confirming it and closing its retrospective on the pages, with the real rollback service on SQLite.
/// Each class has a database of its own: each rolls the same model back.
/// </summary>
public abstract class RollbackPageTest(PortalDatabase database) : ApprovalPageTest(database)
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>3.5.1 replaces 3.5.0 in Production the ordinary way, so there is a previous version to restore.</summary>
    protected async Task PromoteFraudModelAsync()
    {
        var id = await RequestAsync("owner@demo.test", "fraud-card-realtime", "3.5.1", Stage.Production, "Feature store migration, same model.");
        var decided = await DecideAsync("compliance@demo.test", id, Verdict.Approve);
        Assert.Null(decided.Failure?.Message);
        Assert.Equal(Stage.Production, await StageAsync("fraud-card-realtime", "3.5.1"));
    }

    protected Task<T> AsAsync<T>(string username, Func<IServiceProvider, Caller, Task<T>> work) => InScopeAsync(async sp =>
        await work(sp, await sp.GetRequiredService<RegistryService>().CallerAsync(Principal(username))));

}

public sealed class RollbackStartPageTests(PortalDatabase database) : RollbackPageTest(database), IClassFixture<PortalDatabase>
{
    [Fact]
    public async Task An_owner_starts_a_rollback_after_naming_a_reason_and_confirming()
    {
        SignIn("owner@demo.test");
        await PromoteFraudModelAsync();
        var page = Render<StartRollback>(new() { [nameof(StartRollback.Key)] = "fraud-card-realtime" }, "http://localhost/models/fraud-card-realtime/rollback");
        await page.WaitForAssertionAsync(() => Assert.Equal("3.5.1", page.Find("[data-testid=rollback-from]").TextContent), Patience);
        Assert.Equal("3.5.0", page.Find("[data-testid=rollback-to]").TextContent);

        page.Find("[data-testid=start-rollback]").Click();
        await page.WaitForAssertionAsync(() => Assert.Contains("Say what is going wrong", page.Find(".mud-input-control.mud-input-error").TextContent), Patience);
        Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]"));

        page.Find("#reason").Change("Decline rate doubled within an hour of the feature store migration.");
        page.Find("[data-testid=start-rollback]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("/rollbacks/", Uri), Patience);
        var id = Guid.Parse(Uri.Split('/').Last());
        var stored = await DbAsync(db => db.Rollbacks.AsNoTracking().SingleAsync(r => r.Id == id));
        Assert.Equal(("owner@demo.test", RollbackState.Pending), (stored.StartedBy, stored.State));
        Assert.Equal("owner@demo.test", await DbAsync(db => db.AuditEvents.Where(e => e.Action == "rollback.started" && e.EntityId == id.ToString()).Select(e => e.ActorUsername).SingleAsync()));

        // The starter cannot confirm their own rollback, and is told who must; while it waits, the start page points to it.
        var details = Render<RollbackDetails>(new() { [nameof(RollbackDetails.Id)] = id });
        await details.WaitForAssertionAsync(() => Assert.Contains("ComplianceOfficer", details.Find("[data-testid=why-not]").TextContent), Patience);
        Assert.Empty(details.FindAll("[data-testid=confirm-rollback]"));
        Assert.NotNull(details.Find("[data-testid=cancel-rollback]"));
        var again = Render<StartRollback>(new() { [nameof(StartRollback.Key)] = "fraud-card-realtime" });
        await again.WaitForAssertionAsync(() => Assert.NotNull(again.Find("[data-testid=pending-rollback]")), Patience);
        Assert.Empty(again.FindAll("[data-testid=start-rollback]"));
    }

}

public sealed class RollbackConfirmPageTests(PortalDatabase database) : RollbackPageTest(database), IClassFixture<PortalDatabase>
{
    [Fact]
    public async Task An_officer_confirms_through_the_dialog_the_inbox_lists_the_retrospective_and_findings_are_needed_to_close_it()
    {
        SignIn("compliance2@demo.test");
        await PromoteFraudModelAsync();
        var started = await AsAsync("owner@demo.test", (sp, caller) => sp.GetRequiredService<RollbackService>().StartAsync(caller, "fraud-card-realtime", "Decline rate doubled."));
        var id = started.Rollback!.Id;
        var inbox = Render<RollbackInbox>();
        await inbox.WaitForAssertionAsync(() => Assert.Contains(inbox.FindAll("[data-testid=pending-rollback-row] a"), a => a.GetAttribute("href") == $"/rollbacks/{id}"), Patience);

        var page = Render<RollbackDetails>(new() { [nameof(RollbackDetails.Id)] = id });
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=confirm-rollback]")), Patience);
        page.Find("[data-testid=confirm-rollback]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Confirmed", page.Find("[data-testid=rollback-status]").TextContent), Patience);
        Assert.Equal(Stage.Production, await StageAsync("fraud-card-realtime", "3.5.0"));
        Assert.Equal(Stage.Staging, await StageAsync("fraud-card-realtime", "3.5.1"));
        Assert.Equal("compliance2@demo.test", await DbAsync(db => db.AuditEvents.Where(e => e.Action == "rollback.confirmed" && e.EntityId == id.ToString()).Select(e => e.ActorUsername).SingleAsync()));
        var review = page.Find("[data-testid=retrospective-link]").GetAttribute("href")!;
        var withReview = Render<RollbackInbox>();
        await withReview.WaitForAssertionAsync(() => Assert.Contains(withReview.FindAll("[data-testid=open-review-row] a"), a => a.GetAttribute("href") == review), Patience);

        var retrospective = Render<RetrospectiveDetails>(new() { [nameof(RetrospectiveDetails.Id)] = Guid.Parse(review.Split('/').Last()) });
        await retrospective.WaitForAssertionAsync(() => Assert.NotNull(retrospective.Find("[data-testid=close-review]")), Patience);
        retrospective.Find("[data-testid=close-review]").Click();
        await retrospective.WaitForAssertionAsync(() => Assert.Contains("Write what failed", retrospective.Find(".mud-input-control.mud-input-error").TextContent), Patience);
        retrospective.Find("#findings").Change("Feature store lagged by a day; add a freshness gate.");
        retrospective.Find("[data-testid=close-review]").Click();
        ConfirmDialog();

        await retrospective.WaitForAssertionAsync(() => Assert.Contains("freshness gate", retrospective.Find("[data-testid=findings]").TextContent), Patience);
        Assert.Empty(retrospective.FindAll("[data-testid=close-review]"));
        Assert.Equal(1, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "review.closed" && e.ActorUsername == "compliance2@demo.test")));
        var closedInbox = Render<RollbackInbox>();
        await closedInbox.WaitForAssertionAsync(() => Assert.DoesNotContain(closedInbox.FindAll("[data-testid=open-review-row] a"), a => a.GetAttribute("href") == review), Patience);
    }

}

public sealed class RollbackCancelPageTests(PortalDatabase database) : RollbackPageTest(database), IClassFixture<PortalDatabase>
{
    [Fact]
    public async Task The_starter_cancels_through_the_dialog_and_production_stays()
    {
        SignIn("owner@demo.test");
        await PromoteFraudModelAsync();
        var started = await AsAsync("owner@demo.test", (sp, caller) => sp.GetRequiredService<RollbackService>().StartAsync(caller, "fraud-card-realtime", "False alarm, maybe."));
        var page = Render<RollbackDetails>(new() { [nameof(RollbackDetails.Id)] = started.Rollback!.Id });
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=cancel-rollback]")), Patience);

        page.Find("[data-testid=cancel-rollback]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Cancelled", page.Find("[data-testid=rollback-status]").TextContent), Patience);
        Assert.Equal(Stage.Production, await StageAsync("fraud-card-realtime", "3.5.1"));
        Assert.Empty(page.FindAll("[data-testid=cancel-rollback]"));
    }
}
