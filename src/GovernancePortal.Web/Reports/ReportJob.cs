using GovernancePortal.Jobs;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Reports;

/// <summary>
/// Generates queued portfolio and audit trail reports. Each request enqueues its own run; the recurring sweep catches up on
/// any left queued (Hangfire's in-memory store on SQLite forgets its queue on restart). A report is claimed by a guarded
/// transition, so two runs never print one report twice. The first sweep of an instance takes back the reports an
/// instance that stopped left running (<see cref="ReportService.RecoverInterruptedAsync"/>).
/// </summary>
public sealed class ReportJob(ReportService reports, ReportRecovery recovery, IOptions<ReportOptions> options) : IPortalJob
{
    public const string Id = "reports";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (recovery.TryBegin())
        {
            // Requested before this instance started and older than two print timeouts: no live print can still hold it.
            await reports.RecoverInterruptedAsync(recovery.StartedAt - 2 * TimeSpan.FromSeconds(options.Value.TimeoutSeconds), cancellationToken);
        }
        foreach (var id in await reports.QueuedAsync(cancellationToken))
        {
            await reports.RunQueuedAsync(id, cancellationToken);
        }
    }

    public async Task RunOneAsync(Guid reportId, CancellationToken cancellationToken) => await reports.RunQueuedAsync(reportId, cancellationToken);
}

/// <summary>When this instance started, and whether its first sweep has taken back interrupted reports yet.</summary>
public sealed class ReportRecovery(TimeProvider clock)
{
    private int _begun;

    public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();

    public bool TryBegin() => Interlocked.Exchange(ref _begun, 1) == 0;
}
