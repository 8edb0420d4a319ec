using System.Diagnostics;
using System.Globalization;

namespace GovernancePortal.Benchmarks;

/// <summary>A set of repeated measurements; the median is what is reported.</summary>
internal sealed class Samples(IEnumerable<double> values)
{
    private readonly double[] _sorted = values.Order().ToArray();

    public int Count => _sorted.Length;
    /// <summary>Time the runtime spent in GC pauses during each timed run, when measured.</summary>
    public Samples? GcPauses { get; init; }
    public double Median => Percentile(0.5);
    public double Min => _sorted[0];
    public double Max => _sorted[^1];

    /// <summary>Nearest-rank-interpolated percentile, p in [0, 1].</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 1)
        {
            return _sorted[0];
        }
        var position = p * (_sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, _sorted.Length - 1);
        return _sorted[low] + (_sorted[high] - _sorted[low]) * (position - low);
    }
}

internal static class Timing
{
    public static double Seconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>Runs <paramref name="body"/> once untimed (JIT tiers, caches), then <paramref name="repetitions"/> times timed.</summary>
    public static Samples Repeat(string label, int repetitions, Action body, bool warmUp = true)
    {
        if (warmUp)
        {
            body();
        }
        var seconds = new List<double>(repetitions);
        var pauses = new List<double>(repetitions);
        for (var r = 0; r < repetitions; r++)
        {
            Collect();
            var gc = GcState.Now();
            var start = Stopwatch.GetTimestamp();
            body();
            seconds.Add(Seconds(start));
            pauses.Add(gc.Log(label, seconds[^1]));
        }
        return new Samples(seconds) { GcPauses = new Samples(pauses) };
    }

    public static async Task<Samples> RepeatAsync(string label, int repetitions, Func<Task> body, bool warmUp = true)
    {
        if (warmUp)
        {
            await body();
        }
        var seconds = new List<double>(repetitions);
        var pauses = new List<double>(repetitions);
        for (var r = 0; r < repetitions; r++)
        {
            Collect();
            var gc = GcState.Now();
            var start = Stopwatch.GetTimestamp();
            await body();
            seconds.Add(Seconds(start));
            pauses.Add(gc.Log(label, seconds[^1]));
        }
        return new Samples(seconds) { GcPauses = new Samples(pauses) };
    }

    /// <summary>A full, compacting collection between timed runs, so one run's garbage is not billed to the next.</summary>
    public static void Collect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
    }
}

/// <summary>The collector's counters at the start of a timed run.</summary>
internal readonly record struct GcState(TimeSpan Pause, int Gen0, int Gen1, int Gen2)
{
    public static GcState Now() => new(GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>Logs the run with what the collector did during it; returns the seconds spent paused.</summary>
    public double Log(string label, double seconds)
    {
        var now = Now();
        var paused = (now.Pause - Pause).TotalSeconds;
        Benchmarks.Log.Line($"  {label}: {Format.Seconds(seconds)} (GC: {Format.Seconds(paused)} paused; " +
            $"{now.Gen0 - Gen0}/{now.Gen1 - Gen1}/{now.Gen2 - Gen2} collections of gen 0/1/2)");
        return paused;
    }
}

internal static class Format
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Seconds(double s) => s < 1 ? $"{(s * 1000).ToString("0", Invariant)} ms" : $"{s.ToString("0.00", Invariant)} s";
    public static string Millis(double ms) => ms < 10 ? ms.ToString("0.00", Invariant) : ms.ToString("0.0", Invariant);
    public static string Rate(double perSecond) => perSecond.ToString("#,0", Invariant);
    public static string Ratio(double r) => r.ToString("0.00", Invariant);
    public static string Count(long n) => n.ToString("#,0", Invariant);
    public static string Number(double n, string format) => n.ToString(format, Invariant);
}

internal static class Log
{
    private static readonly long Start = Stopwatch.GetTimestamp();

    /// <summary>Progress goes to stderr with the elapsed time; results go to stdout.</summary>
    public static void Line(string message) =>
        Console.Error.WriteLine($"[{Stopwatch.GetElapsedTime(Start).TotalSeconds.ToString("0000.0", CultureInfo.InvariantCulture)}] {message}");
}
