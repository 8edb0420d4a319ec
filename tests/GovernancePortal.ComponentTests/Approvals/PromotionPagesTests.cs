using Bunit;
using GovernancePortal.Components.Pages.Approvals;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>The inbox, a request's page and the request form, with the real workflow on SQLite: what each persona is offered, and what each click does.</summary>
public sealed class PromotionPagesTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Inbox_rows_link_the_request_the_model_and_the_version_and_the_filters_come_from_the_address()
    {
        SignIn("compliance@demo.test");
        var id = await RequestAsync("owner@demo.test", "mortgage-affordability", "0.9.0", Stage.Staging);

        var inbox = Render<Inbox>(uri: "http://localhost/approvals?stage=Staging&risk=High&page=x");

        await inbox.WaitForAssertionAsync(() => Assert.Contains(inbox.FindAll("[data-testid=request-link]"), a => a.GetAttribute("href") == $"/approvals/{id}"), Patience);
        var row = inbox.FindAll("[data-testid=inbox] tbody tr").Single(r => r.QuerySelector("[data-testid=request-link]")?.GetAttribute("href") == $"/approvals/{id}");
        Assert.Equal("/models/mortgage-affordability", row.QuerySelector("[data-testid=model-link]")!.GetAttribute("href"));
        Assert.Equal("Mortgage affordability", row.QuerySelector("[data-testid=model-link]")!.TextContent.Trim());
        Assert.Equal("/models/mortgage-affordability/versions/0.9.0", row.QuerySelector("[data-testid=version-link]")!.GetAttribute("href"));
        Assert.Equal($"/approvals/{id}", row.QuerySelector("[data-testid=request-title]")!.GetAttribute("href"));
        Assert.Contains("1 more ComplianceOfficer", row.QuerySelector("[data-testid=inbox-still-needed]")!.TextContent);
        // Every row shown matches the address's filters.
        var shown = await DbAsync(db => db.Promotions.Where(p => p.State == PromotionRequestState.Pending && p.TargetStage == Stage.Staging && p.Version.Model.RiskTier == RiskTier.High)
            .Select(p => p.Id).ToListAsync());
        Assert.Equal(shown.Order().Select(g => $"/approvals/{g}"), inbox.FindAll("[data-testid=request-link]").Select(a => a.GetAttribute("href")).Order());
    }

    [Fact]
    public async Task An_inbox_with_nothing_to_show_says_so()
    {
        SignIn("viewer@demo.test");

        var inbox = Render<Inbox>(uri: "http://localhost/approvals?status=Withdrawn&risk=Prohibited");

        await inbox.WaitForAssertionAsync(() => Assert.Contains("No requests match", inbox.Find(".empty-state").TextContent), Patience);
        Assert.NotNull(inbox.Find("[data-testid=clear-filters]"));
    }

    [Fact]
    public async Task An_officer_approves_through_the_dialog_and_the_trail_names_the_officer()
    {
        SignIn("compliance@demo.test");
        var id = await RequestAsync("owner2@demo.test", "readmission-30d", "2.0.1", Stage.Staging);
        var page = Render<PromotionDetails>(new() { [nameof(PromotionDetails.Id)] = id });
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=approve]")), Patience);
        Assert.Equal("#decide-heading", page.Find("[data-testid=jump-to-decision]").GetAttribute("href"));
        Assert.NotNull(page.Find("#decide-heading"));
        Assert.NotNull(page.Find("[data-testid=gates]"));

        page.Find("#comment").Change("Fine for staging.");
        page.Find("[data-testid=approve]").Click();
        // Not yet: the dialog asks first, and "not now" leaves the request as it was.
        Dialogs.WaitForElement("[data-testid=confirm-cancel]").Click();
        Assert.Equal(PromotionRequestState.Pending, await DbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));
        page.Find("[data-testid=approve]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Approved", page.Find("[data-testid=request-state]").TextContent), Patience);
        Assert.Contains("Fine for staging.", page.Find("[data-testid=timeline]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=approve]"));
        Assert.Contains("Approved", Snackbars.Markup);
        Assert.Equal(Stage.Staging, await StageAsync("readmission-30d", "2.0.1"));
        var trail = await DbAsync(db => db.AuditEvents.Where(e => e.EntityId == id.ToString() || e.Action == "promotion.approved-by")
            .Where(e => e.Action.StartsWith("promotion.approved")).Select(e => new { e.Action, e.ActorUsername, e.Payload }).ToListAsync());
        Assert.Contains(trail, e => e.Action == "promotion.approved" && e.ActorUsername == "compliance@demo.test");
        Assert.Contains(trail, e => e.Action == "promotion.approved-by" && e.ActorUsername == "compliance@demo.test" && e.Payload.Contains("Fine for staging."));
    }

    [Fact]
    public async Task A_rejection_without_a_reason_is_an_error_at_the_comment_and_with_one_it_rejects()
    {
        SignIn("compliance2@demo.test");
        var id = await RequestAsync("owner@demo.test", "aml-transaction-monitoring", "1.0.1", Stage.Staging);
        var page = Render<PromotionDetails>(new() { [nameof(PromotionDetails.Id)] = id });
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=reject]")), Patience);

        page.Find("[data-testid=reject]").Click();

        await page.WaitForAssertionAsync(() => Assert.Contains(PromotionDetails.ReasonNeeded, page.Find(".mud-input-control.mud-input-error").TextContent), Patience);
        Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]"));
        Assert.Equal(PromotionRequestState.Pending, await DbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.State).SingleAsync()));

        page.Find("#comment").Change("The fairness section is copied from another model.");
        page.Find("[data-testid=reject]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Rejected", page.Find("[data-testid=request-state]").TextContent), Patience);
        Assert.Contains("copied from another model", page.Find("[data-testid=timeline]").TextContent);
        Assert.Equal(1, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "promotion.rejected" && e.ActorUsername == "compliance2@demo.test"
            && e.EntityId == id.ToString())));
    }

    [Fact]
    public async Task The_requester_cannot_decide_but_withdraws_through_the_dialog()
    {
        SignIn("owner@demo.test");
        var id = await RequestAsync("owner@demo.test", "credit-default-pd", "2.0.0", Stage.Staging);
        var page = Render<PromotionDetails>(new() { [nameof(PromotionDetails.Id)] = id });
        await page.WaitForAssertionAsync(() => Assert.Contains("You made this request", page.Find("[data-testid=cannot-decide]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=approve]"));

        page.Find("[data-testid=withdraw]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Withdrawn", page.Find("[data-testid=request-state]").TextContent), Patience);
        Assert.Empty(page.FindAll("[data-testid=withdraw]"));
        Assert.Contains("Request withdrawn.", Snackbars.Markup);
        Assert.Equal(1, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "promotion.withdrawn" && e.ActorUsername == "owner@demo.test" && e.EntityId == id.ToString())));
    }

    [Fact]
    public async Task A_viewer_sees_the_request_and_its_evidence_but_no_decision()
    {
        SignIn("viewer@demo.test");
        var id = await RequestAsync("owner2@demo.test", "claims-triage", "1.4.0", Stage.Staging);
        var page = Render<PromotionDetails>(new() { [nameof(PromotionDetails.Id)] = id });

        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=timeline]")), Patience);
        Assert.Contains("more ComplianceOfficer", page.Find("[data-testid=still-needed]").TextContent);
        Assert.NotNull(page.Find("[data-testid=metrics]"));
        Assert.Empty(page.FindAll("[data-testid=approve]"));
        Assert.Empty(page.FindAll("[data-testid=reject]"));
        Assert.Empty(page.FindAll("[data-testid=jump-to-decision]"));
        Assert.Empty(page.FindAll("[data-testid=withdraw]"));
    }

    [Fact]
    public async Task The_request_form_checks_the_gates_for_the_addressed_stage_and_a_justification_is_needed()
    {
        SignIn("owner@demo.test");
        await CompleteCardAsync("owner@demo.test", "fraud-card-realtime", "3.5.1");
        var page = Render<RequestPromotion>(new() { [nameof(RequestPromotion.Key)] = "fraud-card-realtime", [nameof(RequestPromotion.Version)] = "3.5.1" },
            "http://localhost/models/fraud-card-realtime/versions/3.5.1/promote?target=Production");
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=gates]")), Patience);
        if (page.FindAll("[data-testid=blocked]").Count > 0)
        {
            Assert.Fail("The gates block: " + page.Find("[data-testid=gates]").TextContent);
        }

        page.Find("[data-testid=submit-request]").Click();
        await page.WaitForAssertionAsync(() => Assert.Contains("Say why", page.Find(".mud-input-control.mud-input-error").TextContent), Patience);
        Assert.False(await DbAsync(db => db.Promotions.AnyAsync(p => p.Version.Model.Key == "fraud-card-realtime" && p.State == PromotionRequestState.Pending)));

        page.Find("#justification").Change("Feature store migration, same model.");
        page.Find("[data-testid=submit-request]").Click();

        await page.WaitForAssertionAsync(() => Assert.Contains("/approvals/", Uri), Patience);
        var id = Guid.Parse(Uri.Split('/').Last());
        Assert.Equal("owner@demo.test", await DbAsync(db => db.Promotions.Where(p => p.Id == id).Select(p => p.Requester).SingleAsync()));
        Assert.Equal("owner@demo.test", await DbAsync(db => db.AuditEvents.Where(e => e.Action == "promotion.requested" && e.EntityId == id.ToString())
            .Select(e => e.ActorUsername).SingleAsync()));
    }

    [Fact]
    public async Task A_thin_card_blocks_the_request_form_and_no_stage_in_the_address_waits_for_a_choice()
    {
        SignIn("owner2@demo.test");

        var blocked = Render<RequestPromotion>(new() { [nameof(RequestPromotion.Key)] = "sepsis-early-warning", [nameof(RequestPromotion.Version)] = "1.2.0" },
            "http://localhost/models/sepsis-early-warning/versions/1.2.0/promote?target=Production");
        await blocked.WaitForAssertionAsync(() => Assert.NotNull(blocked.Find("[data-testid=blocked]")), Patience);
        Assert.Contains("model card completeness", blocked.Find("[data-testid=gates]").TextContent);
        Assert.Empty(blocked.FindAll("[data-testid=submit-request]"));

        var choose = Render<RequestPromotion>(new() { [nameof(RequestPromotion.Key)] = "sepsis-early-warning", [nameof(RequestPromotion.Version)] = "1.2.0" },
            "http://localhost/models/sepsis-early-warning/versions/1.2.0/promote?target=Archived");
        await choose.WaitForAssertionAsync(() => Assert.NotNull(choose.Find("[data-testid=choose-target]")), Patience);
        Assert.Empty(choose.FindAll("[data-testid=gates]"));
    }
}
