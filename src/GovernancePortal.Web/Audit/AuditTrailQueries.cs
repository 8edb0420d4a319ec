using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Audit;

/// <summary>One row of the audit trail page, its subject named.</summary>
public sealed record AuditTrailRow(long Sequence, DateTimeOffset Timestamp, string Actor, string Roles, string? ApiKey, string Action, string EntityType,
    string EntityId, AuditSubject Subject);

public sealed record AuditTrailPage(IReadOnlyList<AuditTrailRow> Rows, int Total);

/// <summary>One event as its page shows it: the row, its subject, the payload made readable, and the checkpoint that covers it.</summary>
public sealed record AuditEventView(AuditEvent Event, AuditSubject Subject, AuditPayloadView Payload, AuditCheckpoint? CoveredBy, bool HasNext);

/// <summary>What the verification page shows: open alerts, the runs, the witness window and the latest checkpoints.</summary>
public sealed record AuditVerificationOverview(
    IReadOnlyList<AuditAlert> OpenAlerts, AuditEvent? LastRun, IReadOnlyList<AuditVerification> Runs, IReadOnlyList<AuditCheckpoint> Checkpoints,
    long Head, long Witnessed, DateTimeOffset? WindowStart, bool HasWitness, string KeyId, int CheckpointEvery, double CheckpointMaxAgeMinutes, double FullEveryDays);

/// <summary>The reads behind the auditor's pages; the pages render and delegate here.</summary>
public sealed class AuditTrailQueries(GovernanceDbContext db, AuditSearch search, AuditSubjects subjects, AuditWitness witness, CheckpointKey key,
    IOptions<AuditOptions> options)
{
    public const int MaxPageSize = 100;

    /// <summary>A page (zero-based) of the filtered trail, newest first unless <paramref name="oldestFirst"/>.</summary>
    public async Task<AuditTrailPage> PageAsync(AuditQuery query, int page, int pageSize, bool oldestFirst, CancellationToken cancellationToken = default)
    {
        var events = search.Filter(query);
        if (oldestFirst)
        {
            events = events.OrderBy(e => e.Sequence);
        }
        var total = await events.CountAsync(cancellationToken);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var skip = (int)Math.Min(int.MaxValue, Math.Max(0L, page) * pageSize);
        var items = await events.Skip(skip).Take(pageSize).ToListAsync(cancellationToken);
        var named = await subjects.NameAsync(items, cancellationToken);
        return new(items.Select(e => new AuditTrailRow(e.Sequence, e.Timestamp, e.ActorUsername, e.ActorRoles, e.ActorApiKey, e.Action, e.EntityType, e.EntityId,
            named[(e.EntityType, e.EntityId)])).ToList(), total);
    }

    public Task<IReadOnlyList<string>> ActionsAsync(CancellationToken cancellationToken = default) => search.ActionsAsync(cancellationToken);

    public Task<IReadOnlyList<string>> EntityTypesAsync(CancellationToken cancellationToken = default) => search.EntityTypesAsync(cancellationToken);

    public async Task<AuditEventView?> EventAsync(long sequence, CancellationToken cancellationToken = default)
    {
        var e = await db.AuditEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Sequence == sequence, cancellationToken);
        if (e is null)
        {
            return null;
        }
        var named = await subjects.NameAsync([e], cancellationToken);
        var coveredBy = await db.AuditCheckpoints.AsNoTracking().Where(c => c.TreeSize >= sequence).OrderByDescending(c => c.TreeSize).FirstOrDefaultAsync(cancellationToken);
        var hasNext = await db.AuditEvents.AnyAsync(n => n.Sequence == sequence + 1, cancellationToken);
        return new(e, named[(e.EntityType, e.EntityId)], AuditPayloadView.Parse(e.Payload), coveredBy, hasNext);
    }

    public async Task<AuditVerificationOverview> VerificationAsync(CancellationToken cancellationToken = default)
    {
        var runs = await db.AuditVerifications.AsNoTracking().OrderByDescending(v => v.Id).Take(10).ToListAsync(cancellationToken);
        var alerts = await db.AuditAlerts.AsNoTracking().Where(a => a.ResolvedAt == null).OrderByDescending(a => a.RaisedAt).ToListAsync(cancellationToken);
        var lastRun = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "audit.verified" || e.Action == "audit.verification-failed")
            .OrderByDescending(e => e.Sequence).FirstOrDefaultAsync(cancellationToken);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.TreeSize).Take(20)
            .Select(c => new AuditCheckpoint { TreeSize = c.TreeSize, RootHash = c.RootHash, HeadHash = c.HeadHash, Timestamp = c.Timestamp, Signature = c.Signature, KeyId = c.KeyId })
            .ToListAsync(cancellationToken);
        var head = (await db.AuditHeads.AsNoTracking().SingleAsync(cancellationToken)).Sequence;
        var witnessed = Math.Min(witness.LatestWitnessedSize() ?? 0, head);
        var windowStart = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence == witnessed + 1).Select(e => (DateTimeOffset?)e.Timestamp)
            .SingleOrDefaultAsync(cancellationToken);
        var settings = options.Value;
        return new(alerts, lastRun, runs, checkpoints, head, witnessed, windowStart, witness.HasDirectory, key.KeyId,
            settings.Checkpoint.MaxEvents, settings.Checkpoint.MaxAge.TotalMinutes, settings.Verification.FullEvery.TotalDays);
    }
}

public static class AuditPageServices
{
    /// <summary>The auditor's pages: the trail, an event, verification.</summary>
    public static IServiceCollection AddAuditPages(this IServiceCollection services)
    {
        services.AddScoped<AuditSubjects>();
        services.AddScoped<AuditTrailQueries>();
        return services;
    }
}
