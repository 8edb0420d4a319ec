using Bunit;
using GovernancePortal.Components.Pages.Approvals;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>The inbox's order, overdue marks and age filter over requests of known ages.</summary>
public sealed class InboxOrderPageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A pending request written directly, so its age and expiry can be anything.</summary>
    private Task<Guid> AddPendingAsync(string key, string number, Stage target, double createdDaysAgo, double expiresInDays) => DbAsync(async db =>
    {
        var version = (await RegistryQueries.FindVersionAsync(db, key, number))!;
        var policy = PromotionPolicies.Default(target, version.Model.RiskTier)!;
        var now = DateTimeOffset.UtcNow;
        var promotion = new Promotion
        {
            VersionId = version.Id, FromStage = version.Stage, TargetStage = target, Requester = version.Model.Owner,
            Justification = $"{key} {number} for the inbox.", State = PromotionRequestState.Pending, PolicyVersion = policy.Version,
            PolicyJson = PromotionService.SerializePolicy(policy), GatesJson = "[]",
            CreatedAt = now.AddDays(-createdDaysAgo), ExpiresAt = now.AddDays(expiresInDays),
        };
        db.Promotions.Add(promotion);
        db.Audit.Record("promotion.requested", promotion);
        await db.SaveChangesAsync();
        return promotion.Id;
    });

    [Fact]
    public async Task The_inbox_lists_the_oldest_first_marks_those_about_to_expire_and_filters_by_age()
    {
        SignIn("compliance@demo.test");
        var recent = await AddPendingAsync("claims-triage", "1.4.0", Stage.Staging, createdDaysAgo: 1, expiresInDays: 13);
        var oldest = await AddPendingAsync("readmission-30d", "2.0.1", Stage.Staging, createdDaysAgo: 13, expiresInDays: 1);
        var middle = await AddPendingAsync("credit-default-pd", "2.0.0", Stage.Staging, createdDaysAgo: 10, expiresInDays: 4);
        Guid[] mine = [oldest, middle, recent];
        IEnumerable<string> Mine(IRenderedComponent<Inbox> page) => page.FindAll("[data-testid=request-link]").Select(a => a.GetAttribute("href")!.Split('/').Last())
            .Where(id => mine.Any(g => g.ToString() == id));

        var all = Render<Inbox>(uri: "http://localhost/approvals?size=100");
        await all.WaitForAssertionAsync(() => Assert.Equal(mine.Select(g => g.ToString()), Mine(all)), Patience);
        var rows = all.FindAll("[data-testid=inbox] tbody tr").Where(r => r.QuerySelector("[data-testid=request-link]") is not null)
            .ToDictionary(r => r.QuerySelector("[data-testid=request-link]")!.GetAttribute("href")!.Split('/').Last());
        Assert.NotNull(rows[oldest.ToString()].QuerySelector("[data-testid=overdue]"));
        Assert.Null(rows[middle.ToString()].QuerySelector("[data-testid=overdue]"));
        Assert.Null(rows[recent.ToString()].QuerySelector("[data-testid=overdue]"));

        var older = Render<Inbox>(uri: "http://localhost/approvals?olderThan=5&size=100");
        await older.WaitForAssertionAsync(() => Assert.Equal([oldest.ToString(), middle.ToString()], Mine(older)), Patience);

        var newest = Render<Inbox>(uri: "http://localhost/approvals?order=Newest&size=100");
        await newest.WaitForAssertionAsync(() => Assert.Equal([recent.ToString(), middle.ToString(), oldest.ToString()], Mine(newest)), Patience);
    }
}

/// <summary>The inbox's page and size in the address: a link or reload to page 2 shows page 2.</summary>
public sealed class InboxPagingPageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Pending requests on versions of models of this test's own, created more than a year ago so that "waiting at least 365 days" shows only them, oldest first.</summary>
    private Task<List<Guid>> AddOldRequestsAsync(int count) => DbAsync(async db =>
    {
        var team = $"inbox-{Guid.NewGuid():N}"[..14];
        var now = DateTimeOffset.UtcNow;
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var model = new Model { Key = $"{team}-{i:00}", Name = $"Inbox {i:00}", Owner = "owner@demo.test", Team = team, CreatedBy = "owner@demo.test", RiskTier = RiskTier.Minimal, CreatedAt = now };
            var version = new ModelVersion
            {
                ModelId = model.Id, Model = model, Major = 1, ChangeReason = "For the inbox.", ArtifactUri = "s3://models/inbox", ArtifactSha256 = new string('a', 64),
                Stage = Stage.Development, StageChangedAt = now, RegisteredAt = now, RegisteredBy = "owner@demo.test",
            };
            var policy = PromotionPolicies.Default(Stage.Staging, RiskTier.Minimal)!;
            var promotion = new Promotion
            {
                VersionId = version.Id, FromStage = Stage.Development, TargetStage = Stage.Staging, Requester = "owner@demo.test", Justification = "Old request.",
                State = PromotionRequestState.Pending, PolicyVersion = policy.Version, PolicyJson = PromotionService.SerializePolicy(policy), GatesJson = "[]",
                CreatedAt = now.AddDays(-500 + i), ExpiresAt = now.AddDays(1),
            };
            db.Models.Add(model);
            db.ModelVersions.Add(version);
            db.Promotions.Add(promotion);
            db.Audit.Record("promotion.requested", promotion);
            ids.Add(promotion.Id);
        }
        await db.SaveChangesAsync();
        return ids;
    });

    private static List<string> Requests(IRenderedComponent<Inbox> page) => page.FindAll("[data-testid=request-link]").Select(a => a.GetAttribute("href")!.Split('/').Last()).ToList();

    [Fact]
    public async Task A_link_to_a_later_page_shows_that_page_whichever_order_the_address_names_page_and_size()
    {
        SignIn("compliance@demo.test");
        var ids = (await AddOldRequestsAsync(27)).Select(g => g.ToString()).ToList();

        foreach (var (paging, expected) in new[] { ("page=2", ids[25..]), ("size=10&page=3", ids[20..]), ("page=2&size=10", ids[10..20]) })
        {
            var page = Render<Inbox>(uri: $"http://localhost/approvals?olderThan=365&{paging}");
            await page.WaitForAssertionAsync(() => Assert.Equal(expected, Requests(page)), Patience);
        }
    }
}

/// <summary>A page acting on a request or retrospective that someone else settled meanwhile: the service refuses, and the page shows it as it is now.</summary>
public sealed class StalePageTests(PortalDatabase database) : ApprovalPageTest(database), IClassFixture<PortalDatabase>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Approving_a_request_another_officer_decided_meanwhile_is_refused_and_the_page_shows_the_decision()
    {
        SignIn("compliance@demo.test");
        var id = await RequestAsync("owner2@demo.test", "readmission-30d", "2.0.1", Stage.Staging);
        var page = Render<PromotionDetails>(new() { [nameof(PromotionDetails.Id)] = id });
        await page.WaitForAssertionAsync(() => Assert.NotNull(page.Find("[data-testid=approve]")), Patience);

        var meanwhile = await DecideAsync("compliance2@demo.test", id, Verdict.Reject, "Base image has a known CVE.");
        Assert.Null(meanwhile.Failure?.Message);
        page.Find("[data-testid=approve]").Click();
        ConfirmDialog();

        await page.WaitForAssertionAsync(() => Assert.Contains("Rejected", page.Find("[data-testid=request-state]").TextContent), Patience);
        Assert.NotNull(page.Find("[data-testid=problem]"));
        Assert.Empty(page.FindAll("[data-testid=approve]"));
        Assert.Contains("known CVE", page.Find("[data-testid=timeline]").TextContent);
        Assert.Equal(0, await DbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "promotion.approved-by" && e.ActorUsername == "compliance@demo.test"
            && e.Payload.Contains(id.ToString()))));
    }
}
