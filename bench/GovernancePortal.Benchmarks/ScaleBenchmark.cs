using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading.Channels;
using GovernancePortal.Audit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace GovernancePortal.Benchmarks;

/// <summary>One database's end-to-end verification in a process of its own, with that process's peak resident memory.</summary>
internal sealed record ScaleVerification(string Database, double Seconds, long PeakKiB, bool Valid, long Events, string Reason)
{
    /// <summary>The plain SHA-256 loop over the log's canonical bytes timed just before this verification, on 1 core and on all.</summary>
    public double YardstickOneCore { get; init; }
    public double YardstickAllCores { get; init; }
    /// <summary>Load averages (1, 5, 15 min) before that loop and after the verification.</summary>
    public string LoadBefore { get; init; } = "";
    public string LoadAfter { get; init; } = "";
}

internal sealed record ScaleResults(long Events, double LoadSeconds, double YardstickOneCore, double YardstickAllCores, long CanonicalBytes,
    List<ScaleVerification> Verifications, List<string> Facts);

/// <summary>
/// A log larger than memory (10,000,000 events by default): generated and chained as a stream, loaded into SQLite and
/// PostgreSQL as it is made (checkpoints every 1,000 events, with the event hashes and frontier the portal stores), the
/// plain SHA-256 yardstick timed over the same canonical bytes chunk by chunk, then each database verified end to end by
/// <see cref="AuditVerificationService.VerifyAsync(CancellationToken)"/> in a child process whose peak RSS is read from
/// /proc/self/status (VmHWM).
/// </summary>
internal static class ScaleBenchmark
{
    public const string ChildFlag = "--verify-child";
    private const int Batch = 10_000;
    private const int Interval = 1000;
    // Canonical bytes gathered before each timed hashing of the yardstick (about 730 bytes an event).
    private const int ChunkEvents = 200_000;
    private static long _sink;

    public static async Task<ScaleResults> RunAsync(BenchOptions options)
    {
        var n = options.ScaleEvents;
        using var key = CheckpointSigner.CreateKey();
        var pem = key.ExportPkcs8PrivateKeyPem();
        var keyFile = Path.Combine(options.WorkFolder, "scale-key.pem");
        await File.WriteAllTextAsync(keyFile, pem);
        var databases = new List<BenchDatabase> { BenchDatabase.Sqlite(options.WorkFolder, "scale") };
        if (options.Postgres is { } server)
        {
            databases.Add(await BenchDatabase.PostgreSqlAsync(server, "scale"));
        }
        try
        {
            foreach (var database in databases)
            {
                await using var services = database.BuildServices(pem, Interval);
                await BenchDatabase.MigrateSchemaOnlyAsync(services);
            }
            Log.Line($"scale: generating and loading {Format.Count(n)} events");
            var started = Stopwatch.GetTimestamp();
            var channels = databases.Select(_ => Channel.CreateBounded<StoredAuditEvent[]>(8)).ToList();
            var loaders = databases.Select((d, i) => Task.Run(() => d.Provider == Provider.Sqlite
                ? LoadSqliteAsync(d.ConnectionString, channels[i].Reader, key)
                : LoadPostgreSqlAsync(d.ConnectionString, channels[i].Reader, key))).ToList();
            var (one, all, bytes) = await GenerateAsync(n, channels);
            await Task.WhenAll(loaders);
            var load = Timing.Seconds(started);
            Log.Line($"scale: loaded in {Format.Seconds(load)}; yardstick {Format.Seconds(one)} (1 core), {Format.Seconds(all)} (all cores)");

            var verifications = new List<ScaleVerification>();
            foreach (var database in databases)
            {
                // The loop timed again right before this verification (the one during loading ran beside the loaders).
                Timing.Collect();
                var loadBefore = VerificationBenchmark.LoadAverage();
                var (yardOne, yardAll) = Yardstick(n);
                var verified = await VerifyInChildAsync(database, keyFile);
                verifications.Add(verified with
                {
                    YardstickOneCore = yardOne, YardstickAllCores = yardAll, LoadBefore = loadBefore, LoadAfter = VerificationBenchmark.LoadAverage(),
                });
                Log.Line($"scale: {database.Name} verified in {Format.Seconds(verified.Seconds)}, peak {verified.PeakKiB / 1024} MiB; " +
                    $"loop just before {Format.Seconds(yardOne)} (1 core), {Format.Seconds(yardAll)} (all cores); load {loadBefore} -> {verifications[^1].LoadAfter}");
            }
            var facts = new List<string>();
            foreach (var database in databases)
            {
                facts.Add($"{database.Name}: {await StoredLog.SizeAsync(database)}.");
            }
            return new ScaleResults(n, load, one, all, bytes, verifications, facts);
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
            File.Delete(keyFile);
        }
    }

    // The log as a stream, sent in batches to every loader; meanwhile the canonical bytes of each chunk of events are
    // hashed once on one core and once split over all cores, only the hashing timed.
    private static async Task<(double One, double All, long Bytes)> GenerateAsync(long n, List<Channel<StoredAuditEvent[]>> channels)
    {
        var batch = new List<StoredAuditEvent>(Batch);
        var chunk = new List<byte[]>(ChunkEvents);
        double one = 0, all = 0;
        long bytes = 0;
        foreach (var stored in AuditLogGenerator.Stream(n))
        {
            batch.Add(stored);
            var canonical = stored.Record.CanonicalUtf8(stored.PreviousHash);
            chunk.Add(canonical);
            bytes += canonical.Length;
            if (batch.Count == Batch)
            {
                await SendAsync(channels, batch);
            }
            if (chunk.Count == ChunkEvents)
            {
                (one, all) = Hash(chunk, one, all);
            }
        }
        await SendAsync(channels, batch);
        (one, all) = Hash(chunk, one, all);
        foreach (var channel in channels)
        {
            channel.Writer.Complete();
        }
        return (one, all, bytes);
    }

    // The same canonical bytes generated again, chunk by chunk, only the hashing timed.
    private static (double One, double All) Yardstick(long n)
    {
        var chunk = new List<byte[]>(ChunkEvents);
        double one = 0, all = 0;
        foreach (var stored in AuditLogGenerator.Stream(n))
        {
            chunk.Add(stored.Record.CanonicalUtf8(stored.PreviousHash));
            if (chunk.Count == ChunkEvents)
            {
                (one, all) = Hash(chunk, one, all);
            }
        }
        return Hash(chunk, one, all);
    }

    private static async Task SendAsync(List<Channel<StoredAuditEvent[]>> channels, List<StoredAuditEvent> batch)
    {
        var array = batch.ToArray();
        batch.Clear();
        foreach (var channel in channels)
        {
            await channel.Writer.WriteAsync(array);
        }
    }

    private static (double One, double All) Hash(List<byte[]> chunk, double one, double all)
    {
        var items = chunk.ToArray();
        chunk.Clear();
        var start = Stopwatch.GetTimestamp();
        foreach (var bytes in items)
        {
            _sink += SHA256.HashData(bytes)[0];
        }
        one += Timing.Seconds(start);
        var cores = Environment.ProcessorCount;
        start = Stopwatch.GetTimestamp();
        Parallel.For(0, cores, part =>
        {
            long sink = 0;
            for (var i = items.Length * part / cores; i < items.Length * (part + 1) / cores; i++)
            {
                sink += SHA256.HashData(items[i])[0];
            }
            Interlocked.Add(ref _sink, sink);
        });
        all += Timing.Seconds(start);
        return (one, all);
    }

    // Checkpoints as the portal cuts them: the Merkle root, the event hashes since the previous one, the frontier.
    private sealed class Checkpoints(ECDsa key)
    {
        private readonly CompactMerkleTree _tree = new();
        private readonly List<byte> _added = [];
        private readonly string _keyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

        public (SignedCheckpoint Signed, string KeyId, byte[] Hashes, byte[] Frontier)? Add(StoredAuditEvent stored)
        {
            var raw = Convert.FromHexString(stored.Hash);
            _tree.Append(MerkleTree.LeafHash(raw));
            _added.AddRange(raw);
            if (_tree.Size % Interval != 0)
            {
                return null;
            }
            var signed = CheckpointSigner.Sign(key, _tree.Size, Convert.ToHexStringLower(_tree.Root()), stored.Hash, stored.Record.Timestamp.AddSeconds(30));
            var hashes = _added.ToArray();
            _added.Clear();
            return (signed, _keyId, hashes, _tree.Frontier());
        }
    }

    private static async Task LoadSqliteAsync(string connectionString, ChannelReader<StoredAuditEvent[]> reader, ECDsa key)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        Execute(connection, "PRAGMA cache_size = -262144;");
        var checkpoints = new Checkpoints(key);
        StoredAuditEvent? last = null;
        var count = 0L;
        var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO \"AuditEvents\" ({StoredLog.ColumnList}) VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13)";
        var p = Enumerable.Range(0, 14).Select(i => insert.Parameters.Add($"$p{i}", i < 2 ? SqliteType.Integer : SqliteType.Text)).ToArray();
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "INSERT INTO \"AuditCheckpoints\" (\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\", \"EventHashes\", \"Frontier\") VALUES ($s, $r, $h, $t, $g, $k, $e, $f)";
        await foreach (var events in reader.ReadAllAsync())
        {
            insert.Transaction = transaction;
            checkpoint.Transaction = transaction;
            foreach (var stored in events)
            {
                StoredLog.BindRow(p, stored);
                insert.ExecuteNonQuery();
                if (checkpoints.Add(stored) is { } c)
                {
                    checkpoint.Parameters.Clear();
                    checkpoint.Parameters.AddWithValue("$s", c.Signed.TreeSize);
                    checkpoint.Parameters.AddWithValue("$r", c.Signed.RootHash);
                    checkpoint.Parameters.AddWithValue("$h", c.Signed.HeadHash);
                    checkpoint.Parameters.AddWithValue("$t", c.Signed.Timestamp.UtcTicks);
                    checkpoint.Parameters.AddWithValue("$g", c.Signed.Signature);
                    checkpoint.Parameters.AddWithValue("$k", c.KeyId);
                    checkpoint.Parameters.AddWithValue("$e", c.Hashes);
                    checkpoint.Parameters.AddWithValue("$f", c.Frontier);
                    checkpoint.ExecuteNonQuery();
                }
                last = stored;
            }
            count += events.Length;
            // Commits along the way keep the WAL from holding the whole log.
            if (count % 500_000 == 0)
            {
                transaction.Commit();
                transaction.Dispose();
                Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
                transaction = connection.BeginTransaction();
            }
        }
        using (var head = connection.CreateCommand())
        {
            head.Transaction = transaction;
            head.CommandText = "UPDATE \"AuditHeads\" SET \"Sequence\" = $s, \"Hash\" = $h WHERE \"Id\" = 1";
            head.Parameters.AddWithValue("$s", count);
            head.Parameters.AddWithValue("$h", last!.Hash);
            head.ExecuteNonQuery();
        }
        transaction.Commit();
        transaction.Dispose();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
    }

    private static async Task LoadPostgreSqlAsync(string connectionString, ChannelReader<StoredAuditEvent[]> reader, ECDsa key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var side = new NpgsqlConnection(connectionString);
        await side.OpenAsync();
        var checkpoints = new Checkpoints(key);
        StoredAuditEvent? last = null;
        var count = 0L;
        await using (var import = await connection.BeginBinaryImportAsync($"COPY \"AuditEvents\" ({StoredLog.ColumnList}) FROM STDIN (FORMAT BINARY)"))
        {
            await foreach (var events in reader.ReadAllAsync())
            {
                foreach (var stored in events)
                {
                    StoredLog.WriteRow(import, stored);
                    if (checkpoints.Add(stored) is { } c)
                    {
                        // On a second connection: the events are not committed yet, and a checkpoint row only needs its own.
                        await using var insert = new NpgsqlCommand(
                            "INSERT INTO \"AuditCheckpoints\" (\"TreeSize\", \"RootHash\", \"HeadHash\", \"Timestamp\", \"Signature\", \"KeyId\", \"EventHashes\", \"Frontier\") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                            side);
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Signed.TreeSize });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Signed.RootHash });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Signed.HeadHash });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Signed.Timestamp });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Signed.Signature });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.KeyId });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Hashes, NpgsqlDbType = NpgsqlDbType.Bytea });
                        insert.Parameters.Add(new NpgsqlParameter { Value = c.Frontier, NpgsqlDbType = NpgsqlDbType.Bytea });
                        await insert.ExecuteNonQueryAsync();
                    }
                    last = stored;
                }
                count += events.Length;
            }
            await import.CompleteAsync();
        }
        await using (var head = new NpgsqlCommand("UPDATE \"AuditHeads\" SET \"Sequence\" = $1, \"PreviousHash\" = $2, \"Hash\" = $3 WHERE \"Id\" = 1", connection))
        {
            head.Parameters.Add(new NpgsqlParameter { Value = count });
            head.Parameters.Add(new NpgsqlParameter { Value = last!.PreviousHash });
            head.Parameters.Add(new NpgsqlParameter { Value = last.Hash });
            await head.ExecuteNonQueryAsync();
        }
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE \"AuditEvents\"", connection) { CommandTimeout = 3600 };
        await vacuum.ExecuteNonQueryAsync();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static async Task<ScaleVerification> VerifyInChildAsync(BenchDatabase database, string keyFile)
    {
        var self = typeof(ScaleBenchmark).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }
        foreach (var arg in new[] { ChildFlag, database.Provider.ToString(), database.ConnectionString, keyFile })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var parts = line.Split('\t');
        if (child.ExitCode != 0 || parts.Length != 5)
        {
            throw new InvalidOperationException($"The verifying child failed (exit {child.ExitCode}): {output}");
        }
        return new ScaleVerification(database.Name, double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture),
            bool.Parse(parts[2]), long.Parse(parts[3], CultureInfo.InvariantCulture), parts[4]);
    }

    /// <summary>The child: one <c>VerifyAsync</c> as the portal runs it, then its time, peak RSS (KiB), validity, events and reason, tab-separated.</summary>
    public static async Task<int> ChildAsync(string provider, string connectionString, string keyFile)
    {
        var database = BenchDatabase.Existing(Enum.Parse<Provider>(provider), connectionString);
        await using var services = database.BuildServices(await File.ReadAllTextAsync(keyFile), Interval);
        await using var scope = services.CreateAsyncScope();
        var start = Stopwatch.GetTimestamp();
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync();
        var seconds = Timing.Seconds(start);
        var peak = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();
        Console.WriteLine(string.Join('\t', seconds.ToString("R", CultureInfo.InvariantCulture), peak.ToString(CultureInfo.InvariantCulture),
            result.Valid.ToString(), result.EventCount.ToString(CultureInfo.InvariantCulture), result.Reason));
        return result.Valid ? 0 : 1;
    }
}
