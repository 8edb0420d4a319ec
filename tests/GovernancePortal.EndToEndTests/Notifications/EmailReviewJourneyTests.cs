using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Notifications;

/// <summary>
/// The portal on Kestrel sending e-mail to an in-process SMTP server, links in the e-mails pointing at the portal's own
/// address, and headless Chromium. The delivery job is not scheduled: the journey runs it when it wants the e-mail sent.
/// </summary>
public sealed class MailBrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public MailBrowserFixture()
    {
        // Links in e-mails start with the portal's address, so the port is chosen before the portal starts.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Portal = new MailingPortal(BaseUrl, Smtp.Port);
    }

    public int Port { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public TestSmtpServer Smtp { get; } = new();
    public MailingPortal Portal { get; }
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Portal.InitializeAsync();
        Portal.UseKestrel(Port);
        Portal.StartServer();
        (_playwright, Browser) = await BrowserFixture.LaunchChromiumAsync();
    }

    public Task<BrowserSession> NewSessionAsync() => BrowserFixture.NewSessionAsync(Browser, BaseUrl);

    /// <summary>One run of the e-mail delivery job, as Hangfire would start it.</summary>
    public async Task<DeliveryRun> DeliverAsync()
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverDueAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await ((IAsyncLifetime)Portal).DisposeAsync();
        await Smtp.DisposeAsync();
    }

    public sealed class MailingPortal(string baseUrl, int smtpPort) : PortalFactory(TestDatabase.Sqlite)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Notifications:BaseUrl", baseUrl);
            builder.UseSetting("Notifications:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Notifications:Smtp:Port", smtpPort.ToString());
            builder.UseSetting("Notifications:Smtp:Security", "None");
            builder.UseSetting("Notifications:Smtp:From", "Governance Portal <portal@example.test>");
        }
    }
}

/// <summary>Issue 17's journey: a submitted checklist reaches the officer by e-mail, the e-mail's link leads to it, and the sign-off settles the owner's notification.</summary>
public sealed class EmailReviewJourneyTests(MailBrowserFixture fixture) : IClassFixture<MailBrowserFixture>
{
    private const string Key = "emailed-sepsis-triage";
    private const string Name = "Emailed sepsis triage";
    private const string Path = "/models/" + Key + "/versions/1.0.0/compliance/hipaa";

    private async Task<HttpClient> ApiAsync(string username)
    {
        var key = await TestApiKeys.IssueAsync(fixture.Portal, username, "e2e-email");
        var client = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        client.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName, key.Secret);
        return client;
    }

    /// <summary>A clinical model of owner2's (PHI, so HIPAA applies) with version 1.0.0, every HIPAA item answered through the API.</summary>
    private static async Task AnsweredModelAsync(HttpClient owner2)
    {
        await OkAsync(await owner2.PostAsync("/api/v1/models", Json(new JsonObject
        {
            ["key"] = Key, ["name"] = Name, ["description"] = "Flags likely sepsis in the emergency department.", ["owner"] = "owner2@demo.test",
            ["businessOwner"] = "Head of Emergency Medicine", ["team"] = "Clinical AI", ["useCase"] = "Triage", ["riskTier"] = "high",
            ["dataCategories"] = new JsonArray("protectedHealthInformation"), ["tags"] = new JsonArray("clinical"),
        })));
        await OkAsync(await owner2.PostAsync($"/api/v1/models/{Key}/versions", Json(new JsonObject
        {
            ["version"] = "1.0.0", ["changeKind"] = "improvedModel", ["changeReason"] = "First release.",
            ["artifactUri"] = $"s3://ml-artifacts/{Key}/1.0.0/model.tar.gz", ["artifactSha256"] = new string('a', 64),
            ["lineage"] = new JsonObject
            {
                ["codeRepository"] = "https://git.example.com/ml/sepsis", ["commit"] = "0a1b2c3d4e5f", ["dataSnapshotId"] = "ed-2026q3",
                ["dataSnapshotHash"] = "sha256:abc", ["pipelineRunId"] = "run-7", ["pipelineRunUrl"] = "https://ci.example.com/runs/7",
                ["environmentDigest"] = "sha256:def",
            },
        })));
        await CompleteAsync(owner2, Key, "1.0.0");
    }

    [Fact]
    public async Task An_owner_submits_a_checklist_the_officer_follows_the_emailed_link_finds_it_in_the_queue_signs_it_off_and_the_owners_notification_is_done()
    {
        using var owner2Api = await ApiAsync("owner2@demo.test");
        using var officerApi = await ApiAsync("compliance@demo.test");
        await AnsweredModelAsync(owner2Api);
        await fixture.DeliverAsync(); // whatever the demo and the set-up staged, so the run after the submission is about it
        fixture.Smtp.Clear();

        // The owner submits the answered checklist for review.
        await using var owner = await fixture.NewSessionAsync();
        await owner.SignInAsync("owner2@demo.test");
        await owner.GotoAsync(Path);
        await owner.WaitForCircuitAsync();
        await owner.CheckAccessibilityAsync();
        await owner.Page.Locator("[data-testid=submit-for-review]").ClickAsync();
        await owner.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await owner.CheckAccessibilityAsync();
        await owner.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await owner.Page.Locator("[data-testid=assessment-status]", new() { HasTextString = "In review" }).WaitForAsync();
        await ShotAsync(owner, "email-journey-owner-submitted");

        // The delivery job runs: each officer who may sign it off gets one e-mail with the link to the checklist.
        var run = await fixture.DeliverAsync();
        Assert.Equal((2, 0, 0), (run.Sent, run.Failed, run.DeadLettered));
        var mails = fixture.Smtp.Messages;
        Assert.Equal(["compliance2@demo.test", "compliance@demo.test"], mails.SelectMany(m => m.To).Order(StringComparer.Ordinal));
        var mail = mails.Single(m => m.To.SequenceEqual(["compliance@demo.test"])).Message;
        Assert.Equal($"[Governance Portal] Checklist to review: HIPAA for {Name} 1.0.0", mail.Subject);
        Assert.Contains(fixture.BaseUrl + Path, mail.TextBody);
        var link = Regex.Match(mail.HtmlBody ?? "", "href=\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal(fixture.BaseUrl + Path, WebUtility.HtmlDecode(link));

        // The owner's submission is in the officer's review queue, and the e-mail's link leads to it.
        await using var officer = await fixture.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.Page.GotoAsync(WebUtility.HtmlDecode(link));
        await officer.WaitForCircuitAsync();
        Assert.Equal(fixture.BaseUrl + Path, officer.Page.Url);
        await officer.Page.Locator("[data-testid=assessment-status]", new() { HasTextString = "In review" }).WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await ShotAsync(officer, "email-journey-officer-followed-link");

        await officer.GotoAsync("/review-queue");
        await officer.WaitForCircuitAsync();
        var queued = officer.Page.Locator("[data-testid=review-queue] tr", new() { HasTextString = Name });
        await queued.WaitForAsync();
        Assert.Equal(Path, await queued.Locator("[data-testid=queue-link]").GetAttributeAsync("href"));
        await officer.CheckAccessibilityAsync();
        await ShotAsync(officer, "email-journey-review-queue");

        // The officer asks for a change to one answer: the owner is told in the portal.
        var item = (await GetAsync(officerApi, Key, "1.0.0")).GetProperty("answers").EnumerateArray()
            .First(a => a.GetProperty("answer").GetString() == "notApplicable").GetProperty("item").GetString()!;
        await officer.ClickToInteractiveAsync(queued.Locator("[data-testid=queue-link]"), url => url == fixture.BaseUrl + Path);
        var reviewed = officer.Page.Locator($"#item-{item}");
        await reviewed.Locator("[data-testid=review-comment-field] textarea").FillAsync("Say which platform control covers this.");
        await reviewed.Locator("[data-testid=request-changes]").ClickAsync();
        await reviewed.Locator("[data-testid=review]", new() { HasTextString = "Changes requested" }).WaitForAsync();
        var ownerNote = await NotificationAsync("owner2@demo.test", "checklist.changes-requested");
        Assert.Null(ownerNote.DoneAt);

        // The owner answers again; the officer accepts every answer and signs off in the browser.
        await OkAsync(await owner2Api.PutAsync($"{Assessment(Key, "1.0.0")}/items/{item}",
            Json(new { answer = "notApplicable", justification = "Covered by the clinical data platform's access controls (control CDP-7)." })));
        foreach (var answer in (await GetAsync(officerApi, Key, "1.0.0")).GetProperty("answers").EnumerateArray().Where(a => a.GetProperty("review").GetString() != "accepted"))
        {
            await OkAsync(await officerApi.PostAsync($"{Assessment(Key, "1.0.0")}/items/{answer.GetProperty("item").GetString()}/review",
                Json(new { decision = "accepted", answerRevision = answer.GetProperty("revision").GetInt32() })));
        }
        await officer.GotoAsync(Path);
        await officer.WaitForCircuitAsync();
        await officer.Page.Locator("[data-testid=sign-off]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-dialog]").WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("[data-testid=confirm-action]").ClickAsync();
        await officer.Page.Locator("[data-testid=assessment-status]", new() { HasTextString = "Signed off" }).WaitForAsync();
        await ShotAsync(officer, "email-journey-signed-off");

        // The owner's notification about the checklist is done, and the sign-off is new beside it.
        Assert.NotNull((await NotificationAsync("owner2@demo.test", "checklist.changes-requested")).DoneAt);
        await owner.GotoAsync("/notifications");
        await owner.WaitForCircuitAsync();
        var asked = owner.Page.Locator($"[data-testid=notification][data-kind='checklist.changes-requested']", new() { Has = owner.Page.Locator($"a[href='{Path}']") });
        Assert.Equal("true", await asked.GetAttributeAsync("data-done"));
        await asked.Locator("[data-testid=done]").WaitForAsync();
        var signedOff = owner.Page.Locator($"[data-testid=notification][data-kind='checklist.signed-off']", new() { Has = owner.Page.Locator($"a[href='{Path}']") });
        Assert.Equal(("false", "true"), (await signedOff.GetAttributeAsync("data-done"), await signedOff.GetAttributeAsync("data-unread")));
        await owner.CheckAccessibilityAsync();
        await ShotAsync(owner, "email-journey-owner-notifications");

        Assert.Empty(owner.Problems);
        Assert.Empty(officer.Problems);
    }

    /// <summary>What the person sees (the viewport, not the whole page: a checklist page is dozens of screens long).</summary>
    private static Task ShotAsync(BrowserSession session, string name) => session.Page.ScreenshotAsync(new PageScreenshotOptions
    {
        Path = System.IO.Path.Combine(RepositoryPaths.Artifacts("screenshots"), name + ".png"),
    });

    private async Task<Notification> NotificationAsync(string recipient, string kind)
    {
        await using var scope = fixture.Portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.GovernanceDbContext>();
        return await db.Notifications.AsNoTracking().SingleAsync(n => n.Recipient == recipient && n.Kind == kind && n.Link == Path);
    }
}
