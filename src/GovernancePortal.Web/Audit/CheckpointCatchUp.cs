using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

/// <summary>
/// Covers every event with a signed checkpoint before the portal serves and after a command that wrote events. Verification requires a checkpoint once the log goes on past Audit:Checkpoint:MaxAge (ADR-022); events written
/// while no job could cut one (a command, a stopped portal) would otherwise read as checkpoints removed, and the job
/// refuses to sign over that.
/// </summary>
public static class CheckpointCatchUp
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        // Without a key nothing can sign (`audit checkpoint` says why); an unmigrated database has nothing to cover.
        if (CheckpointKey.StartupProblem(provider.GetRequiredService<IOptions<AuditOptions>>().Value, provider.GetRequiredService<IHostEnvironment>()) is not null)
        {
            return;
        }
        var db = provider.GetRequiredService<GovernanceDbContext>();
        if (await DatabaseReadyHealthCheck.ProblemAsync(db, cancellationToken) is not null)
        {
            return;
        }
        await provider.GetRequiredService<AuditCheckpointService>().CreateDueAsync(force: true, cancellationToken);
    }
}
