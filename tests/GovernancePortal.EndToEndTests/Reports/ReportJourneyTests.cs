using GovernancePortal.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GovernancePortal.Reports;

[Collection(BrowserCollection.Name)]
public sealed class ReportJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task An_auditor_downloads_a_dossier_verifies_copies_on_the_page_and_follows_a_portfolio_report_until_ready()
    {
        await using var session = await browser.NewSessionAsync();
        await session.SignInAsync("auditor@demo.test");

        // "Download PDF" on the version page prints the dossier and sends the file.
        await session.GotoAsync("/models/credit-default-pd/versions/1.2.0");
        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.Locator("[data-testid=download-dossier]").ClickAsync());
        var genuine = await File.ReadAllBytesAsync((await download.PathAsync())!);
        // The browser turns the redirected navigation into a download, which it reports as an aborted request.
        session.Problems.RemoveAll(p => p.StartsWith($"request failed: {browser.BaseUrl}/reports/", StringComparison.Ordinal) && p.Contains(".pdf", StringComparison.Ordinal));
        Assert.Equal("%PDF"u8.ToArray(), genuine[..4]);
        var altered = (byte[])genuine.Clone();
        altered[altered.Length / 2] ^= 0x01;
        var unrelated = await session.Page.PdfAsync();

        // The page answers what the API and the command answer for the same three files (ReportTests).
        await session.GotoAsync("/reports/verify");
        await session.WaitForCircuitAsync();
        foreach (var (file, verdict) in new[] { (genuine, "genuine"), (altered, "altered"), (unrelated, "unknown") })
        {
            await session.Page.Locator("input[type=file]").First.SetInputFilesAsync(new FilePayload { Name = $"{verdict}.pdf", MimeType = "application/pdf", Buffer = file });
            await session.Page.Locator($"[data-testid=verify-result][data-verdict={verdict}]").WaitForAsync();
            await session.ScreenshotAsync($"report-verify-{verdict}");
        }

        // A portfolio report is queued, printed by the background job, and the page follows it to Ready.
        await session.GotoAsync("/reports");
        await session.WaitForCircuitAsync();
        await session.Page.Locator("[data-testid=request-portfolio]").ClickAsync();
        var row = session.Page.Locator("[data-testid=report-row][data-status=Queued]").First;
        await row.WaitForAsync();
        var id = Guid.Parse((await row.GetAttributeAsync("data-report"))!);
        await session.ScreenshotAsync("report-page-queued");
        await using (var scope = browser.Portal.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ReportJob>().RunOneAsync(id, default);
        }
        await session.Page.Locator($"[data-testid=report-row][data-report='{id}'][data-status=Ready]").WaitForAsync();
        await session.ScreenshotAsync("report-page-ready");
        Assert.Empty(session.Problems);
    }
}
