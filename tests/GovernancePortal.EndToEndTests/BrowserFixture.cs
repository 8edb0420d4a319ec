using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace GovernancePortal;

/// <summary>The portal on a real loopback port (Kestrel) with demo data, and headless Chromium to drive it.</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumVariable = "GOVERNANCE_TEST_CHROMIUM";

    private IPlaywright? _playwright;

    public PortalFactory Portal { get; } = new(TestDatabase.Sqlite);
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Portal.InitializeAsync();
        Portal.UseKestrel(0);
        Portal.StartServer();
        BaseUrl = Portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First().Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1").TrimEnd('/');

        (_playwright, Browser) = await LaunchChromiumAsync();
    }

    internal static async Task<(IPlaywright, IBrowser)> LaunchChromiumAsync()
    {
        var chromium = Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException($"Chromium is not at {chromium}. Install it (apt-get install chromium) or set {ChromiumVariable}; scripts/test.sh does both.");
        }
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return (playwright, browser);
    }

    /// <summary>A fresh browser context whose console errors and failed requests are collected for the test to assert on.</summary>
    public Task<BrowserSession> NewSessionAsync(int width = 1280, int height = 860) => NewSessionAsync(Browser, BaseUrl, width, height);

    internal static async Task<BrowserSession> NewSessionAsync(IBrowser browser, string baseUrl, int width = 1280, int height = 860)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        // Two cores run the server, the browser and other test hosts at once: allow for slow first renders.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page, baseUrl);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await ((IAsyncLifetime)Portal).DisposeAsync();
    }
}

public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    public BrowserSession(IBrowserContext context, IPage page, string baseUrl)
    {
        _context = context;
        Page = page;
        BaseUrl = baseUrl;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Problems.Add($"console error on {page.Url}: {message.Text}");
            }
        };
        page.PageError += (_, error) => Problems.Add($"script error on {page.Url}: {error}");
        page.RequestFailed += (_, request) => Problems.Add($"request failed: {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            // Pages may answer 4xx on purpose (a 404 page); assets never should.
            if (response.Status >= 400 && response.Request.ResourceType != "document")
            {
                Problems.Add($"asset {response.Url} answered {response.Status}");
            }
        };
    }

    public IPage Page { get; }
    public string BaseUrl { get; }
    public List<string> Problems { get; } = [];

    public async Task<IResponse?> GotoAsync(string path)
    {
        var response = await Page.GotoAsync(BaseUrl + path);
        await CheckDateTimesAsync();
        return response;
    }

    /// <summary>Every datetime attribute on the page is valid HTML; each that is not is a problem.</summary>
    public async Task CheckDateTimesAsync()
    {
        var attributes = await Page.EvaluateAsync<string[][]>(
            $"() => [...document.querySelectorAll('{HtmlDateTimes.Selector}')].map(e => [e.localName, e.getAttribute('datetime')])");
        Problems.AddRange(HtmlDateTimes.Invalid(attributes.Select(a => (a[0], a[1]))).Select(bad => $"invalid datetime on {Page.Url}: {bad}"));
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now; each is a problem.</summary>
    public async Task CheckAccessibilityAsync()
    {
        // A snackbar fading in is half transparent, and axe would judge its contrast mid-fade: let finite transitions end first.
        await Page.EvaluateAsync("() => Promise.all(document.getAnimations().filter(a => a.effect?.getComputedTiming().endTime !== Infinity).map(a => a.finished.catch(() => null)))");
        var violations = await Accessibility.Axe.SeriousViolationsAsync(Page);
        Problems.AddRange(violations.Select(v => $"accessibility on {Page.Url}: {v}"));
    }

    public async Task SignInAsync(string username)
    {
        await GotoAsync("/account/sign-in");
        await ClickAndWaitAsync(Page.Locator($"[data-testid='persona-{username}']"), url => url == BaseUrl + "/");
    }

    /// <summary>
    /// Clicks something that loads a new page and waits until that page has loaded. The old document is marked first,
    /// so a wait cannot be satisfied by the page the click started from (posts that redirect back to the same URL).
    /// </summary>
    public async Task ClickAndWaitAsync(ILocator target, Func<string, bool> arrivedAt)
    {
        await Page.EvaluateAsync("() => { window.__beforeClick = true; }");
        await target.ClickAsync();
        await Page.WaitForFunctionAsync("() => window.__beforeClick === undefined && document.readyState === 'complete'");
        if (!arrivedAt(Page.Url))
        {
            await Page.WaitForURLAsync(arrivedAt, new() { Timeout = 15_000 }).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        // A page that loaded somewhere else (an error page, a sign-in with a return address) says where and what it shows.
        if (!arrivedAt(Page.Url))
        {
            Assert.Fail($"The click loaded {Page.Url} ({string.Join(" / ", await Page.Locator("h1").AllInnerTextsAsync())}).");
        }
        await CheckDateTimesAsync();
    }

    /// <summary>
    /// Clicks a drawer link to a page that may be static or interactive. From an interactive page to another the router
    /// renders in the same document, otherwise a new document loads; either way the drawer then marks the target current.
    /// </summary>
    public async Task ClickDrawerLinkAsync(ILocator target, string href)
    {
        await target.ClickAsync();
        await Page.WaitForURLAsync(url => url == BaseUrl + href);
        await Page.WaitForFunctionAsync(
            "href => document.readyState === 'complete' && document.querySelector('nav.app-nav a[aria-current=page]')?.getAttribute('href') === href", href);
        await CheckDateTimesAsync();
    }

    /// <summary>
    /// Clicks a link to an interactive page. Inside a circuit the interactive router renders it in the same document,
    /// so this waits for the address and for the circuit to have rendered the page, not for a new document.
    /// </summary>
    public async Task ClickToInteractiveAsync(ILocator target, Func<string, bool> arrivedAt)
    {
        await target.ClickAsync();
        await Page.WaitForURLAsync(arrivedAt);
        await WaitForCircuitAsync();
    }

    /// <summary>Waits until an interactive page's circuit has rendered it (the layout marks this); before that, clicks only reach the prerendered HTML.</summary>
    public Task WaitForCircuitAsync() => Page.Locator("[data-circuit=on]").First.WaitForAsync();

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(RepositoryPaths.Artifacts("screenshots"), name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
