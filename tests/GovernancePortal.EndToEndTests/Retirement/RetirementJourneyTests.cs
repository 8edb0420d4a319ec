using System.Text;
using System.Text.Json;
using GovernancePortal.Compliance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GovernancePortal.Retirement;

/// <summary>
/// Issue 15's journey: an owner plans a retirement with a successor, a reminder arrives, the decommission checklist is
/// signed off, the owner requests the decommission, an officer approves, and the version shows Retired, also on "Production now";
/// a stakeholder sees the planned retirement on "Production now" and in the calendar, and an auditor's view of production as
/// of a moment before the successor arrived shows the old version.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RetirementJourneyTests(BrowserFixture browser)
{
    private const string Model = "churn-retail";
    private const string Old = "2.1.0";
    private const string Successor = "2.2.0";

    private async Task<HttpClient> ApiAsync(string username)
    {
        var key = await Testing.TestApiKeys.IssueAsync(browser.Portal, username, "e2e-retirement");
        var client = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        client.DefaultRequestHeaders.Add(Identity.ApiKeyService.HeaderName, key.Secret);
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The successor reaches Production the ordinary way (the Minimal policy lets it run beside the old one).</summary>
    private async Task PromoteSuccessorAsync(HttpClient owner, HttpClient officer)
    {
        var card = JsonDocument.Parse(await owner.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await owner.PutAsync($"/api/v1/models/{Model}/versions/{Successor}/card", Json(card))).IsSuccessStatusCode);
        var requested = await owner.PostAsync($"/api/v1/models/{Model}/versions/{Successor}/promotions",
            Json("""{"targetStage":"production","justification":"Calibrated probabilities replace 2.1.0."}"""));
        Assert.True(requested.IsSuccessStatusCode, await requested.Content.ReadAsStringAsync());
        var id = JsonDocument.Parse(await requested.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var approved = await officer.PostAsync($"/api/v1/promotions/{id}/decisions", Json("""{"decision":"approve"}"""));
        Assert.True(approved.IsSuccessStatusCode, await approved.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_owner_plans_a_retirement_is_reminded_requests_the_decommission_and_an_officer_retires_the_version()
    {
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner@demo.test");
        await owner.GotoAsync($"/models/{Model}/versions/{Old}");
        await owner.WaitForCircuitAsync();
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=retirement-link]"), url => url.EndsWith($"/versions/{Old}/retirement"));

        var planned = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(20);
        await owner.Page.Locator("[data-testid=planned-date] input").FillAsync(planned.ToString("yyyy-MM-dd"));
        await owner.Page.Locator("[data-testid=planned-date] input").PressAsync("Tab");
        await owner.Page.Locator("[data-testid=reason-Superseded]").ClickAsync();
        await owner.Page.Locator("[data-testid=successor] input").FillAsync($"{Model} {Successor}");
        await owner.Page.Locator("[data-testid=notify] input").FillAsync("viewer@demo.test");
        await owner.Page.Locator("[data-testid=note] textarea").First.FillAsync("2.2.0 is calibrated; 2.1.0 goes once it runs in Production.");
        await owner.ScreenshotAsync("retirement-plan-form");
        await owner.Page.Locator("[data-testid=save-plan]").ClickAsync();
        await owner.Page.Locator("[data-testid=retirement-status]").WaitForAsync();
        Assert.Equal("Scheduled", (await owner.Page.Locator("[data-testid=retirement-status]").InnerTextAsync()).Trim());
        Assert.Equal(planned.ToString("yyyy-MM-dd"), (await owner.Page.Locator("[data-testid=planned-date-value]").InnerTextAsync()).Trim());
        await owner.ScreenshotAsync("retirement-planned");

        // The reminder job's next run: 20 days ahead, the 30-day reminder is due.
        await using (var scope = browser.Portal.Services.CreateAsyncScope())
        {
            await new RetirementReminderJob(scope.ServiceProvider.GetRequiredService<RetirementService>()).RunAsync(CancellationToken.None);
        }
        await owner.GotoAsync("/notifications");
        var reminder = owner.Page.Locator("[data-testid=notifications] tr[data-kind='retirement.reminder']").Filter(new() { HasText = "Retail customer churn" });
        Assert.Contains($"Retirement due in 20 days: Retail customer churn {Old}", await reminder.InnerTextAsync());
        await owner.ScreenshotAsync("retirement-reminder");

        // A stakeholder sees the planned retirement on "Production now" and in the month calendar.
        await using var viewer = await browser.NewSessionAsync();
        await viewer.SignInAsync("viewer@demo.test");
        await viewer.GotoAsync("/production");
        var productionRow = viewer.Page.Locator("[data-testid=production-table] tbody tr").Filter(new() { HasText = "Retail customer churn" })
            .Filter(new() { Has = viewer.Page.Locator($"a[href='/models/{Model}/versions/{Old}']") });
        Assert.Contains($"Retires {planned:yyyy-MM-dd}", await productionRow.Locator("[data-testid=planned-retirement]").InnerTextAsync());
        await viewer.ScreenshotAsync("retirement-production-now-planned");
        await viewer.GotoAsync("/retirements");
        await viewer.WaitForCircuitAsync();
        await viewer.Page.GetByRole(AriaRole.Tab, new() { Name = "Calendar" }).ClickAsync();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        if (planned.Month != today.Month)
        {
            await viewer.Page.Locator("[data-testid=next-month]").ClickAsync();
        }
        var day = viewer.Page.Locator($"[data-testid=month-calendar] [data-date='{planned:yyyy-MM-dd}']");
        Assert.Contains($"Retail customer churn {Old}", await day.InnerTextAsync());
        await viewer.ScreenshotAsync("retirement-calendar");

        // The moment before the successor reaches Production, for the auditor's as-of view later.
        var beforeSuccessor = DateTimeOffset.UtcNow;
        using var ownerApi = await ApiAsync("owner@demo.test");
        using var officerApi = await ApiAsync("compliance2@demo.test");
        await PromoteSuccessorAsync(ownerApi, officerApi);
        await ChecklistCalls.SignedOffAsync(ownerApi, await ApiAsync("compliance@demo.test"), Model, Old, "decommission");

        await owner.GotoAsync($"/models/{Model}/versions/{Old}/retirement");
        await owner.WaitForCircuitAsync();
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=request-decommission]"), url => url.Contains($"/versions/{Old}/promote"));
        Assert.Contains("Successor", await owner.Page.Locator(".gate-list, [data-testid=gates]").First.InnerTextAsync());
        await owner.Page.Locator("#justification").FillAsync("2.2.0 runs in Production; the decommission checklist is signed off.");
        await owner.ScreenshotAsync("retirement-decommission-request");
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=submit-request]"), url => url.Contains("/approvals/"));
        var request = owner.Page.Url;

        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance2@demo.test");
        await officer.GotoAsync(new Uri(request).AbsolutePath);
        await officer.WaitForCircuitAsync();
        await officer.ScreenshotAsync("retirement-officer-request");
        await officer.Page.Locator("[data-testid=approve]").ClickAsync();
        await officer.Page.Locator("[data-testid=confirm-ok]").ClickAsync();
        await officer.Page.Locator("[data-testid=request-state]", new() { HasText = "Approved" }).WaitForAsync();

        await owner.GotoAsync($"/models/{Model}/versions/{Old}");
        Assert.Contains("Retired", await owner.Page.Locator("dl.facts").First.InnerTextAsync());
        var panel = owner.Page.Locator("[data-testid=retirement-panel]");
        Assert.Equal("Retired", (await panel.Locator("[data-testid=retirement-status]").InnerTextAsync()).Trim());
        Assert.Contains($"{Model} {Successor}", await panel.Locator("[data-testid=successor-value]").InnerTextAsync());
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}", (await panel.Locator("[data-testid=retention-until]").InnerTextAsync()).Trim());
        await owner.ScreenshotAsync("retirement-version-retired");

        await viewer.GotoAsync("/production");
        var row = viewer.Page.Locator($"[data-testid=retired-row][data-model='{Model}'][data-version='{Old}']");
        Assert.Contains("Retired", await row.InnerTextAsync());
        await viewer.ScreenshotAsync("retirement-production-now");

        // An auditor asks what was in production before the successor arrived: the old version, with who approved it.
        await using var auditor = await browser.NewSessionAsync();
        await auditor.SignInAsync("auditor@demo.test");
        var asOf = beforeSuccessor.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        await auditor.GotoAsync($"/production/as-of?asOf={Uri.EscapeDataString(asOf)}");
        await auditor.WaitForCircuitAsync();
        var then = auditor.Page.Locator($"[data-testid=as-of-version][data-model='{Model}']");
        Assert.Equal([Old], (await then.AllInnerTextsAsync()).Select(t => t.Trim()));
        await auditor.ScreenshotAsync("production-as-of-before-successor");
        await auditor.GotoAsync("/production/as-of");
        await auditor.WaitForCircuitAsync();
        Assert.DoesNotContain(Old, (await auditor.Page.Locator($"[data-testid=as-of-version][data-model='{Model}']").AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.Empty(owner.Problems.Concat(officer.Problems).Concat(viewer.Problems).Concat(auditor.Problems));
    }
}
