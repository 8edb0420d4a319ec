using GovernancePortal.Testing;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Jobs;

/// <summary>Records how many of its runs are inside it at once, and holds each run until the test lets it go.</summary>
public sealed class OverlapProbeJob
{
    private static int _inside;
    public static int MostAtOnce;
    public static int Entered;
    public static readonly SemaphoreSlim Release = new(0);

    public async Task RunAsync()
    {
        var inside = Interlocked.Increment(ref _inside);
        InterlockedMax(ref MostAtOnce, inside);
        Interlocked.Increment(ref Entered);
        await Release.WaitAsync();
        Interlocked.Decrement(ref _inside);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

/// <summary>
/// Two portal instances, each with one worker, on one PostgreSQL database. The first instance's worker holds a run of
/// the probe job; the second instance fetches the next run and must wait for Hangfire's lock instead of entering.
/// </summary>
public sealed class TwoInstancesTests(PostgreSqlJobsPortal first) : IClassFixture<PostgreSqlJobsPortal>
{
    [Fact]
    public async Task Two_instances_on_one_database_never_run_the_same_job_at_once()
    {
        await using var second = new SecondInstance(TestDatabase.PostgreSql, first.ConnectionString);
        _ = first.Server;
        _ = second.Server;
        var client = first.Services.GetRequiredService<IBackgroundJobClient>();

        try
        {
            await RunTwoOverlappingAsync(client);
        }
        finally
        {
            // Whatever happened, let held runs end, so both hosts stop cleanly.
            OverlapProbeJob.Release.Release(2);
        }
        Assert.Equal(1, OverlapProbeJob.MostAtOnce);
    }

    private async Task RunTwoOverlappingAsync(IBackgroundJobClient client)
    {
        var one = client.Enqueue<OverlapProbeJob>(j => j.RunAsync());
        await JobsPortal.Until(() => Volatile.Read(ref OverlapProbeJob.Entered) == 1 ? "" : null, "the first run to start");
        var two = client.Enqueue<OverlapProbeJob>(j => j.RunAsync());

        // Both runs are Processing, on different servers: the busy first instance could not have fetched the second.
        var processing = await JobsPortal.Until(() =>
        {
            var jobs = first.Storage.GetMonitoringApi().ProcessingJobs(0, 10);
            return jobs.Count == 2 ? jobs : null;
        }, "both runs to be fetched");
        Assert.Equal(2, processing.Select(p => p.Value.ServerId).Distinct().Count());
        Assert.Equal(2, first.Storage.GetMonitoringApi().Servers().Count);
        // Without the lock the second run would be inside within milliseconds of being fetched.
        Assert.False(await SpinUntilAsync(() => Volatile.Read(ref OverlapProbeJob.Entered) > 1, TimeSpan.FromSeconds(3)),
            "The second instance entered the job while the first was still running it.");

        OverlapProbeJob.Release.Release();
        await JobsPortal.Until(() => Volatile.Read(ref OverlapProbeJob.Entered) == 2 ? "" : null, "the second run to start once the first ended");
        OverlapProbeJob.Release.Release();

        Assert.Equal("Succeeded", await first.SettledAsync(one));
        Assert.Equal("Succeeded", await first.SettledAsync(two));
    }

    [Fact]
    public void Every_portal_job_runs_under_the_lock_and_the_retry_policy()
    {
        var filters = first.Services.GetRequiredService<Hangfire.Common.IJobFilterProvider>();
        foreach (var (_, type, _) in JobsServices.Schedule)
        {
            var job = new Hangfire.Common.Job(type, type.GetMethod(nameof(IPortalJob.RunAsync))!, CancellationToken.None);
            var instances = filters.GetFilters(job).Select(f => f.Instance).ToList();
            Assert.Single(instances.OfType<DisableConcurrentExecutionAttribute>());
            Assert.Equal(1, Assert.Single(instances.OfType<AutomaticRetryAttribute>()).Attempts);
        }
    }

    private static async Task<bool> SpinUntilAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        return condition();
    }
}
