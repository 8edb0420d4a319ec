using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace GovernancePortal.Bench;

/// <summary>One navigation's marks, in ms from the navigation's start (the document's time origin).</summary>
public sealed record NavigationMarks(double FirstByte, double DomContentLoaded, double CircuitOn, double FirstRow, bool RowsInPrerender, double Wall);

/// <summary>
/// Time from navigation to the first grid page shown: a signed-in context (assets cached, as for someone who works in the
/// portal) loads /models again and again; an init script records, with a MutationObserver, when the layout says the
/// circuit is live and when the first grid row enters the document.
/// </summary>
public sealed class FirstPageTiming(Browser browser, BenchOptions options)
{
    private const string Marks = $$"""
        (() => {
          const observer = new MutationObserver(() => mark());
          function mark() {
            if (window.__circuitOn === undefined && document.querySelector("[data-circuit='on']")) window.__circuitOn = performance.now();
            if (window.__firstRow === undefined && document.querySelector("{{Browser.RowSelector}}")) window.__firstRow = performance.now();
            if (window.__circuitOn !== undefined && window.__firstRow !== undefined) observer.disconnect();
          }
          observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-circuit'] });
          document.addEventListener('DOMContentLoaded', () => { window.__rowsInPrerender = document.querySelector("{{Browser.RowSelector}}") !== null; });
        })();
        """;

    private const string Read = """
        () => {
          const n = performance.getEntriesByType('navigation')[0];
          return JSON.stringify({ firstByte: n.responseStart, dcl: n.domContentLoadedEventEnd, circuitOn: window.__circuitOn ?? -1,
            firstRow: window.__firstRow, rowsInPrerender: window.__rowsInPrerender === true });
        }
        """;

    public async Task<(IReadOnlyList<NavigationMarks> Warmup, IReadOnlyList<NavigationMarks> Measured)> RunAsync()
    {
        var context = await browser.SignedInContextAsync();
        await context.AddInitScriptAsync(Marks);
        var page = await context.NewPageAsync();
        var warmup = new List<NavigationMarks>();
        var measured = new List<NavigationMarks>();
        for (var i = 0; i < options.Warmup + options.Navigations; i++)
        {
            var marks = await NavigateAsync(page);
            (i < options.Warmup ? warmup : measured).Add(marks);
        }
        await context.CloseAsync();
        return (warmup, measured);
    }

    private async Task<NavigationMarks> NavigateAsync(IPage page)
    {
        var wall = Stopwatch.StartNew();
        await page.GotoAsync(browser.BaseUrl + "/models", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("() => window.__firstRow !== undefined", null, new PageWaitForFunctionOptions { PollingInterval = 5 });
        wall.Stop();
        // DOMContentLoaded has passed once rows are there (the grid loads them through the circuit, which starts after it).
        await page.WaitForFunctionAsync("() => performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd > 0");
        using var json = JsonDocument.Parse(await page.EvaluateAsync<string>(Read));
        var r = json.RootElement;
        return new NavigationMarks(r.GetProperty("firstByte").GetDouble(), r.GetProperty("dcl").GetDouble(), r.GetProperty("circuitOn").GetDouble(),
            r.GetProperty("firstRow").GetDouble(), r.GetProperty("rowsInPrerender").GetBoolean(), wall.Elapsed.TotalMilliseconds);
    }
}
