using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Benchmarks;

internal sealed record Measured(string What, Samples Seconds, string Note = "");

internal sealed class VerificationResults
{
    public int Events { get; init; }
    public List<Measured> Main { get; } = [];
    public List<Measured> Profile { get; } = [];
    public List<string> Facts { get; } = [];
    public Samples? YardstickOneCore { get; set; }
    public Samples? YardstickAllCores { get; set; }
    public Samples? InMemory { get; set; }
    public Dictionary<string, Samples> EndToEnd { get; } = [];
    /// <summary>Per database, each end-to-end verification with the two-core yardstick timed just before it.</summary>
    public Dictionary<string, List<PairedRun>> Paired { get; } = [];
}

/// <summary>
/// One end-to-end verification and the plain SHA-256 loop over the same bytes on all cores timed immediately before it
/// in the same process, with the load averages (1, 5, 15 min) read just before the loop.
/// </summary>
internal sealed record PairedRun(double YardstickSeconds, double VerifySeconds, string LoadBefore, string LoadAfter)
{
    public double Ratio => YardstickSeconds / VerifySeconds;
}

/// <summary>
/// Verification of a large log: in memory through <see cref="AuditChainVerifier"/>, end to end through
/// <see cref="AuditVerificationService"/> reading from each database, and a plain SHA-256 loop over the same bytes as
/// the yardstick, all in one run.
/// </summary>
internal static class VerificationBenchmark
{
    // Keeps the optimizer from discarding a loop whose result is otherwise unused.
    private static long _sink;

    public static async Task<VerificationResults> RunAsync(BenchOptions options)
    {
        var n = options.Events;
        var results = new VerificationResults { Events = n };

        Log.Line($"generating {Format.Count(n)} audit events");
        var start = Stopwatch.GetTimestamp();
        var log = AuditLogGenerator.Generate(n, options.CheckpointInterval);
        var generated = Timing.Seconds(start);
        var payloads = new Samples(log.Events.Select(e => (double)Encoding.UTF8.GetByteCount(e.Record.Payload)));
        results.Facts.Add($"{Format.Count(n)} events generated and chained in {Format.Seconds(generated)} (single thread); " +
            $"payload {Format.Number(payloads.Median, "0")} bytes median ({Format.Number(payloads.Percentile(0.05), "0")}–{Format.Number(payloads.Percentile(0.95), "0")} for 90 %, " +
            $"{Format.Number(payloads.Min, "0")}–{Format.Number(payloads.Max, "0")} overall) of canonical JSON over {log.Events.Select(e => e.Record.Action).Distinct().Count()} actions " +
            $"and {log.Events.Select(e => e.Record.Actor.Username).Distinct().Count()} actors.");

        // 1. In memory: the verifier alone, over StoredAuditEvent objects already in memory.
        var single = Timing.Repeat("in-memory Verify, 1 checkpoint", options.VerifyRepetitions,
            () => Expect(AuditChainVerifier.Verify(log.Events, [log.Final], log.HeadSequence, log.HeadHash, log.Key), n));
        results.InMemory = single;
        results.Main.Add(new Measured($"`AuditChainVerifier.Verify`, in memory, signed checkpoint at {Format.Count(n)}", single));
        var interval = Timing.Repeat("in-memory Verify, interval checkpoints", options.VerifyRepetitions,
            () => Expect(AuditChainVerifier.Verify(log.Events, log.Interval, log.HeadSequence, log.HeadHash, log.Key), n));
        results.Main.Add(new Measured($"`AuditChainVerifier.Verify`, in memory, {Format.Count(log.Interval.Count)} checkpoints (every {Format.Count(options.CheckpointInterval)})", interval));

        // 2. The yardstick: SHA-256 alone over the exact bytes the verifier hashes for each event's content.
        var canonical = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            canonical[i] = Encoding.UTF8.GetBytes(log.Events[i].Record.Canonical(log.Events[i].PreviousHash));
        }
        if (Convert.ToHexStringLower(SHA256.HashData(canonical[^1])) != log.HeadHash)
        {
            throw new InvalidOperationException("The yardstick's bytes are not the ones the chain was hashed over.");
        }
        // The hash path writes UTF-8 directly; it must be these very bytes (unit tests pin it too).
        for (var i = 0; i < n; i++)
        {
            if (!log.Events[i].Record.CanonicalUtf8(log.Events[i].PreviousHash).AsSpan().SequenceEqual(canonical[i]))
            {
                throw new InvalidOperationException($"AuditRecord.CanonicalUtf8 differs from AuditRecord.Canonical at event {i + 1}.");
            }
        }
        var bytes = canonical.Sum(b => (long)b.Length);
        results.Facts.Add($"Canonical record bytes hashed per event: {Format.Number((double)bytes / n, "0")} on average, {Format.Number(bytes / (1024.0 * 1024), "0")} MiB in all.");
        var shaOne = Timing.Repeat("SHA-256 loop, 1 core", options.VerifyRepetitions, () => HashAll(canonical, 0, canonical.Length));
        results.YardstickOneCore = shaOne;
        results.Main.Add(new Measured("Yardstick: plain SHA-256 loop over the same canonical bytes, 1 core", shaOne));
        var cores = Environment.ProcessorCount;
        var shaAll = Timing.Repeat($"SHA-256 loop, {cores} cores", options.VerifyRepetitions, () => Parallel.For(0, cores,
            part => HashAll(canonical, (int)((long)n * part / cores), (int)((long)n * (part + 1) / cores))));
        results.YardstickAllCores = shaAll;
        results.Main.Add(new Measured($"Yardstick: the same loop split over {cores} cores", shaAll));
        // The digest the verifier calls (ADR-015): OpenSSL's SHA256_Init/Update/Final directly where available.
        var shaDirect = Timing.Repeat("Sha256.Hash loop, 1 core", options.VerifyRepetitions, () => HashAllDirect(canonical));
        results.Main.Add(new Measured($"The same loop through `Sha256.Hash`, the verifier's digest ({(Sha256.UsesOpenSslDirectly ? "OpenSSL's digest functions called directly" : ".NET's SHA256: the direct path is not available here")}), 1 core", shaDirect));
        // Kept for the end-to-end runs: each is paired with this loop timed just before it (issue 18, item 8).
        Action yardstick = () => Parallel.For(0, cores, part => HashAll(canonical, (int)((long)n * part / cores), (int)((long)n * (part + 1) / cores)));

        // 3. Where the verifier's CPU time goes, one core each.
        var profileReps = Math.Min(3, options.VerifyRepetitions);
        results.Profile.Add(new Measured("Canonical JSON as a string, then UTF-8 (`AuditRecord.Canonical`, the display form; no longer on the hash path), 1 core",
            Timing.Repeat("canonical + UTF-8", profileReps, () =>
            {
                foreach (var e in log.Events)
                {
                    _sink += Encoding.UTF8.GetBytes(e.Record.Canonical(e.PreviousHash)).Length;
                }
            })));
        results.Profile.Add(new Measured("Content hash as hex (`AuditRecord.ComputeHash(previous)`: canonical UTF-8 written directly + SHA-256 + hex string), 1 core",
            Timing.Repeat("ComputeHash", profileReps, () =>
            {
                foreach (var e in log.Events)
                {
                    _sink += e.Record.ComputeHash(e.PreviousHash).Length;
                }
            })));
        results.Profile.Add(new Measured("Content hash as the verifier computes it (`AuditRecord.ComputeHash(previous, bytes)`, compared with the stored hex), 1 core",
            Timing.Repeat("ComputeHash to bytes", profileReps, () =>
            {
                Span<byte> computed = stackalloc byte[AuditRecord.HashSize];
                Span<char> hex = stackalloc char[2 * AuditRecord.HashSize];
                foreach (var e in log.Events)
                {
                    e.Record.ComputeHash(e.PreviousHash, computed);
                    Convert.TryToHexStringLower(computed, hex, out _);
                    if (!hex.SequenceEqual(e.Hash))
                    {
                        throw new InvalidOperationException($"Hash mismatch at event {e.Record.Sequence}.");
                    }
                }
            })));
        results.Profile.Add(new Measured("Merkle tree: hex-decode each hash, leaf hash, append (`CompactMerkleTree`), 1 core",
            Timing.Repeat("Merkle", profileReps, () =>
            {
                var tree = new CompactMerkleTree();
                Span<byte> raw = stackalloc byte[MerkleTree.HashSize];
                Span<byte> leaf = stackalloc byte[MerkleTree.HashSize];
                foreach (var e in log.Events)
                {
                    Convert.FromHexString(e.Hash, raw, out _, out _);
                    MerkleTree.LeafHash(raw, leaf);
                    tree.Append(leaf);
                }
                _sink += tree.Root()[0];
            })));

        // 4. End to end from each database.
        var databases = new List<Func<Task<BenchDatabase>>> { () => Task.FromResult(BenchDatabase.Sqlite(options.WorkFolder, "verify")) };
        if (options.Postgres is { } server)
        {
            databases.Add(() => BenchDatabase.PostgreSqlAsync(server, "verify"));
        }
        foreach (var create in databases)
        {
            await using var database = await create();
            await EndToEndAsync(database, log, options, results, yardstick);
        }
        return results;
    }

    private static async Task EndToEndAsync(BenchDatabase database, AuditLog log, BenchOptions options, VerificationResults results, Action yardstick)
    {
        var n = log.Events.Count;
        await using var services = database.BuildServices(log.Key.ExportPkcs8PrivateKeyPem(), options.CheckpointInterval);
        await BenchDatabase.MigrateSchemaOnlyAsync(services);
        Log.Line($"loading {Format.Count(n)} events into {database.Name} ({await database.ServerVersionAsync()})");
        var start = Stopwatch.GetTimestamp();
        if (database.Provider == Provider.Sqlite)
        {
            await StoredLog.LoadSqliteAsync(database.ConnectionString, log, log.Interval);
        }
        else
        {
            await StoredLog.LoadPostgreSqlAsync(database.ConnectionString, log, log.Interval);
        }
        var how = database.Provider == Provider.Sqlite ? "prepared INSERT in one transaction" : "binary COPY, then VACUUM ANALYZE";
        results.Facts.Add($"{database.Name}: {Format.Count(n)} events and {Format.Count(log.Interval.Count)} checkpoints loaded in {Format.Seconds(Timing.Seconds(start))} ({how}); " +
            $"{await StoredLog.SizeAsync(database)}; read from a warm OS page cache.");

        async Task Verify()
        {
            await using var scope = services.CreateAsyncScope();
            Expect(await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync(), n);
        }
        // Untimed once (JIT, pools, page cache), then each timed verification right after its own timed yardstick, so
        // that both see the same machine load; a full collection before the pair, none between.
        await Verify();
        yardstick();
        var pairs = new List<PairedRun>();
        var pauses = new List<double>();
        for (var r = 0; r < options.DatabaseVerifyRepetitions; r++)
        {
            Timing.Collect();
            var loadBefore = LoadAverage();
            var loopStart = Stopwatch.GetTimestamp();
            yardstick();
            var loop = Timing.Seconds(loopStart);
            var gc = GcState.Now();
            var verifyStart = Stopwatch.GetTimestamp();
            await Verify();
            var seconds = Timing.Seconds(verifyStart);
            pauses.Add(gc.Log($"{database.Name} VerifyAsync", seconds));
            pairs.Add(new PairedRun(loop, seconds, loadBefore, LoadAverage()));
            Log.Line($"  paired: loop on {Environment.ProcessorCount} cores {Format.Seconds(loop)}, VerifyAsync {Format.Seconds(seconds)}, " +
                $"ratio {Format.Ratio(pairs[^1].Ratio)}; load {loadBefore} -> {pairs[^1].LoadAfter}");
        }
        var e2e = new Samples(pairs.Select(p => p.VerifySeconds)) { GcPauses = new Samples(pauses) };
        results.EndToEnd[database.Name] = e2e;
        results.Paired[database.Name] = pairs;
        results.Main.Add(new Measured($"`AuditVerificationService.VerifyAsync`, end to end from {database.Name} ({Format.Count(log.Interval.Count)} checkpoints)", e2e));

        results.Profile.Add(new Measured($"{database.Name}: read only, `AuditSnapshot.Events` as `VerifyAsync` reads ({(database.Provider == Provider.Sqlite ? "SQLite's own API" : "one binary COPY stream cut into columns")}, column bytes copied into one reused batch; the canonical form is built by the verifier's workers), 1 core",
            await Timing.RepeatAsync($"{database.Name} AuditSnapshot.Events read", options.DatabaseVerifyRepetitions, async () =>
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
                await using (await AuditSnapshot.BeginAsync(db, CancellationToken.None))
                {
                    using var events = AuditSnapshot.Events(db);
                    var batch = new StoredEventBatch();
                    var count = 0;
                    bool more;
                    do
                    {
                        batch.Clear();
                        more = events.Fill(batch);
                        count += batch.Count;
                    }
                    while (more);
                    Expect(count, n);
                }
            }, warmUp: false)));
        var reading = new List<double>();
        results.Profile.Add(new Measured($"{database.Name}: `AuditSnapshot.Events` into `AuditChainVerifier.VerifyStored` (what `VerifyAsync` runs, without its EF queries)",
            await Timing.RepeatAsync($"{database.Name} Events + VerifyStored", options.DatabaseVerifyRepetitions, async () =>
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
                await using (await AuditSnapshot.BeginAsync(db, CancellationToken.None))
                {
                    using var events = AuditSnapshot.Events(db);
                    var inReader = 0L;
                    Expect(AuditChainVerifier.VerifyStored(batch =>
                    {
                        var start = Stopwatch.GetTimestamp();
                        var more = events.Fill(batch);
                        inReader += Stopwatch.GetTimestamp() - start;
                        return more;
                    }, log.Interval, log.HeadSequence, log.HeadHash, log.Key), n);
                    reading.Add(Stopwatch.GetElapsedTime(0, inReader).TotalSeconds);
                }
            }, warmUp: false)));
        results.Profile.Add(new Measured($"{database.Name}: … of which the reader thread spent reading (`Fill`, including GC pauses that fall there; it never waits for hashing)", new Samples(reading)));

        results.Profile.Add(new Measured($"{database.Name}: rows stepped by a plain data reader, no value read (engine and driver floor)",
            Timing.Repeat($"{database.Name} step rows", options.DatabaseVerifyRepetitions,
                () => Expect(StoredLog.StepRows(database), n), warmUp: false)));
        Func<IEnumerable<StoredAuditEvent>> raw = database.Provider == Provider.Sqlite
            ? () => StoredLog.ReadSqlite(database.ConnectionString)
            : () => StoredLog.ReadPostgreSql(database.ConnectionString);
        results.Profile.Add(new Measured($"{database.Name}: read only, plain data reader into strings (no EF; the reading before column bytes)",
            Timing.Repeat($"{database.Name} raw read", options.DatabaseVerifyRepetitions, () =>
            {
                var count = 0;
                foreach (var e in raw())
                {
                    count++;
                    _sink += e.Record.Payload.Length;
                }
                Expect(count, n);
            }, warmUp: false)));
    }

    /// <summary>The 1, 5 and 15 minute load averages, as uptime prints them.</summary>
    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static void HashAll(byte[][] data, int from, int to)
    {
        Span<byte> hash = stackalloc byte[32];
        for (var i = from; i < to; i++)
        {
            SHA256.HashData(data[i], hash);
        }
        Interlocked.Add(ref _sink, hash[0]);
    }

    private static void HashAllDirect(byte[][] data)
    {
        Span<byte> hash = stackalloc byte[32];
        for (var i = 0; i < data.Length; i++)
        {
            Sha256.Hash(data[i], hash);
        }
        Interlocked.Add(ref _sink, hash[0]);
    }

    private static void Expect(AuditVerificationResult result, int events)
    {
        if (!result.Valid || result.EventCount != events)
        {
            throw new InvalidOperationException($"Verification did not succeed over {events} events: {result.Reason}");
        }
    }

    private static void Expect(int count, int events)
    {
        if (count != events)
        {
            throw new InvalidOperationException($"Read {count} events, expected {events}.");
        }
    }
}
