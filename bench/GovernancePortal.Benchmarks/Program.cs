using System.Runtime;
using System.Runtime.InteropServices;
using GovernancePortal.Audit;
using GovernancePortal.Benchmarks;

// Measures audited vs unaudited appends and verification of a large audit log; see bench/README.md.
if (args is [ScaleBenchmark.ChildFlag, var childProvider, var childConnection, var childKey])
{
    return await ScaleBenchmark.ChildAsync(childProvider, childConnection, childKey);
}
var options = BenchOptions.Parse(args);
// Writers block on SQLite (its "async" calls run synchronously): without spare pool threads, 8 writers would first
// measure the thread pool's injection delay.
ThreadPool.SetMinThreads(Math.Max(32, Environment.ProcessorCount), Math.Max(32, Environment.ProcessorCount));
Directory.CreateDirectory(options.WorkFolder);

var report = new Report();
report.Paragraph($"Run of {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: {RuntimeInformation.FrameworkDescription}, " +
    $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, {Environment.ProcessorCount} logical processors; " +
    $"{options.Repetitions} timed repetitions per append cell, medians reported.");

var aims = new List<IReadOnlyList<string>>();

if (options.Appends)
{
    using var key = CheckpointSigner.CreateKey();
    var pem = key.ExportPkcs8PrivateKeyPem();
    var cells = new List<AppendCell>();
    var sanity = new List<AppendSanity>();
    var profiles = new List<AppendProfile>();
    var versions = new List<string>();
    var databases = new List<Func<Task<BenchDatabase>>> { () => Task.FromResult(BenchDatabase.Sqlite(options.WorkFolder, "appends")) };
    if (options.Postgres is { } server)
    {
        databases.Add(() => BenchDatabase.PostgreSqlAsync(server, "appends"));
    }
    else
    {
        Log.Line($"{BenchOptions.PostgresVariable} is not set: PostgreSQL is skipped");
    }
    foreach (var create in databases)
    {
        await using var database = await create();
        versions.Add(await database.ServerVersionAsync());
        var (c, p, s) = await AppendBenchmark.RunAsync(database, options, pem);
        cells.AddRange(c);
        profiles.AddRange(p);
        sanity.Add(s);
    }

    report.Heading("Appends per second");
    report.Paragraph($"One write = one request's unit of work in its own DI scope and context: a new `Model` row and `SaveChangesAsync` (INSERT), or " +
        $"a model loaded by its id, its description revised and `SaveChangesAsync` (UPDATE, `model.revised`; each writer revises its own models). Audited: `GovernanceDbContext` with " +
        $"`db.Audit.Record(\"model.registered\", model)` (or `\"model.revised\"`), which saves in a transaction of its own: BEGIN and EF's batch, then on SQLite the " +
        $"recorder's own prepared command (the events and the head row's guarded move) and COMMIT; on PostgreSQL, for a save of new rows, " +
        $"the events (each chained by one statement) and the COMMIT at the end of EF's batch, one round trip in all; a save with an UPDATE " +
        $"sends them in a prepared batch of its own after EF's (ADR-016). Unaudited: the same row through a " +
        $"plain context mapping only `Model` to the same table, in a transaction of the same shape (BEGIN, the batch, COMMIT, no savepoint); " +
        $"the aim's ratio is against it. Autocommit (inserts only): the same row as one autocommitted INSERT, for reference. " +
        $"Databases: {string.Join("; ", versions)}.");
    report.Table(
        ["Database", "Write", "Writers", "Writes per run", "Unaudited writes/s", "Audited writes/s", "Audited / unaudited", "Paired ratio range", "Aim ≥ 0.70",
         "Autocommit writes/s", "Audited / autocommit"],
        cells.Select(c => (IReadOnlyList<string>)
        [
            c.Database, c.Write, c.Writers.ToString(), Format.Count(c.WritesPerRun), Format.Rate(c.Unaudited.Median), Format.Rate(c.Audited.Median),
            Format.Ratio(c.Ratio), $"{Format.Ratio(c.PairedRatios.Min)}–{Format.Ratio(c.PairedRatios.Max)}", c.Ratio >= 0.7 ? "met" : "**not met**",
            c.Autocommit is { } auto ? Format.Rate(auto.Median) : "–", c.AutocommitRatio is { } ratio ? Format.Ratio(ratio) : "–",
        ]),
        [false, false, true, true, true, true, true, true, false, true, true]);
    report.Paragraph("Writes/s is the median over the repetitions; the paired range is audited/unaudited for each repetition's back-to-back pair " +
        "(their order alternates), showing how much the ratio moves with machine load.");
    report.Heading("Append latency per write (ms, all timed repetitions pooled)");
    report.Table(
        ["Database", "Write", "Writers", "Unaudited p50", "Unaudited p99", "Audited p50", "Audited p99"],
        cells.Select(c => (IReadOnlyList<string>)
        [
            c.Database, c.Write, c.Writers.ToString(), Format.Millis(c.UnauditedLatencyMs.Median), Format.Millis(c.UnauditedLatencyMs.Percentile(0.99)),
            Format.Millis(c.AuditedLatencyMs.Median), Format.Millis(c.AuditedLatencyMs.Percentile(0.99)),
        ]),
        [false, false, true, true, true, true, true]);
    report.Heading("Where an append's time goes (1 writer, ms per write)");
    report.Table(
        ["Database", "Write", "Total", "BEGIN", "SELECT head (lock)", "INSERT/UPDATE batch", "COMMIT", "Events + COMMIT batch", "Outside the database"],
        profiles.Select(p => (IReadOnlyList<string>)
        [
            p.Database, p.Mode.ToString().ToLowerInvariant(), Format.Millis(p.Total), Format.Millis(p.Begin), Format.Millis(p.HeadLock),
            Format.Millis(p.Writes), Format.Millis(p.Commit), Format.Millis(p.AuditBatch), Format.Millis(p.OutsideDatabase + p.OtherCommands),
        ]),
        [false, false, true, true, true, true, true, true, true]);
    report.Paragraph("From EF's own command and transaction durations (a command interceptor, in a separate untimed pass). Both saves run " +
        "in a transaction of their own. An audited save on SQLite whose process already knows the head reads no head row (it is empty then); its " +
        "events and head row go in a command of the recorder's own (ADR-009), which EF's interceptor does not see, so that command's time counts under " +
        "\"Outside the database\" there. On PostgreSQL the audited save of new rows sends its events and the COMMIT at the end of EF's batch " +
        "(ADR-016), so their time counts under \"INSERT/UPDATE batch\"; a save with updates would send them in a batch of its own, timed from Npgsql's " +
        "tracing (\"Events + COMMIT batch\"). PostgreSQL connections prepare repeated statements automatically (Max Auto Prepare, the portal's " +
        "default), on both sides. \"Outside the database\" is EF change tracking and SQL generation, the audit recorder (payload, canonical form, SHA-256), " +
        "the DI scope and the context.");
    report.Paragraph("Sanity after the audited runs: " + string.Join("; ", sanity.Select(s =>
        $"{s.Database} {(s.Valid ? "valid and gapless" : "**FAILED**")} ({s.Reason}; {Format.Count(s.AuditedWrites)} audited inserts and " +
        $"{Format.Count(s.AuditedUpdates)} audited updates, one event each, " +
        $"{Format.Count(s.Models)} of {Format.Count(s.ExpectedModels)} model rows)")) + ".");
    aims.AddRange(cells.Select(c => (IReadOnlyList<string>)
    [
        $"Audited ≥ 0.7 × unaudited, {c.Database}, {c.Write}, {c.Writers} writer{(c.Writers == 1 ? "" : "s")}",
        $"{Format.Ratio(c.Ratio)} ({Format.Rate(c.Audited.Median)} vs {Format.Rate(c.Unaudited.Median)} writes/s)",
        c.Ratio >= 0.7 ? "met" : "**not met**",
    ]));
    if (sanity.Any(s => !s.Valid))
    {
        Console.Error.WriteLine("error: the audit chain written by the benchmark did not verify");
        Environment.ExitCode = 1;
    }
}

if (options.Verification)
{
    var v = await VerificationBenchmark.RunAsync(options);
    var yard = v.YardstickOneCore!.Median;
    report.Heading($"Verification of {Format.Count(v.Events)} events");
    report.Table(
        ["Measurement", "Median", "Min–max", "GC paused (median)", "Events/s", "× SHA-256 yardstick (1 core)"],
        v.Main.Select(m => (IReadOnlyList<string>)
        [
            m.What, Format.Seconds(m.Seconds.Median), $"{Format.Seconds(m.Seconds.Min)}–{Format.Seconds(m.Seconds.Max)}", Paused(m.Seconds),
            Format.Rate(v.Events / m.Seconds.Median), Format.Number(m.Seconds.Median / yard, "0.0"),
        ]),
        [false, true, true, true, true, true]);
    report.Paragraph(string.Join(" ", v.Facts));
    report.Heading("Where verification time goes");
    report.Table(
        ["Part", "Median", "Min–max", "GC paused (median)", "× SHA-256 yardstick (1 core)"],
        v.Profile.Select(m => (IReadOnlyList<string>)
        [
            m.What, Format.Seconds(m.Seconds.Median), $"{Format.Seconds(m.Seconds.Min)}–{Format.Seconds(m.Seconds.Max)}", Paused(m.Seconds),
            Format.Number(m.Seconds.Median / yard, "0.0"),
        ]),
        [false, true, true, true, true]);
    var full = v.Events == 1_000_000;
    string Verdict(double seconds) => !full ? "n/a (not 1,000,000 events)" : seconds <= 3 ? "met" : "**not met**";
    aims.Insert(0, ["Verify 1,000,000 events ≤ 3 s, in memory", Format.Seconds(v.InMemory!.Median), Verdict(v.InMemory.Median)]);
    var at = 1;
    foreach (var (name, samples) in v.EndToEnd)
    {
        aims.Insert(at++, [$"Verify 1,000,000 events ≤ 3 s, end to end from {name}", Format.Seconds(samples.Median), Verdict(samples.Median)]);
    }
    // Issue 18, item 8: end to end at least 0.7 × the speed of the plain SHA-256 loop over the same bytes on all cores,
    // each verification against the loop timed immediately before it.
    report.Heading($"End to end against the SHA-256 loop timed just before it ({Format.Count(v.Events)} events)");
    report.Paragraph($"Each timed `VerifyAsync` ran right after the plain `SHA256.HashData` loop over the same canonical bytes split over " +
        $"{Environment.ProcessorCount} cores, in the same process, with a full collection before the pair and none between; ratio = loop time / " +
        $"verification time (the aim: ≥ 0.70). Load averages (1, 5, 15 min) read before the loop and after the verification.");
    report.Table(
        ["Database", "Run", "Loop, all cores", "VerifyAsync", "Ratio", "Load before", "Load after"],
        v.Paired.SelectMany(d => d.Value.Select((p, i) => (IReadOnlyList<string>)
        [
            d.Key, (i + 1).ToString(), Format.Seconds(p.YardstickSeconds), Format.Seconds(p.VerifySeconds), Format.Ratio(p.Ratio), p.LoadBefore, p.LoadAfter,
        ])),
        [false, true, true, true, true, false, false]);
    foreach (var (name, pairs) in v.Paired)
    {
        var ratios = new Samples(pairs.Select(p => p.Ratio));
        aims.Add([$"End to end from {name} ≥ 0.7 × SHA-256 loop on {Environment.ProcessorCount} cores, timed just before ({Format.Count(v.Events)} events)",
            $"{Format.Ratio(ratios.Median)} (paired runs {Format.Ratio(ratios.Min)}–{Format.Ratio(ratios.Max)}; verification {Format.Seconds(v.EndToEnd[name].Median)}, " +
            $"loop {Format.Seconds(new Samples(pairs.Select(p => p.YardstickSeconds)).Median)})",
            ratios.Median >= 0.7 ? "met" : "**not met**"]);
    }
}

if (options.Scale)
{
    var s = await ScaleBenchmark.RunAsync(options);
    report.Heading($"Verification of {Format.Count(s.Events)} events (peak memory)");
    report.Paragraph($"Generated and chained as a stream, loaded into both databases as it was made (SQLite: prepared INSERTs committed every 500,000; " +
        $"PostgreSQL: one binary COPY, then VACUUM ANALYZE), with a checkpoint every 1,000 events carrying its event hashes and Merkle frontier " +
        $"as the portal stores them, in {Format.Seconds(s.LoadSeconds)}. The yardstick hashed the same canonical bytes ({Format.Number(s.CanonicalBytes / (1024.0 * 1024), "0")} MiB) " +
        $"chunk by chunk while loading: {Format.Seconds(s.YardstickOneCore)} on 1 core, {Format.Seconds(s.YardstickAllCores)} on {Environment.ProcessorCount} (beside the loaders; " +
        $"not the yardstick of the ratios below, which is the same loop timed again just before each verification, with the load averages then). " +
        $"Each database was then verified once by `AuditVerificationService.VerifyAsync` in a child process of its own (server GC, as the portal); " +
        $"peak memory is that process's VmHWM. {string.Join(" ", s.Facts)}");
    report.Table(
        ["Database", "Events", "Time", "Events/s", "Peak RSS", "Loop just before, all cores", "× loop speed, all cores", "× loop speed, 1 core", "Load before", "Load after", "Outcome"],
        s.Verifications.Select(r => (IReadOnlyList<string>)
        [
            r.Database, Format.Count(r.Events), Format.Seconds(r.Seconds), Format.Rate(r.Events / r.Seconds), $"{r.PeakKiB / 1024} MiB",
            Format.Seconds(r.YardstickAllCores), Format.Ratio(r.YardstickAllCores / r.Seconds), Format.Ratio(r.YardstickOneCore / r.Seconds),
            r.LoadBefore, r.LoadAfter, r.Valid ? "valid" : $"**invalid**: {r.Reason}",
        ]),
        [false, true, true, true, true, true, true, true, false, false, false]);
    foreach (var r in s.Verifications)
    {
        aims.Add([$"Verify {Format.Count(s.Events)} events from {r.Database} with peak memory < 400 MB", $"{r.PeakKiB / 1024} MiB, {Format.Seconds(r.Seconds)}",
            !r.Valid ? "**invalid log**" : r.PeakKiB * 1024L < 400_000_000 ? "met" : "**not met**"]);
        var ratio = r.YardstickAllCores / r.Seconds;
        aims.Add([$"End to end from {r.Database} ≥ 0.7 × SHA-256 loop on {Environment.ProcessorCount} cores, timed just before ({Format.Count(s.Events)} events)",
            $"{Format.Ratio(ratio)} ({Format.Seconds(r.Seconds)} vs {Format.Seconds(r.YardstickAllCores)}; load {r.LoadBefore})", ratio >= 0.7 ? "met" : "**not met**"]);
    }
}

report.Heading("Aims");

static string Paused(Samples samples) => samples.GcPauses is { } p ? Format.Seconds(p.Median) : "";
report.Table(["Aim", "Measured (median)", "Verdict"], aims);

var markdown = report.ToString();
Console.WriteLine(markdown);
if (options.ResultsFile is { } file)
{
    await File.WriteAllTextAsync(file, markdown);
}
return Environment.ExitCode;
