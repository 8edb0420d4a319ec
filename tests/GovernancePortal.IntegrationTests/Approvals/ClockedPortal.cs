using GovernancePortal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Approvals;

/// <summary>
/// A clock the test moves by hand, so a request can reach its expiry without waiting 14 days. Like a real clock it never
/// gives the same instant twice (each reading is a microsecond, the databases' resolution, after the last).
/// </summary>
public sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private const long Microsecond = TimeSpan.TicksPerMicrosecond;
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Add(ref _ticks, Microsecond), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }

    /// <summary>This clock as another portal instance reads it, <paramref name="by"/> behind: what it decides is stamped earlier than it happens.</summary>
    public TimeProvider Behind(TimeSpan by) => new Lagging(this, by);

    private sealed class Lagging(TestClock clock, TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow() - by;
    }
}

/// <summary>
/// The portal on a fresh database, with the test's clock in place of the system's and no demo portfolio: the approval
/// tests build a world of their own whose every stage change they can account for.
/// </summary>
public class ClockedPortal(TestDatabase database) : PortalFactory(database)
{
    // Whole seconds: audit timestamps keep microseconds, and a round start makes logs easier to read.
    public TestClock Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    protected override bool SeedDemo => false;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

public sealed class SqliteClockedPortal() : ClockedPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlClockedPortal() : ClockedPortal(TestDatabase.PostgreSql);
