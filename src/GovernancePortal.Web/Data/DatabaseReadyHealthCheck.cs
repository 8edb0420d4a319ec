using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GovernancePortal.Data;

/// <summary>Ready when the database answers and every migration this build knows has been applied.</summary>
internal sealed class DatabaseReadyHealthCheck(GovernanceDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var problem = await ProblemAsync(db, cancellationToken);
            return problem is null ? HealthCheckResult.Healthy("Database reachable; all migrations applied.") : HealthCheckResult.Unhealthy(problem);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database check failed.", ex);
        }
    }

    /// <summary>Why the database cannot serve this build yet, or null when it answers and every migration is applied.</summary>
    public static async Task<string?> ProblemAsync(GovernanceDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return "The database does not answer.";
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        return pending.Count == 0 ? null : $"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}.";
    }
}
