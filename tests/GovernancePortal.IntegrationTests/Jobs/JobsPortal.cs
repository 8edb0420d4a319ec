using System.Diagnostics;
using GovernancePortal.Testing;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Jobs;

/// <summary>
/// The portal with its Hangfire server running: one worker, one quick retry, and short polling, so a test sees a job
/// queued, retried and settled within seconds.
/// </summary>
public class JobsPortal(TestDatabase database) : PortalFactory(database)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Scheduling:Enabled", "true");
        builder.UseSetting("Scheduling:WorkerCount", "1");
        builder.UseSetting("Scheduling:RetryAttempts", "1");
        builder.UseSetting("Scheduling:RetryDelaysInSeconds:0", "0");
        builder.UseSetting("Scheduling:PollInterval", "00:00:00.200");
        builder.UseSetting("Scheduling:ConcurrencyTimeoutSeconds", "60");
    }

    public JobStorage Storage => Services.GetRequiredService<JobStorage>();

    public string? StateOf(string jobId)
    {
        using var connection = Storage.GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }

    /// <summary>Waits for the background server to bring a job to a final state (Succeeded or Failed).</summary>
    public Task<string> SettledAsync(string jobId) => Until(() => StateOf(jobId) is "Succeeded" or "Failed" ? StateOf(jobId) : null, $"job {jobId} to settle");

    /// <summary>Polls what a background server does on its own threads; gives up after a minute (the machine is shared).</summary>
    public static async Task<T> Until<T>(Func<T?> probe, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (probe() is { } value)
            {
                return value;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Waited a minute for {what}.");
    }
}

public sealed class SqliteJobsPortal() : JobsPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlJobsPortal() : JobsPortal(TestDatabase.PostgreSql);

/// <summary>A second portal instance on the database another fixture created (it neither creates nor drops it).</summary>
public sealed class SecondInstance(TestDatabase database, string connectionString) : JobsPortal(database)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:Governance", connectionString);
    }
}

/// <summary>A portal whose PostgreSQL server cannot be reached (nothing listens on the port).</summary>
public sealed class UnreachableDatabasePortal() : JobsPortal(TestDatabase.PostgreSql)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("ConnectionStrings:Governance", "Host=127.0.0.1;Port=9;Database=governance;Username=portal;Timeout=2");
        builder.UseSetting("Database:MigrateOnStartup", "false");
        builder.UseSetting("Demo:SeedOnStartup", "false");
    }
}
