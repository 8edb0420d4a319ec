using GovernancePortal.Jobs;

namespace GovernancePortal.Reports;

/// <summary>
/// Generates queued portfolio and audit trail reports. Each request enqueues its own run; the recurring sweep catches up on
/// any left queued (Hangfire's in-memory store on SQLite forgets its queue on restart). A report is claimed by a guarded
/// transition, so two runs never print one report twice.
/// </summary>
public sealed class ReportJob(ReportService reports) : IPortalJob
{
    public const string Id = "reports";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var id in await reports.QueuedAsync(cancellationToken))
        {
            await reports.RunQueuedAsync(id, cancellationToken);
        }
    }

    public async Task RunOneAsync(Guid reportId, CancellationToken cancellationToken) => await reports.RunQueuedAsync(reportId, cancellationToken);
}
