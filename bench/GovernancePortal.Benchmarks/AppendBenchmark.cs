using System.Diagnostics;
using System.Globalization;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.Extensions.DependencyInjection;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Benchmarks;

internal enum WriteMode
{
    /// <summary>The baseline: the same row in a transaction of the same shape as an audited save (BEGIN, the batch, COMMIT).</summary>
    Unaudited,
    Audited,
    /// <summary>For reference: the same row as one autocommitted INSERT, the cheapest write there is.</summary>
    UnauditedAutocommit,
}

/// <summary>One timed run: <see cref="Writers"/> writers, each making <see cref="WritesPerWriter"/> writes.</summary>
/// <summary>What a write does: register a new model (an INSERT), or load one and revise its description (an UPDATE).</summary>
internal enum WriteKind
{
    Insert,
    Update,
}

internal sealed record AppendRun(WriteMode Mode, int Writers, int WritesPerWriter, double Seconds, double[] LatenciesMs)
{
    public int Writes => Writers * WritesPerWriter;
    public double WritesPerSecond => Writes / Seconds;
}

internal sealed record AppendCell(string Database, WriteKind Kind, int Writers, int WritesPerRun, Samples Unaudited, Samples Audited,
    Samples PairedRatios, Samples UnauditedLatencyMs, Samples AuditedLatencyMs, Samples? Autocommit)
{
    public double Ratio => Audited.Median / Unaudited.Median;

    public double? AutocommitRatio => Audited.Median / Autocommit?.Median;

    public string Write => Kind == WriteKind.Insert ? "new model (INSERT)" : "model revised (UPDATE)";
}

/// <summary>Milliseconds per write, 1 writer, split by EF's command and transaction durations.</summary>
internal sealed record AppendProfile(string Database, WriteMode Mode, double Total, double Begin, double HeadLock, double Writes, double Commit,
    double OtherCommands, double AuditBatch)
{
    public double OutsideDatabase => Total - Begin - HeadLock - Writes - Commit - OtherCommands - AuditBatch;
}

internal sealed record AppendSanity(string Database, bool Valid, long Events, long AuditedWrites, long AuditedUpdates, long Models, long ExpectedModels, string Reason);

/// <summary>
/// Appends per second: each write is one request's unit of work, a new <see cref="Model"/> row saved in its own scope,
/// with or without its audit event.
/// </summary>
internal static class AppendBenchmark
{
    private static readonly string[] Teams = ["credit-risk", "fraud", "pricing", "marketing-analytics", "claims", "treasury"];
    private static readonly string[] UseCases =
    [
        "Probability of default for retail mortgage applications, used in pricing and provisioning.",
        "Flags card transactions for manual fraud review before settlement.",
        "Forecasts claim severity for motor policies to set reserves.",
        "Ranks leads for outbound campaigns; no automated decision about individuals.",
    ];

    public static async Task<(List<AppendCell> Cells, List<AppendProfile> Profile, AppendSanity Sanity)> RunAsync(BenchDatabase database, BenchOptions options, string keyPem)
    {
        await using var services = database.BuildServices(keyPem);
        await BenchDatabase.MigrateAsync(services);
        Log.Line($"appends on {database.Name}: {await database.ServerVersionAsync()}");

        var keys = new KeySource();
        var shapes = new[] { (Writers: 1, PerWriter: options.SingleWriterWrites), (Writers: options.ParallelWriters, PerWriter: options.WritesPerParallelWriter) };

        // Warm-up: every code path (both contexts, both writer counts) JIT-compiled and the connection pools filled.
        foreach (var (writers, perWriter) in shapes)
        {
            foreach (var mode in Enum.GetValues<WriteMode>())
            {
                await RunOnceAsync(services, mode, writers, Math.Max(1, Math.Min(perWriter, 1000 / writers)), keys);
            }
        }

        var runs = new List<AppendRun>();
        for (var rep = 0; rep < options.Repetitions; rep++)
        {
            foreach (var (writers, perWriter) in shapes)
            {
                // Alternate which mode goes first, so a drift in machine load does not favour one of them.
                var order = rep % 2 == 0
                    ? new[] { WriteMode.Unaudited, WriteMode.Audited, WriteMode.UnauditedAutocommit }
                    : [WriteMode.UnauditedAutocommit, WriteMode.Audited, WriteMode.Unaudited];
                foreach (var mode in order)
                {
                    Timing.Collect();
                    var run = await RunOnceAsync(services, mode, writers, perWriter, keys);
                    runs.Add(run);
                    Log.Line($"  {database.Name} {mode,-19} {writers} writer(s) × {perWriter}: {Format.Rate(run.WritesPerSecond)} writes/s ({Format.Seconds(run.Seconds)})");
                }
            }
        }

        var cells = Cells(database.Name, WriteKind.Insert, shapes, runs);

        // Updates: each writer revises its own models (no two writers on one row), loaded first as a request would.
        var pool = await ModelIdsAsync(services);
        var updates = new List<AppendRun>();
        var updateModes = new[] { WriteMode.Unaudited, WriteMode.Audited };
        foreach (var (writers, perWriter) in shapes)
        {
            foreach (var mode in updateModes)
            {
                await RunOnceAsync(services, mode, writers, Math.Max(1, Math.Min(perWriter, 1000 / writers)), keys, pool);
            }
        }
        for (var rep = 0; rep < options.Repetitions; rep++)
        {
            foreach (var (writers, perWriter) in shapes)
            {
                foreach (var mode in rep % 2 == 0 ? updateModes : updateModes.Reverse())
                {
                    Timing.Collect();
                    var run = await RunOnceAsync(services, mode, writers, perWriter, keys, pool);
                    updates.Add(run);
                    Log.Line($"  {database.Name} update {mode,-12} {writers} writer(s) × {perWriter}: {Format.Rate(run.WritesPerSecond)} writes/s ({Format.Seconds(run.Seconds)})");
                }
            }
        }
        cells.AddRange(Cells(database.Name, WriteKind.Update, shapes, updates));

        var profile = await ProfileAsync(database, options, keyPem, keys);
        return (cells, profile, await SanityAsync(services, database, keys));
    }

    private static List<AppendCell> Cells(string database, WriteKind kind, IEnumerable<(int Writers, int PerWriter)> shapes, List<AppendRun> runs)
    {
        var cells = new List<AppendCell>();
        foreach (var (writers, perWriter) in shapes)
        {
            var u = runs.Where(r => r.Writers == writers && r.Mode == WriteMode.Unaudited).ToList();
            var a = runs.Where(r => r.Writers == writers && r.Mode == WriteMode.Audited).ToList();
            var auto = runs.Where(r => r.Writers == writers && r.Mode == WriteMode.UnauditedAutocommit).ToList();
            cells.Add(new AppendCell(database, kind, writers, writers * perWriter,
                new Samples(u.Select(r => r.WritesPerSecond)), new Samples(a.Select(r => r.WritesPerSecond)),
                new Samples(u.Zip(a, (x, y) => y.WritesPerSecond / x.WritesPerSecond)),
                new Samples(u.SelectMany(r => r.LatenciesMs)), new Samples(a.SelectMany(r => r.LatenciesMs)),
                auto.Count > 0 ? new Samples(auto.Select(r => r.WritesPerSecond)) : null));
        }
        return cells;
    }

    private static async Task<Guid[]> ModelIdsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PlainModelDbContext>().Models.Where(m => m.Key.StartsWith("bench-"))
            .OrderBy(m => m.Key).Select(m => m.Id).ToArrayAsync();
    }

    /// <summary>
    /// Untimed for the table: one writer again, with EF's durations summed by a command interceptor, in four
    /// alternating blocks per mode so that a passing disturbance (fsync latency, machine load) hits both.
    /// </summary>
    private static async Task<List<AppendProfile>> ProfileAsync(BenchDatabase database, BenchOptions options, string keyPem, KeySource keys)
    {
        const int blocks = 4;
        using var timer = new CommandTimer();
        await using var services = database.BuildServices(keyPem, timer: timer);
        var perBlock = Math.Max(1, options.SingleWriterWrites / 2 / blocks);
        var modes = new[] { WriteMode.Unaudited, WriteMode.Audited };
        var sums = modes.ToDictionary(m => m, _ => new double[7]);
        foreach (var mode in modes)
        {
            await RunOnceAsync(services, mode, 1, Math.Min(perBlock, 100), keys);
        }
        for (var block = 0; block < blocks; block++)
        {
            foreach (var mode in block % 2 == 0 ? modes : modes.Reverse())
            {
                timer.Reset();
                var run = await RunOnceAsync(services, mode, 1, perBlock, keys);
                var sum = sums[mode];
                sum[0] += run.Seconds * 1000;
                sum[1] += timer[CommandTimer.Begin].TotalMilliseconds;
                sum[2] += timer[CommandTimer.HeadLock].TotalMilliseconds;
                sum[3] += timer[CommandTimer.Writes].TotalMilliseconds;
                sum[4] += timer[CommandTimer.Commit].TotalMilliseconds;
                sum[5] += timer[CommandTimer.Other].TotalMilliseconds;
                sum[6] += timer[CommandTimer.AuditBatch].TotalMilliseconds;
            }
        }
        var writes = (double)perBlock * blocks;
        var profile = modes.Select(m => sums[m]).Zip(modes, (s, m) =>
            new AppendProfile(database.Name, m, s[0] / writes, s[1] / writes, s[2] / writes, s[3] / writes, s[4] / writes, s[5] / writes, s[6] / writes)).ToList();
        foreach (var p in profile)
        {
            Log.Line($"  profile {database.Name} {p.Mode}: {Format.Millis(p.Total)} ms per write, {Format.Millis(p.OutsideDatabase)} ms outside the database");
        }
        return profile;
    }

    /// <summary>After the audited runs: the chain verifies, has no gaps, and holds one event per audited write.</summary>
    private static async Task<AppendSanity> SanityAsync(IServiceProvider services, BenchDatabase database, KeySource keys)
    {
        await using var scope = services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync();
        var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        var models = await db.Models.LongCountAsync();
        var registered = await db.AuditEvents.LongCountAsync(e => e.Action == "model.registered");
        var revised = await db.AuditEvents.LongCountAsync(e => e.Action == "model.revised");
        // The same row shape from both contexts: a row written without audit reads back through the portal's context.
        var plain = await db.Models.AsNoTracking().FirstAsync(m => m.Key.StartsWith("bench-u-"));
        var audited = await db.Models.AsNoTracking().FirstAsync(m => m.Key.StartsWith("bench-a-"));
        var shapeOk = plain.CreatedAt.Year > 2000 && audited.CreatedAt.Year > 2000 && plain.Team.Length > 0;
        var valid = result.Valid && result.EventCount == result.HeadSequence && registered == keys.Audited && revised == keys.AuditedUpdates
            && models == keys.Total && shapeOk;
        Log.Line($"  sanity {database.Name}: {result.Reason}; {registered} model.registered events for {keys.Audited} audited writes; " +
            $"{revised} model.revised events for {keys.AuditedUpdates} audited updates; {models} models for {keys.Total} writes");
        return new AppendSanity(database.Name, valid, result.EventCount, keys.Audited, keys.AuditedUpdates, models, keys.Total, result.Reason);
    }

    private static async Task<AppendRun> RunOnceAsync(IServiceProvider services, WriteMode mode, int writers, int perWriter, KeySource keys,
        Guid[]? updatePool = null)
    {
        var latencies = new double[writers * perWriter];
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (updatePool is null)
                {
                    await WriteAsync(services, mode, writer, keys.Next(mode));
                }
                else
                {
                    await UpdateAsync(services, mode, writer, keys.NextUpdate(mode), updatePool[(writer + writers * i) % updatePool.Length]);
                }
                latencies[writer * perWriter + i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
        })));
        var seconds = Timing.Seconds(start);
        return new AppendRun(mode, writers, perWriter, seconds, latencies);
    }

    /// <summary>One request: a scope, a context, one new model, one SaveChanges.</summary>
    private static async Task WriteAsync(IServiceProvider services, WriteMode mode, int writer, long n)
    {
        await using var scope = services.CreateAsyncScope();
        var model = NewModel(mode, writer, n);
        if (mode == WriteMode.Audited)
        {
            scope.ServiceProvider.GetRequiredService<BenchAuditContext>().Current = new AuditContext(
                new AuditActor($"00000000-0000-4000-8000-{writer:D12}", model.Owner, ["ModelOwner"]),
                $"0HNBENCH{writer:D2}:{n:X8}", "127.0.0.1");
            var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
            db.Models.Add(model);
            db.Audit.Record("model.registered", model);
            await db.SaveChangesAsync();
        }
        else if (mode == WriteMode.Unaudited)
        {
            // The transaction shape of an audited save (AuditRecorder): BEGIN, the batch without a savepoint, COMMIT.
            var db = scope.ServiceProvider.GetRequiredService<PlainModelDbContext>();
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Models.Add(model);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        else
        {
            var db = scope.ServiceProvider.GetRequiredService<PlainModelDbContext>();
            db.Models.Add(model);
            await db.SaveChangesAsync();
        }
    }

    /// <summary>One request: a scope, a context, the model loaded, its description revised, one SaveChanges.</summary>
    private static async Task UpdateAsync(IServiceProvider services, WriteMode mode, int writer, long n, Guid id)
    {
        await using var scope = services.CreateAsyncScope();
        var description = $"Revised by writer {writer.ToString(CultureInfo.InvariantCulture)}, revision {n.ToString(CultureInfo.InvariantCulture)}.";
        if (mode == WriteMode.Audited)
        {
            scope.ServiceProvider.GetRequiredService<BenchAuditContext>().Current = new AuditContext(
                new AuditActor($"00000000-0000-4000-8000-{writer:D12}", $"owner{writer}@corp.example", ["ModelOwner"]),
                $"0HNBENCHU{writer:D2}:{n:X8}", "127.0.0.1");
            var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
            var model = await db.Models.SingleAsync(m => m.Id == id);
            model.Description = description;
            model.Revision++;
            db.Audit.Record("model.revised", model);
            await db.SaveChangesAsync();
        }
        else
        {
            var db = scope.ServiceProvider.GetRequiredService<PlainModelDbContext>();
            var model = await db.Models.SingleAsync(m => m.Id == id);
            model.Description = description;
            model.Revision++;
            // The transaction shape of an audited save, as for inserts.
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
    }

    private static Model NewModel(WriteMode mode, int writer, long n)
    {
        var key = $"bench-{(mode == WriteMode.Audited ? 'a' : 'u')}-{n.ToString("D8", CultureInfo.InvariantCulture)}";
        var owner = $"owner{writer}@corp.example";
        return new Model
        {
            Key = key,
            Name = $"Benchmark model {n.ToString(CultureInfo.InvariantCulture)}",
            Description = "Gradient-boosted model registered by the benchmark; the row has the shape of a real registration.",
            Owner = owner,
            BusinessOwner = "head.of.lending@corp.example",
            Team = Teams[n % Teams.Length],
            UseCase = UseCases[n % UseCases.Length],
            RiskTier = (RiskTier)(n % 3),
            DataCategories = (DataCategories)(n % 4),
            Tags = "benchmark,gbm,retail",
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = owner,
        };
    }

    /// <summary>Unique model keys across every run on one database, and a count of the writes of each kind.</summary>
    private sealed class KeySource
    {
        private long _next;
        private long _audited;
        private long _updates;
        private long _auditedUpdates;

        public long Total => Interlocked.Read(ref _next);
        public long Audited => Interlocked.Read(ref _audited);
        public long AuditedUpdates => Interlocked.Read(ref _auditedUpdates);

        public long NextUpdate(WriteMode mode)
        {
            if (mode == WriteMode.Audited)
            {
                Interlocked.Increment(ref _auditedUpdates);
            }
            return Interlocked.Increment(ref _updates);
        }

        public long Next(WriteMode mode)
        {
            if (mode == WriteMode.Audited)
            {
                Interlocked.Increment(ref _audited);
            }
            return Interlocked.Increment(ref _next);
        }
    }
}
