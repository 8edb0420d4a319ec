using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace GovernancePortal.Bench;

/// <summary>
/// Looks into the portal's process from outside, through the runtime's diagnostics port (EventPipe), so the portal needs
/// no endpoint or switch of its own: Blazor's circuit metrics (aspnetcore.components.circuit.active / .connected) are
/// read from a metrics session opened before the first circuit, and a full blocking GC is induced the way dotnet-gcdump
/// does it (the runtime provider's GCHeapCollect keyword). Resident memory comes from /proc.
/// </summary>
public sealed class ServerProbe : IAsyncDisposable
{
    private const string CircuitMeter = "Microsoft.AspNetCore.Components.Server.Circuits";
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    private readonly int _pid;
    private readonly DiagnosticsClient _client;
    private readonly EventPipeSession _metrics;
    private readonly Task _metricsPump;
    private readonly string _sessionId = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, double> _values = new();
    private int _published;

    private ServerProbe(int pid)
    {
        _pid = pid;
        _client = new DiagnosticsClient(pid);
        // MetricsEventSource: TimeSeriesValues (0x2) and its messages (0x1). An UpDownCounter is summed from the moment the
        // session starts, so it opens before any circuit does and stays open for the whole run.
        var provider = new EventPipeProvider("System.Diagnostics.Metrics", EventLevel.Informational, 0x3, new Dictionary<string, string>
        {
            ["SessionId"] = _sessionId,
            ["Metrics"] = CircuitMeter,
            ["RefreshInterval"] = "1",
            ["MaxTimeSeries"] = "100",
            ["MaxHistograms"] = "10",
        });
        _metrics = _client.StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        _metricsPump = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(_metrics.EventStream);
            source.Dynamic.All += OnMetricEvent;
            source.Process();
        });
    }

    public static ServerProbe Attach(int pid) => new(pid);

    /// <summary>Circuits in the server's memory (connected or kept after a disconnect); null until the first publication.</summary>
    public int? ActiveCircuits => Value("aspnetcore.components.circuit.active");

    /// <summary>Circuits whose browser is connected.</summary>
    public int? ConnectedCircuits => Value("aspnetcore.components.circuit.connected");

    private int? Value(string instrument) => Volatile.Read(ref _published) > 0 ? (int)_values.GetValueOrDefault(instrument) : null;

    private void OnMetricEvent(TraceEvent e)
    {
        if (e.EventName is not ("UpDownCounterRateValuePublished" or "CounterRateValuePublished")
            || e.PayloadByName("sessionId") as string != _sessionId)
        {
            return;
        }
        if (e.PayloadByName("instrumentName") is string name
            && double.TryParse(e.PayloadByName("value") as string, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            _values[name] = value;
            Interlocked.Increment(ref _published);
        }
    }

    /// <summary>Waits until the circuit counts satisfy <paramref name="done"/> (each publication is a second apart).</summary>
    public async Task<bool> WaitForCircuitsAsync(Func<int, int, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (ActiveCircuits is { } active && ConnectedCircuits is { } connected && done(active, connected))
            {
                return true;
            }
            await Task.Delay(250);
        }
        return false;
    }

    /// <summary>
    /// Induces a full blocking GC in the portal and returns the managed heap's size after it (GCHeapStats: generations 0–2,
    /// the large and the pinned object heaps).
    /// </summary>
    public async Task<long> FullGcAsync()
    {
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword);
        using var session = _client.StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16);
        var heap = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pump = Task.Run(() =>
        {
            using var source = new EventPipeEventSource(session.EventStream);
            var fullGcStarted = false;
            source.Clr.GCStart += d => fullGcStarted |= d.Depth == 2;
            source.Clr.GCHeapStats += d =>
            {
                if (fullGcStarted)
                {
                    heap.TrySetResult(d.GenerationSize0 + d.GenerationSize1 + d.GenerationSize2 + d.GenerationSize3 + d.GenerationSize4);
                }
            };
            source.Process();
        });
        var finished = await Task.WhenAny(heap.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        await session.StopAsync(CancellationToken.None);
        await pump;
        return finished == heap.Task ? await heap.Task : throw new TimeoutException("The induced GC did not report within 60 s.");
    }

    /// <summary>A line of /proc/PID/status in bytes (VmRSS, VmHWM, RssAnon…).</summary>
    public long Status(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"/proc/{_pid}/status has no {field}.");
    }

    public static long MemAvailable()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
        return long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _metrics.StopAsync(CancellationToken.None);
        }
        catch (ServerNotAvailableException)
        {
            // The portal has already gone.
        }
        await _metricsPump;
        _metrics.Dispose();
    }
}
