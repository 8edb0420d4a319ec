using System.Net;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

public abstract class RollbackPageTests(PortalFactory portal)
{
    private const string Start = "/models/fraud-card-realtime/rollback";

    [Fact]
    public async Task The_pages_show_a_rollback_from_start_to_closed_retrospective_to_each_person()
    {
        await RollbackSetup.PromoteToProductionAsync(portal, "owner@demo.test", "fraud-card-realtime", "3.5.1", "compliance@demo.test");
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        var officer = await PortalClient.SignedInAsync(portal, "compliance@demo.test");
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        Assert.Equal(Start, (await owner.GetDocumentAsync("/models/fraud-card-realtime")).QuerySelector("[data-testid=rollback-link]")?.GetAttribute("href"));
        Assert.Null((await viewer.GetDocumentAsync("/models/fraud-card-realtime")).QuerySelector("[data-testid=rollback-link]"));

        var form = await owner.GetDocumentAsync(Start);
        Assert.Equal(("3.5.1", "3.5.0"), (form.QuerySelector("[data-testid=rollback-from]")!.TextContent, form.QuerySelector("[data-testid=rollback-to]")!.TextContent));
        Assert.NotNull(form.QuerySelector("[data-testid=start-rollback]"));

        // What the pages' buttons ask for, through the API (the pages' forms, dialogs and field errors are tested with bUnit).
        var ownerApi = await RollbackSetup.As(portal, "owner@demo.test");
        var officerApi = await RollbackSetup.As(portal, "compliance@demo.test");
        var started = await ownerApi.PostAsync("/api/v1/models/fraud-card-realtime/rollbacks", Json(new { reason = "Decline rate doubled." }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var page = $"/rollbacks/{(await BodyAsync(started)).GetProperty("id").GetGuid()}";
        var ownersView = await owner.GetDocumentAsync(page);
        Assert.Null(ownersView.QuerySelector("[data-testid=confirm-rollback]"));
        Assert.Contains("ComplianceOfficer", ownersView.QuerySelector("[data-testid=why-not]")!.TextContent);
        Assert.Equal(page, (await owner.GetDocumentAsync("/models/fraud-card-realtime")).QuerySelector("[data-testid=rollback-link]")?.GetAttribute("href"));
        Assert.NotNull((await owner.GetDocumentAsync(Start)).QuerySelector("[data-testid=pending-rollback]"));
        Assert.Null((await viewer.GetDocumentAsync(page)).QuerySelector("[data-testid=confirm-rollback]"));

        var inbox = await officer.GetDocumentAsync("/approvals");
        Assert.Contains(inbox.QuerySelectorAll("[data-testid=pending-rollback-row] a"), a => a.GetAttribute("href") == page);
        Assert.NotNull((await officer.GetDocumentAsync(page)).QuerySelector("[data-testid=confirm-rollback]"));
        Assert.Equal(HttpStatusCode.OK, (await officerApi.PostAsync($"/api/v1{page}/confirm", null)).StatusCode);
        var after = await officer.GetDocumentAsync(page);
        Assert.Contains("Confirmed", after.QuerySelector("[data-testid=rollback-status]")!.TextContent);
        Assert.Equal(Stage.Production, await RollbackSetup.StageAsync(portal, "fraud-card-realtime", "3.5.0"));
        var review = after.QuerySelector("[data-testid=retrospective-link]")!.GetAttribute("href")!;
        Assert.Contains((await officer.GetDocumentAsync("/approvals")).QuerySelectorAll("[data-testid=open-review-row] a"), a => a.GetAttribute("href") == review);

        Assert.Null((await owner.GetDocumentAsync(review)).QuerySelector("[data-testid=close-review]"));
        Assert.NotNull((await officer.GetDocumentAsync(review)).QuerySelector("[data-testid=close-review]"));
        var closed = await officerApi.PostAsync($"/api/v1{review}/close", Json(new { findings = "Feature store lagged by a day; add a freshness gate." }));
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Contains("freshness gate", (await viewer.GetDocumentAsync(review)).QuerySelector("[data-testid=findings]")!.TextContent);
        Assert.Empty((await officer.GetDocumentAsync("/approvals")).QuerySelectorAll("[data-testid=open-review-row]"));
        // The CSP allows no inline script on any of these pages (inline styles are allowed for MudBlazor, ADR-019).
        foreach (var url in new[] { Start, page, review, "/notifications", "/approvals" })
        {
            Assert.Empty((await owner.GetDocumentAsync(url)).QuerySelectorAll("script:not([src])"));
        }
    }

    [Fact]
    public async Task The_pages_refuse_people_without_the_roles_and_unknown_ids_are_404()
    {
        var anonymous = PortalClient.Anonymous(portal);
        foreach (var url in new[] { Start, "/notifications", $"/rollbacks/{Guid.NewGuid()}", $"/retrospectives/{Guid.NewGuid()}" })
        {
            var response = await anonymous.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
        }
        foreach (var person in new[] { "viewer@demo.test", "auditor@demo.test", "admin@demo.test" })
        {
            var response = await (await PortalClient.SignedInAsync(portal, person)).Http.GetAsync(Start);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
        }
        var owner = await PortalClient.SignedInAsync(portal, "owner@demo.test");
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync("/models/no-such-model/rollback")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/rollbacks/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/retrospectives/{Guid.NewGuid()}")).StatusCode);

        // Where there is nothing to restore the page says so, and offers no form.
        var stranger = await (await PortalClient.SignedInAsync(portal, "owner2@demo.test")).GetDocumentAsync("/models/aml-transaction-monitoring/rollback");
        Assert.Null(stranger.QuerySelector("[data-testid=start-rollback]"));
        Assert.NotNull(stranger.QuerySelector("[data-testid=no-rollback]"));
    }

    [Fact]
    public async Task The_header_counts_unread_notifications_and_marking_read_is_a_post_that_only_touches_your_own()
    {
        var api = await RollbackSetup.As(portal, "owner2@demo.test");
        await RollbackSetup.PromoteToProductionAsync(portal, "owner2@demo.test", "sepsis-early-warning", "1.2.0", "compliance@demo.test", "compliance2@demo.test");
        // The approvals above are settled, so their calls to act are done; one more unread note to count and mark.
        await portal.WithDbAsync(async db =>
        {
            db.Notifications.Add(new Notifications.Notification
            {
                Recipient = "compliance2@demo.test", Kind = "promotion.needs-approval", Title = "Approval needed", Body = "A request waits.",
                Link = "/approvals", CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            });
            await db.SaveChangesAsync();
        });
        var created = await api.PostAsync("/api/v1/models/sepsis-early-warning/rollbacks", Json(new { reason = "Alert volume tripled." }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var officer = await PortalClient.SignedInAsync(portal, "compliance2@demo.test");
        var unread = await portal.WithDbAsync(db => db.Notifications.CountAsync(n => n.Recipient == "compliance2@demo.test" && n.ReadAt == null));
        Assert.True(unread >= 2, $"{unread} unread");

        var page = await officer.GetDocumentAsync("/notifications");
        Assert.Equal(unread.ToString(), page.QuerySelector("[data-testid=unread-count]")!.TextContent.Trim());
        var rows = page.QuerySelectorAll("[data-testid=notifications] tbody tr");
        Assert.Equal("rollback.started", rows[0].GetAttribute("data-kind"));
        Assert.NotNull(rows[0].QuerySelector("[data-testid=mark-read]"));
        var first = Guid.Parse(rows[0].GetAttribute("data-id")!);

        // The page marks through the inbox in its circuit (tested with bUnit); here the inbox itself, on this database.
        Assert.True(await InboxAsync(inbox => inbox.MarkReadAsync("compliance2@demo.test", first)));
        Assert.Equal((unread - 1).ToString(), (await officer.GetDocumentAsync("/notifications")).QuerySelector("[data-testid=unread-count]")!.TextContent.Trim());

        // Someone else's notification is not theirs to mark.
        var owners = await portal.WithDbAsync(db => db.Notifications.Where(n => n.Recipient == "owner2@demo.test" && n.ReadAt == null).Select(n => n.Id).FirstAsync());
        Assert.False(await InboxAsync(inbox => inbox.MarkReadAsync("compliance2@demo.test", owners)));
        Assert.Null(await portal.WithDbAsync(db => db.Notifications.Where(n => n.Id == owners).Select(n => n.ReadAt).SingleAsync()));

        Assert.True(await InboxAsync(async inbox => await inbox.MarkAllReadAsync("compliance2@demo.test") == unread - 1));
        var done = await officer.GetDocumentAsync("/notifications?unread=true");
        Assert.Null(done.QuerySelector("[data-testid=unread-count]"));
        Assert.Null(done.QuerySelector("[data-testid=notifications]"));
        Assert.Contains("Nothing unread", done.QuerySelector(".empty-state")!.TextContent);
        Assert.NotNull((await officer.GetDocumentAsync("/notifications")).QuerySelector("[data-testid=notifications]"));
    }

    private async Task<T> InboxAsync<T>(Func<Notifications.NotificationInbox, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<Notifications.NotificationInbox>());
    }
}

public sealed class RollbackPageTestsOnSqlite(SqlitePortal portal) : RollbackPageTests(portal), IClassFixture<SqlitePortal>;

public sealed class RollbackPageTestsOnPostgreSql(PostgreSqlPortal portal) : RollbackPageTests(portal), IClassFixture<PostgreSqlPortal>;
