using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GovernancePortal.Reports;

/// <summary>
/// Two portal instances sharing the database take back the reports a stopped instance left running, and run the queue,
/// at the same time: each report is queued again once (one <c>report.requeued</c>), printed once (one file, one
/// <c>report.generated</c>), and a stale judgement of "stuck" never takes back a report another instance claimed anew.
/// Each instance is its own scope, so its own context and connection.
/// </summary>
public abstract class ReportRequeueTests(ReportPortal portal)
{
    private const int Instances = 3;

    [Fact]
    public async Task Instances_taking_back_and_running_the_same_stuck_reports_at_once_requeue_each_once_and_print_each_once()
    {
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var stuck = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            stuck.Add(await ReportPortals.StuckAsync(portal, now.AddHours(-3)));
        }

        var taken = await Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => Task.Run(() =>
            OnInstanceAsync(service => service.RecoverInterruptedAsync(now.AddHours(-1), default)))));

        Assert.InRange(taken.Sum(), stuck.Count, int.MaxValue); // others' leftovers in the shared database may count too
        foreach (var id in stuck)
        {
            Assert.Equal(ReportStatus.Queued, await StatusAsync(id));
            Assert.Equal(1, await EventsAsync(id, ReportService.Requeued));
        }

        // Every instance runs every report at once (the job's own run and each instance's catch-up sweep).
        var runs = await Task.WhenAll(stuck.SelectMany(id => Enumerable.Range(0, Instances).Select(_ => Task.Run(() =>
            OnInstanceAsync(service => service.RunQueuedAsync(id, default))))));

        Assert.Equal(stuck.Count, runs.Count(ran => ran));
        foreach (var id in stuck)
        {
            Assert.Equal(ReportStatus.Ready, await StatusAsync(id));
            Assert.Equal(1, await EventsAsync(id, ReportService.Generated));
            Assert.Equal(1, await portal.WithDbAsync(db => db.ReportFiles.CountAsync(f => f.ReportId == id)));
        }
        await using var scope = portal.Services.CreateAsyncScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<AuditVerificationService>().VerifyAsync()).Valid);
    }

    [Fact]
    public async Task A_stale_judgement_of_stuck_leaves_a_report_another_instance_queued_again_and_claimed_anew()
    {
        var now = portal.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var id = await ReportPortals.StuckAsync(portal, now.AddHours(-3));
        var report = await portal.WithDbAsync(db => db.Reports.AsNoTracking().SingleAsync(r => r.Id == id));
        // Both instances judged it stuck with no re-queue behind it; the second takes it back and claims it again first.
        var judged = await OnInstanceAsync(service => service.RequeuesAsync(id.ToString(), default));
        Assert.True(await OnInstanceAsync(service => service.TakeBackAsync(id, report.Kind, report.Subject, judged, default)));
        await portal.WithDbAsync(db => db.Reports.Where(r => r.Id == id && r.Status == ReportStatus.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ReportStatus.Running).SetProperty(r => r.Progress, 1)));

        // The first acts on its stale judgement: the report is running (alive) again, and stays so.
        Assert.False(await OnInstanceAsync(service => service.TakeBackAsync(id, report.Kind, report.Subject, judged, default)));

        Assert.Equal(ReportStatus.Running, await StatusAsync(id));
        Assert.Equal(1, await EventsAsync(id, ReportService.Requeued));
        Assert.Equal(0, await EventsAsync(id, ReportService.Failed));
    }

    private async Task<T> OnInstanceAsync<T>(Func<ReportService, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ReportService>());
    }

    private Task<ReportStatus> StatusAsync(Guid id) => portal.WithDbAsync(db => db.Reports.Where(r => r.Id == id).Select(r => r.Status).SingleAsync());

    private Task<int> EventsAsync(Guid id, string action) =>
        portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == action && e.EntityId == id.ToString()));
}

[Collection(ReportCollection.Name)]
public sealed class ReportRequeueTestsOnSqlite(ReportPortals portals) : ReportRequeueTests(portals.Sqlite);

[Collection(ReportCollection.Name)]
public sealed class ReportRequeueTestsOnPostgreSql(ReportPortals portals) : ReportRequeueTests(portals.PostgreSql);
