using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GovernancePortal.Bench;

/// <summary>The machine's Chromium through Playwright (never a downloaded browser), with signed-in contexts on the catalogue.</summary>
public sealed partial class Browser(IPlaywright playwright, IBrowser chromium, string baseUrl, string username) : IAsyncDisposable
{
    /// <summary>A grid row: the model's link is rendered in the first cell of every row.</summary>
    public const string RowSelector = "[data-testid='model-link']";

    public static async Task<Browser> LaunchAsync(string chromiumPath, string baseUrl, string username)
    {
        if (!File.Exists(chromiumPath))
        {
            throw new InvalidOperationException($"Chromium is not at {chromiumPath} (apt-get install chromium).");
        }
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new Browser(playwright, chromium, baseUrl.TrimEnd('/'), username);
    }

    public string BaseUrl { get; } = baseUrl;

    /// <summary>A new context (its own cookies, its own renderer) signed in through the development sign-in form.</summary>
    public async Task<IBrowserContext> SignedInContextAsync()
    {
        var context = await chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 860 } });
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        // The context's own request API shares its cookie jar: the antiforgery cookie and token from the form, then gp.auth.
        var form = await context.APIRequest.GetAsync(BaseUrl + "/account/sign-in");
        var token = TokenPattern().Match(await form.TextAsync()) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("No antiforgery token on /account/sign-in.");
        var data = context.APIRequest.CreateFormData();
        data.Set("__RequestVerificationToken", token);
        data.Set("username", username);
        data.Set("returnUrl", "/models");
        var signIn = await context.APIRequest.PostAsync(BaseUrl + "/account/sign-in/persona", new APIRequestContextOptions { Form = data, MaxRedirects = 0 });
        if (signIn.Status != 302 || (await context.CookiesAsync()).All(c => c.Name != "gp.auth"))
        {
            throw new InvalidOperationException($"Development sign-in as {username} answered {signIn.Status} without a session cookie (rate limited? see RateLimits:SignIn).");
        }
        return context;
    }

    /// <summary>Opens the catalogue in the context and waits until its circuit has rendered the first page of rows.</summary>
    public async Task<IPage> OpenCatalogueAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/models");
        await page.Locator(RowSelector).First.WaitForAsync();
        return page;
    }

    /// <summary>Is this page's circuit live: rendered interactively, rows shown, the reconnect dialog closed?</summary>
    public static Task<bool> CircuitLooksAliveAsync(IPage page) => page.EvaluateAsync<bool>(
        $"() => document.querySelector(\"[data-circuit='on']\") !== null && document.querySelector(\"{RowSelector}\") !== null && document.getElementById('components-reconnect-modal')?.open !== true");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public IBrowser Chromium => chromium;

    public async ValueTask DisposeAsync()
    {
        await chromium.CloseAsync();
        playwright.Dispose();
    }
}
