using Microsoft.Playwright;

namespace GovernancePortal.Bench;

public sealed record MemoryReading(
    int Circuits, int Active, int Connected, int AliveInBrowser, long Rss, long RssAnon, long ManagedHeap, long AvailableOnMachine,
    string Load, TimeSpan OpenTime);

/// <summary>
/// Server memory per circuit: N signed-in contexts, each holding a circuit on the catalogue, then the portal's resident
/// memory after a full GC. N grows (0, 50, 200 …): contexts opened for one reading stay open for the next.
/// </summary>
public sealed class CircuitMemory(Browser browser, ServerProbe probe, BenchOptions options)
{
    private readonly List<(IBrowserContext Context, IPage Page)> _open = [];

    public async Task<IReadOnlyList<MemoryReading>> RunAsync()
    {
        // Warm-up: one catalogue visit, so that the N = 0 reading is a server that has served the page (JIT, EF Core's
        // model and compiled queries, MudBlazor's types), not a cold one. Its circuit then ends with its page.
        var warm = await browser.SignedInContextAsync();
        await browser.OpenCatalogueAsync(warm);
        await warm.CloseAsync();
        if (!await probe.WaitForCircuitsAsync((active, _) => active == 0, TimeSpan.FromSeconds(30)))
        {
            Console.Error.WriteLine($"note: the warm-up circuit is still in memory (active {probe.ActiveCircuits}); it counts in every reading alike.");
        }

        var readings = new List<MemoryReading>();
        foreach (var n in options.CircuitCounts)
        {
            var opened = System.Diagnostics.Stopwatch.StartNew();
            var complete = await OpenUpToAsync(n);
            opened.Stop();
            if (!complete)
            {
                // The browsers' renderers live on the same machine; read at what is open, then stop growing.
                Console.Error.WriteLine($"stopped at {_open.Count} of {n} circuits: the machine has less than {options.MinAvailableMiB} MiB available.");
                readings.Add(await ReadAsync(_open.Count, opened.Elapsed));
                break;
            }
            readings.Add(await ReadAsync(n, opened.Elapsed));
            var r = readings[^1];
            Console.Error.WriteLine($"N={n}: active {r.Active}, connected {r.Connected}, alive in browser {r.AliveInBrowser}; RSS {Mib(r.Rss)} MiB, anon {Mib(r.RssAnon)} MiB, managed heap {Mib(r.ManagedHeap)} MiB; load {r.Load}");
        }
        foreach (var (context, _) in _open)
        {
            await context.CloseAsync();
        }
        _open.Clear();
        return readings;
    }

    private async Task<bool> OpenUpToAsync(int n)
    {
        using var gate = new SemaphoreSlim(options.Parallel);
        var tasks = new List<Task<(IBrowserContext, IPage)>>();
        for (var i = _open.Count; i < n; i++)
        {
            if (ServerProbe.MemAvailable() < options.MinAvailableMiB * 1024L * 1024)
            {
                await Task.WhenAll(tasks);
                _open.AddRange(tasks.Select(t => t.Result));
                return false;
            }
            await gate.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    var context = await browser.SignedInContextAsync();
                    return (context, await browser.OpenCatalogueAsync(context));
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(tasks);
        _open.AddRange(tasks.Select(t => t.Result));
        return true;
    }

    private async Task<MemoryReading> ReadAsync(int n, TimeSpan openTime)
    {
        // Every browser's circuit must be connected before the reading counts (the server publishes the counts each second).
        if (!await probe.WaitForCircuitsAsync((_, connected) => connected >= n, TimeSpan.FromSeconds(120)))
        {
            Console.Error.WriteLine($"warning: only {probe.ConnectedCircuits} of {n} circuits connected after 120 s.");
        }
        var alive = 0;
        foreach (var (_, page) in _open)
        {
            alive += await Browser.CircuitLooksAliveAsync(page) ? 1 : 0;
        }
        // Two induced full GCs a few seconds apart: the first also collects what finalizers released.
        await probe.FullGcAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var heap = await probe.FullGcAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        return new MemoryReading(n, probe.ActiveCircuits ?? -1, probe.ConnectedCircuits ?? -1, alive, probe.Status("VmRSS"), probe.Status("RssAnon"), heap,
            ServerProbe.MemAvailable(), File.ReadAllText("/proc/loadavg").Split(' ')[..3].Aggregate((a, b) => a + " " + b), openTime);
    }

    public static string Mib(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
}
