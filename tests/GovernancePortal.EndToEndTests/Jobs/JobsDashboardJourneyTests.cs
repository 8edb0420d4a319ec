namespace GovernancePortal.Jobs;

[Collection(BrowserCollection.Name)]
public sealed class JobsDashboardJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_admin_opens_the_jobs_dashboard_and_its_charts_draw_under_the_portal_s_content_security_policy()
    {
        await using var session = await browser.NewSessionAsync();
        var violations = new List<string>();
        session.Page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        await session.SignInAsync("admin@demo.test");

        await session.GotoAsync("/admin/jobs");
        // Both overview charts are drawn by Chart.js, which would insert a <style> element unless told not to.
        await session.Page.Locator("#realtimeGraph").WaitForAsync();
        await session.Page.WaitForFunctionAsync("() => window.Chart && Object.keys(Chart.instances).length >= 2");
        Assert.Equal(0, await session.Page.Locator("style").CountAsync());
        await session.ScreenshotAsync("admin-jobs-dashboard");

        await session.GotoAsync("/admin/jobs/recurring");
        foreach (var (id, _, _) in JobsServices.Schedule)
        {
            Assert.True(await session.Page.GetByText(id, new() { Exact = true }).First.IsVisibleAsync(), $"{id} is not listed");
        }
        Assert.Empty(violations);
        Assert.Empty(session.Problems);
    }
}
