// Server memory per Blazor circuit and time to the first catalogue page, for bench/circuits/run.sh (issue 13, item 8).
// Drives the machine's Chromium (Playwright, never a downloaded browser) against a portal already running on a
// loopback port, and looks into that portal's process only through the runtime's diagnostics port and /proc.
using System.Globalization;
using System.Text;
using GovernancePortal.Bench;

var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

var report = new StringBuilder();
void Line(string text = "") => report.AppendLine(text);
string Mib(long bytes) => CircuitMemory.Mib(bytes);
string Kib(double bytes) => (bytes / 1024).ToString("N0", CultureInfo.InvariantCulture);
string Load() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]);

await using (var probe = ServerProbe.Attach(options.ServerPid))
await using (var browser = await Browser.LaunchAsync(options.Chromium, options.BaseUrl, options.User))
{
    Line($"Chromium {browser.Chromium.Version} (headless, one browser, one context per circuit), signed in as `{options.User}` through development sign-in.");
    Line();
    if (options.Memory)
    {
        var readings = await new CircuitMemory(browser, probe, options).RunAsync();
        var zero = readings.FirstOrDefault(r => r.Circuits == 0);
        Line("#### Server memory per circuit");
        Line();
        Line("| Circuits held (N) | Active / connected (server metrics) | Alive in the browser | RSS after full GC | RssAnon | Managed heap after GC | RSS − RSS(0), per circuit | Managed − managed(0), per circuit | Load (1, 5, 15 min) | Opening took |");
        Line("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
        foreach (var r in readings)
        {
            var perRss = zero is null || r.Circuits == 0 ? "–" : $"{Kib((r.Rss - zero.Rss) / (double)r.Circuits)} KiB";
            var perHeap = zero is null || r.Circuits == 0 ? "–" : $"{Kib((r.ManagedHeap - zero.ManagedHeap) / (double)r.Circuits)} KiB";
            Line($"| {r.Circuits} | {r.Active} / {r.Connected} | {r.AliveInBrowser} of {r.Circuits} | {Mib(r.Rss)} MiB | {Mib(r.RssAnon)} MiB | {Mib(r.ManagedHeap)} MiB | {perRss} | {perHeap} | {r.Load} | {r.OpenTime.TotalSeconds:F0} s |");
        }
        for (var i = 1; i < readings.Count; i++)
        {
            var (a, b) = (readings[i - 1], readings[i]);
            if (a.Circuits > 0 || b.Circuits > 0)
            {
                var n = (double)(b.Circuits - a.Circuits);
                Line();
                Line($"From {a.Circuits} to {b.Circuits} circuits: RSS {Kib((b.Rss - a.Rss) / n)} KiB, managed heap {Kib((b.ManagedHeap - a.ManagedHeap) / n)} KiB per added circuit.");
            }
        }
        if (readings.Count > 0 && readings[^1].Circuits < options.CircuitCounts.Max())
        {
            Line();
            Line($"Stopped at {readings[^1].Circuits} of {options.CircuitCounts.Max()} circuits: the machine had less than {options.MinAvailableMiB} MiB available (each context's renderer runs on this machine too).");
        }
        Line();
        Line($"Memory available on the machine at the last reading: {Mib(readings.LastOrDefault()?.AvailableOnMachine ?? ServerProbe.MemAvailable())} MiB (the browser's renderers are on the same machine).");
        Line();
    }
    if (options.Timing)
    {
        var loadBefore = Load();
        var (warmup, measured) = await new FirstPageTiming(browser, options).RunAsync();
        var loadAfter = Load();
        Line("#### Time from navigation to the first grid page");
        Line();
        Line($"{measured.Count} loads of `/models` in one signed-in context (assets cached), after {warmup.Count} warm-up loads; ms from the navigation's start. Load (1, 5, 15 min) before {loadBefore}, after {loadAfter}.");
        Line();
        Line("| Mark | Median | p95 | Min | Max |");
        Line("| --- | ---: | ---: | ---: | ---: |");
        void Row(string name, Func<NavigationMarks, double> pick)
        {
            var values = measured.Select(pick).ToList();
            Line($"| {name} | {Stats.Ms(Stats.Quantile(values, 0.5))} | {Stats.Ms(Stats.Quantile(values, 0.95))} | {Stats.Ms(values.Min())} | {Stats.Ms(values.Max())} |");
        }
        Row("First byte of the prerendered page (server: auth, session, prerender)", m => m.FirstByte);
        Row("DOMContentLoaded", m => m.DomContentLoaded);
        Row("Circuit live (the layout rendered interactively)", m => m.CircuitOn);
        Row("**First grid row in the document** (the aim)", m => m.FirstRow);
        Row("Same, measured by the driver (Playwright round trips included)", m => m.Wall);
        Line();
        Line($"Rows already in the prerendered HTML: {measured.Count(m => m.RowsInPrerender)} of {measured.Count} loads. First warm-up load (browser cache cold{(options.Memory ? "; server warm from the memory run" : "; first catalogue page this server rendered")}): first row at {Stats.Ms(warmup.FirstOrDefault()?.FirstRow ?? double.NaN)} ms.");
        Line();
    }
}

if (options.QueryRepetitions > 0)
{
    var times = await CatalogueQueries.TimeAsync(options.HostArguments, 5, options.QueryRepetitions);
    Line("#### The catalogue's queries, timed in-process");
    Line();
    Line($"{options.QueryRepetitions} repetitions after 5 warm-ups, each in a new DI scope (a new `GovernanceDbContext`) with the portal's services on the same database.");
    Line();
    Line("| Query | Median | p95 |");
    Line("| --- | ---: | ---: |");
    foreach (var (name, values) in times)
    {
        Line($"| `{name}` | {Stats.Ms(Stats.Quantile(values, 0.5))} ms | {Stats.Ms(Stats.Quantile(values, 0.95))} ms |");
    }
    Line();
}

Console.Write(report);
if (options.Results is { } path)
{
    await File.WriteAllTextAsync(path, report.ToString());
}
return 0;
