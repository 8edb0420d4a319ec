using System.Globalization;

namespace GovernancePortal.Bench;

public sealed record BenchOptions
{
    public const string Usage = """
        Usage: CircuitBench --base-url URL --server-pid PID [options] [portal host settings...]
          --circuits 0,50,200     circuit counts for the memory readings (ascending)
          --navigations 100       measured loads of /models (after --warmup 10)
          --parallel 2            contexts opened at once
          --min-available-mib 3072  stop opening contexts below this much available memory on the machine
          --query-repetitions 50  in-process timings of the catalogue's queries (0 skips)
          --skip-memory, --skip-timing
          --user viewer@demo.test --chromium /usr/bin/chromium --results FILE
          host settings are the portal's (for the in-process query timing), e.g. --Database:Provider=Sqlite
        """;

    public string BaseUrl { get; init; } = "";
    public int ServerPid { get; init; }
    public IReadOnlyList<int> CircuitCounts { get; init; } = [0, 50, 200];
    public int Navigations { get; init; } = 100;
    public int Warmup { get; init; } = 10;
    public int Parallel { get; init; } = 2;
    public int MinAvailableMiB { get; init; } = 3072;
    public int QueryRepetitions { get; init; } = 50;
    public bool Memory { get; init; } = true;
    public bool Timing { get; init; } = true;
    public string User { get; init; } = "viewer@demo.test";
    public string Chromium { get; init; } = Environment.GetEnvironmentVariable("GOVERNANCE_TEST_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
    public string? Results { get; init; }
    public string[] HostArguments { get; init; } = [];

    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions();
        var host = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--base-url" => o with { BaseUrl = Next() },
                "--server-pid" => o with { ServerPid = Int() },
                "--circuits" => o with { CircuitCounts = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order()] },
                "--navigations" => o with { Navigations = Int() },
                "--warmup" => o with { Warmup = Int() },
                "--parallel" => o with { Parallel = Math.Max(1, Int()) },
                "--min-available-mib" => o with { MinAvailableMiB = Int() },
                "--query-repetitions" => o with { QueryRepetitions = Int() },
                "--skip-memory" => o with { Memory = false },
                "--skip-timing" => o with { Timing = false },
                "--user" => o with { User = Next() },
                "--chromium" => o with { Chromium = Next() },
                "--results" => o with { Results = Next() },
                "-h" or "--help" => null,
                _ => Host(o, host, args[i]),
            };
            if (o is null)
            {
                return null;
            }
        }
        return o.BaseUrl.Length == 0 || o.ServerPid <= 0 ? null : o with { HostArguments = [.. host] };
    }

    private static BenchOptions Host(BenchOptions o, List<string> host, string argument)
    {
        host.Add(argument);
        return o;
    }
}
