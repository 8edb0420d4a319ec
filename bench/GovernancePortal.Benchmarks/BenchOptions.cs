using System.Globalization;

namespace GovernancePortal.Benchmarks;

/// <summary>Command-line settings. Every count is bounded so that a run stops by itself.</summary>
internal sealed class BenchOptions
{
    public const string PostgresVariable = "GOVERNANCE_BENCH_POSTGRES";

    public bool Appends { get; private set; } = true;
    public bool Verification { get; private set; } = true;
    /// <summary>The 10-million-event run (<c>--scenario scale</c>): not part of "all", it takes a quarter of an hour.</summary>
    public bool Scale { get; private set; }
    public long ScaleEvents { get; private set; } = 10_000_000;
    /// <summary>Npgsql connection string of a user who may create databases; null skips PostgreSQL.</summary>
    public string? Postgres { get; private set; } = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } s ? s : null;
    public int Repetitions { get; private set; } = 5;
    /// <summary>Writes per timed run with one writer.</summary>
    public int SingleWriterWrites { get; private set; } = 2000;
    /// <summary>Writers of the parallel runs, and the writes each of them makes per timed run.</summary>
    public int ParallelWriters { get; private set; } = 8;
    public int WritesPerParallelWriter { get; private set; } = 500;
    public int Events { get; private set; } = 1_000_000;
    public int VerifyRepetitions { get; private set; } = 5;
    public int DatabaseVerifyRepetitions { get; private set; } = 3;
    /// <summary>Checkpoint interval of the stored log (<c>Audit:Checkpoint:MaxEvents</c>; the portal defaults to 100).</summary>
    public int CheckpointInterval { get; private set; } = 1000;
    public string WorkFolder { get; private set; } = Path.Combine(Path.GetTempPath(), "governance-bench");
    public string? ResultsFile { get; private set; }

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Count(int min, int max)
            {
                var value = int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                return value >= min && value <= max ? value : throw new ArgumentException($"{args[i - 1]} must be {min}..{max}.");
            }
            switch (args[i])
            {
                case "--scenario":
                    var scenario = Next();
                    o.Appends = scenario is "all" or "appends";
                    o.Verification = scenario is "all" or "verify" or "verify+scale";
                    o.Scale = scenario is "scale" or "verify+scale";
                    if (!o.Appends && !o.Verification && !o.Scale)
                    {
                        throw new ArgumentException("--scenario is all, appends, verify, scale or verify+scale.");
                    }
                    break;
                case "--no-postgres": o.Postgres = null; break;
                case "--reps": o.Repetitions = Count(1, 50); break;
                case "--writes": o.SingleWriterWrites = Count(1, 1_000_000); break;
                case "--writers": o.ParallelWriters = Count(2, 64); break;
                case "--writes-per-writer": o.WritesPerParallelWriter = Count(1, 1_000_000); break;
                case "--events": o.Events = Count(1, 10_000_000); break;
                case "--verify-reps": o.VerifyRepetitions = Count(1, 50); break;
                case "--scale-events": o.ScaleEvents = Count(1, 100_000_000); break;
                case "--db-verify-reps": o.DatabaseVerifyRepetitions = Count(1, 50); break;
                case "--checkpoint-interval": o.CheckpointInterval = Count(1, 10_000_000); break;
                case "--work": o.WorkFolder = Path.GetFullPath(Next()); break;
                case "--results": o.ResultsFile = Path.GetFullPath(Next()); break;
                case "--quick":
                    o.Repetitions = 2;
                    o.SingleWriterWrites = 200;
                    o.WritesPerParallelWriter = 50;
                    o.Events = 20_000;
                    o.VerifyRepetitions = 2;
                    o.DatabaseVerifyRepetitions = 1;
                    o.ScaleEvents = 50_000;
                    break;
                case "-h" or "--help":
                    Console.WriteLine("""
                        GovernancePortal.Benchmarks [options]
                          --scenario all|appends|verify|scale|verify+scale   what to run (all); scale: 10,000,000 events
                          --scale-events N               events of the scale run (10000000)
                          --reps N                       timed repetitions of each append run (5)
                          --writes N                     writes per run with one writer (2000)
                          --writers N                    parallel writers (8)
                          --writes-per-writer N          writes per parallel writer per run (500)
                          --events N                     audit events to verify (1000000)
                          --verify-reps N                repetitions of in-memory timings (5)
                          --db-verify-reps N             repetitions of end-to-end database verification (3)
                          --checkpoint-interval N        signed checkpoint every N events in the stored log (1000)
                          --no-postgres                  SQLite only (also when GOVERNANCE_BENCH_POSTGRES is unset)
                          --work DIR                     folder for the SQLite files (a temp folder)
                          --results FILE                 also write the Markdown results there
                          --quick                        small counts, to try the harness
                        """);
                    Environment.Exit(0);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]} (see --help).");
            }
        }
        return o;
    }
}
