using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace GovernancePortal.Reports;

public sealed class ReportOptions
{
    public const string Section = "Reports";

    /// <summary>The operating system's Chromium; Playwright's own browser download is never used (ADR-006).</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>Reports printed at once; more wait their turn (each page holds a renderer process's memory).</summary>
    public int MaxConcurrent { get; set; } = 2;

    /// <summary>How long one print may take before it is abandoned (and its page discarded).</summary>
    public int TimeoutSeconds { get; set; } = 120;
}

/// <summary>What the running header and footer of every page say.</summary>
public sealed record PrintFrame(string Report, string Subject, DateTimeOffset GeneratedAt, string GeneratedBy, Guid ReportId);

/// <summary>
/// Prints HTML to PDF in one long-lived headless Chromium (ADR-027): pages are reused from a small pool, at most
/// <see cref="ReportOptions.MaxConcurrent"/> prints run at once, each within a timeout. A browser that crashed or
/// disconnected, or failed a print, is replaced; the print it took down is tried once more on the new browser.
/// </summary>
public sealed class PdfPrinter(IOptions<ReportOptions> options, ILogger<PdfPrinter> logger) : IAsyncDisposable
{
    // Chromium ignores switches it does not know; this one lets a test (or an operator) find this process among others.
    internal const string MarkerSwitch = "--governance-portal-reports";

    private static readonly string[] Args =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private readonly ReportOptions _options = options.Value;
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrent));
    private readonly SemaphoreSlim _launch = new(1, 1);
    private readonly ConcurrentBag<IPage> _idle = [];
    private readonly string _marker = $"{MarkerSwitch}={Guid.NewGuid():N}";
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private bool _disposed;

    /// <summary>The switch on this printer's browser command line (tests find and kill the process by it).</summary>
    internal string Marker => _marker;

    /// <summary>How many times a browser has been started (1 after the first print).</summary>
    public int Launches { get; private set; }

    public async Task<byte[]> PrintAsync(string html, PrintFrame frame, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        await _slots.WaitAsync(timeout.Token);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var (browser, context) = await ContextAsync(timeout.Token);
                IPage? page = null;
                try
                {
                    page = TakeIdle(context) ?? await context.NewPageAsync();
                    var pdf = await PrintOnAsync(page, html, frame).WaitAsync(timeout.Token);
                    _idle.Add(page);
                    return pdf;
                }
                catch (Exception ex) when (ex is PlaywrightException or OperationCanceledException or TimeoutException)
                {
                    // A page that failed or ran over is not trusted again.
                    if (page is not null)
                    {
                        _ = CloseQuietlyAsync(() => page.CloseAsync());
                    }
                    // A killed browser fails its pages before it reports the disconnect, so any browser error on a first attempt
                    // retires that browser: a healthy one costs a relaunch, a dead one would fail every later print.
                    if (attempt == 1 && ex is PlaywrightException)
                    {
                        logger.LogWarning(ex, "The report browser went away during a print; starting a new one and printing again.");
                        await RetireAsync(browser);
                        continue;
                    }
                    if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"The report was not printed within {_options.TimeoutSeconds} s.", ex);
                    }
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private static async Task<byte[]> PrintOnAsync(IPage page, string html, PrintFrame frame)
    {
        await page.SetContentAsync(html, new PageSetContentOptions { WaitUntil = WaitUntilState.Load });
        return await page.PdfAsync(new PagePdfOptions
        {
            Format = "A4",
            PrintBackground = true,
            DisplayHeaderFooter = true,
            HeaderTemplate = PrintTemplates.Header(frame),
            FooterTemplate = PrintTemplates.Footer(frame),
            Margin = new Margin { Top = "24mm", Bottom = "20mm", Left = "16mm", Right = "16mm" },
        });
    }

    private IPage? TakeIdle(IBrowserContext context)
    {
        while (_idle.TryTake(out var page))
        {
            if (!page.IsClosed && page.Context == context)
            {
                return page;
            }
        }
        return null;
    }

    /// <summary>Forgets a browser that failed a print, unless another print already replaced it.</summary>
    private async Task RetireAsync(IBrowser browser)
    {
        await _launch.WaitAsync();
        try
        {
            if (ReferenceEquals(_browser, browser))
            {
                _browser = null;
                _context = null;
                _ = CloseQuietlyAsync(() => browser.CloseAsync());
            }
        }
        finally
        {
            _launch.Release();
        }
    }

    private async Task<(IBrowser Browser, IBrowserContext Context)> ContextAsync(CancellationToken cancellationToken)
    {
        if (_browser is { IsConnected: true } current && _context is { } ready)
        {
            return (current, ready);
        }
        await _launch.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_browser is { IsConnected: true } live && _context is { } launched)
            {
                return (live, launched);
            }
            if (_browser is { } gone)
            {
                _ = CloseQuietlyAsync(() => gone.CloseAsync());
            }
            if (!File.Exists(_options.ChromiumPath))
            {
                throw new InvalidOperationException(
                    $"Chromium is not at {_options.ChromiumPath}: install it (Debian: apt-get install chromium) or set Reports__ChromiumPath.");
            }
            _playwright ??= await Playwright.CreateAsync();
            var browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = _options.ChromiumPath,
                Headless = true,
                Args = [.. Args, _marker],
            });
            // Reports are portal-made HTML with no scripts and nothing to fetch: no JavaScript, no network.
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false, Offline = true });
            await context.RouteAsync("**/*", route => route.AbortAsync());
            (_browser, _context) = (browser, context);
            Launches++;
            return (browser, context);
        }
        finally
        {
            _launch.Release();
        }
    }

    /// <summary>Closing what already failed may fail too (the browser is gone); nothing waits for it, so nothing may escape.</summary>
    private async Task CloseQuietlyAsync(Func<Task> close)
    {
        try
        {
            await close();
        }
        catch (Exception ex) when (ex is PlaywrightException or ObjectDisposedException or InvalidOperationException)
        {
            logger.LogDebug(ex, "Closing a failed report page or browser failed.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _launch.WaitAsync();
        try
        {
            _disposed = true;
            if (_browser is not null)
            {
                await _browser.CloseAsync();
            }
            _playwright?.Dispose();
        }
        finally
        {
            _launch.Release();
        }
    }
}
