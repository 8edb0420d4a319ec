using System.Diagnostics;

namespace GovernancePortal.Reports;

/// <summary>The engine on its own: one browser, bounded concurrency, and a browser that dies is replaced.</summary>
[Collection(ReportCollection.Name)]
public sealed class PdfPrinterTests(ReportPortals portals)
{
    private const string Html = "<!DOCTYPE html><html><head><title>Probe</title></head><body><h1>Probe</h1><p>Text.</p></body></html>";

    private static PrintFrame Frame() => new("Probe", "engine", DateTimeOffset.UnixEpoch, "tests", Guid.NewGuid());

    [Fact]
    public async Task A_killed_browser_is_replaced_and_later_reports_still_print()
    {
        var printer = portals.Printer;
        await printer.PrintAsync(Html, Frame(), default);
        var launches = printer.Launches;

        // Only the browser this printer started: its command line carries the printer's own marker.
        var killed = KillBrowser(printer.Marker);
        var after = await printer.PrintAsync(Html, Frame(), default);

        Assert.True(killed, "the report browser process was not found");
        Assert.Equal("%PDF"u8.ToArray(), after[..4]);
        Assert.Equal(launches + 1, printer.Launches);
    }

    [Fact]
    public async Task Several_reports_at_once_share_the_one_browser()
    {
        var printer = portals.Printer;
        await printer.PrintAsync(Html, Frame(), default);
        var launches = printer.Launches;

        var pdfs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => printer.PrintAsync(Html, Frame(), default)));

        Assert.All(pdfs, pdf => Assert.Equal("%PDF"u8.ToArray(), pdf[..4]));
        Assert.Equal(launches, printer.Launches);
    }

    /// <summary>Kills the browser's main process (the one without a <c>--type=</c> switch) whose command line has the marker.</summary>
    private static bool KillBrowser(string marker)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            if (commandLine.Contains(marker, StringComparison.Ordinal) && !commandLine.Contains("--type=", StringComparison.Ordinal))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit();
                return true;
            }
        }
        return false;
    }
}
