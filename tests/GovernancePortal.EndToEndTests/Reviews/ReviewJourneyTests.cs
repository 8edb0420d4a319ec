using Microsoft.Playwright;

namespace GovernancePortal.Reviews;

/// <summary>
/// Issue 15's periodic review, as its people do it: the owner of the demo's overdue model answers the assessment, a compliance
/// officer signs it off through the dialog, and the next review date reaches the owner's personal calendar feed, which a calendar
/// application (Ical.Net here) reads without signing in.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReviewJourneyTests(BrowserFixture browser)
{
    // The demo's overdue review (DemoReviews.OverdueModel), owned by owner@demo.test.
    private const string Model = "support-chat-intent";

    [Fact]
    public async Task An_owner_answers_the_overdue_review_an_officer_signs_it_off_and_the_next_date_reaches_the_owners_calendar()
    {
        await using var owner = await browser.NewSessionAsync();
        await owner.SignInAsync("owner@demo.test");
        await owner.GotoAsync($"/models/{Model}/review");
        await owner.WaitForCircuitAsync();
        Assert.Equal("overdue", (await owner.Page.Locator("[data-testid=review-status]").InnerTextAsync()).Trim());
        await owner.CheckAccessibilityAsync();

        foreach (var (question, yes) in new[] { ("thresholds-met", true), ("drift-seen", false), ("incidents", false), ("use-unchanged", true), ("card-accurate", true) })
        {
            await owner.Page.Locator($"[data-testid={question}-{(yes ? "yes" : "no")}]").GetByText(yes ? "Yes" : "No").ClickAsync();
            await owner.Page.Locator($"[data-testid={question}-comment] textarea").First.FillAsync($"Checked against the monitoring dashboard ({question}).");
        }
        await owner.ScreenshotAsync("review-owner-answers");
        await owner.Page.Locator("[data-testid=save-review]").ClickAsync();
        await owner.Page.Locator("[data-testid=review-answered]").WaitForAsync();
        Assert.Contains("waiting for a compliance officer", await owner.Page.Locator("[data-testid=review-answered]").InnerTextAsync());
        // The owner cannot sign off their own answers.
        Assert.Equal(0, await owner.Page.Locator("[data-testid=sign-off-review]").CountAsync());

        await using var officer = await browser.NewSessionAsync();
        await officer.SignInAsync("compliance@demo.test");
        await officer.GotoAsync($"/models/{Model}/review");
        await officer.WaitForCircuitAsync();
        await officer.Page.Locator("[data-testid=sign-off-review]").ClickAsync();
        await officer.Page.Locator("[data-testid=review-decision-dialog]").WaitForAsync();
        await officer.CheckAccessibilityAsync();
        await officer.Page.Locator("textarea[data-testid=decision-comment], [data-testid=decision-comment] textarea").First.FillAsync("Monitoring evidence is sufficient.");
        await officer.ScreenshotAsync("review-officer-sign-off");
        await officer.Page.Locator("[data-testid=decision-confirm]").ClickAsync();
        await officer.Page.Locator(".mud-snackbar", new() { HasTextString = "signed off" }).WaitForAsync();
        await officer.Page.Locator("[data-testid=review-history]").WaitForAsync();
        Assert.NotEqual("overdue", (await officer.Page.Locator("[data-testid=review-status]").InnerTextAsync()).Trim());
        Assert.Contains("compliance@demo.test", await officer.Page.Locator("[data-testid=review-history]").InnerTextAsync());
        var nextDue = DateOnly.Parse((await officer.Page.Locator("[data-testid=review-due]").InnerTextAsync()).Trim()[..10], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(nextDue > DateOnly.FromDateTime(DateTime.UtcNow.AddMonths(23)), $"The next review is due {nextDue}, one 24-month interval ahead.");
        await officer.ScreenshotAsync("review-signed-off");

        // The owner's account page, from their name in the app bar, makes a calendar feed address.
        await owner.ClickToInteractiveAsync(owner.Page.Locator("[data-testid=user-name]"), url => url.EndsWith("/account"));
        await owner.Page.Locator("[data-testid=create-feed]").ClickAsync();
        var address = await owner.Page.Locator("[data-testid=feed-address] input").InputValueAsync();
        await owner.ScreenshotAsync("account-calendar-feed");
        await owner.CheckAccessibilityAsync();

        using var calendarApp = new HttpClient();
        var calendar = Ical.Net.Calendar.Load(await calendarApp.GetStringAsync(address))!;
        var review = Assert.Single(calendar.Events, e => e.Categories.Contains("Review") && e.Url!.AbsolutePath == $"/models/{Model}/review");
        Assert.Equal(nextDue, DateOnly.FromDateTime(review.DtStart!.Value));
        Assert.DoesNotContain("overdue", review.Summary);
        Assert.Empty(owner.Problems.Concat(officer.Problems));
    }
}
