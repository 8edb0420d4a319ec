using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Reports;

/// <summary>What every report prints about itself: its id, title, subject, who made it when, and the audit head it reflects.</summary>
public sealed record ReportHeading(Guid Id, ReportKind Kind, string Title, string Subject, DateTimeOffset GeneratedAt, string GeneratedBy,
    long AuditHeadSequence, string AuditHeadHash);

/// <summary>One audit event as a report lists it.</summary>
public sealed record AuditLine(long Sequence, DateTimeOffset At, string Actor, string Action, string EntityType, string EntityId);

public sealed record PromotionRecord(Promotion Promotion, IReadOnlyList<GateResult> Gates);

public sealed record DossierData(ModelVersion Version, VersionEvidence Evidence, IReadOnlyList<PromotionRecord> Promotions,
    IReadOnlyList<AuditLine> Events, Retirement.PlanView? Retirement = null, IReadOnlyList<Reviews.PeriodicReview>? Reviews = null);

public sealed record PortfolioRow(Model Model, ModelVersion Version, DateTimeOffset InProductionSince, IReadOnlyList<string> ApprovedBy,
    int? PolicyVersion, IReadOnlyList<TemplateStatus> Checklists);

public sealed record PortfolioData(DateTimeOffset AsOf, IReadOnlyList<PortfolioRow> Rows, IReadOnlyList<Rollback> Rollbacks,
    IReadOnlyList<RetrospectiveReview> OpenReviews, IReadOnlyList<Promotion> PendingRequests);

public sealed record CountRow(string Name, int Count);

public sealed record AuditTrailData(DateTimeOffset From, DateTimeOffset To, int EventCount, IReadOnlyList<CountRow> ByAction,
    IReadOnlyList<CountRow> ByActor, IReadOnlyList<AuditLine> Decisions, AuditVerificationResult Verification,
    IReadOnlyList<AuditCheckpoint> Checkpoints, string KeyFingerprint);

/// <summary>Reads what each report prints. Every read stops at the audit head the report reflects, where the data has a sequence.</summary>
public sealed class ReportSources(GovernanceDbContext db, ModelCardService cards, ChecklistReads checklists,
    AuditVerificationService verification, CheckpointKey key, Retirement.RetirementService retirements)
{
    /// <summary>Actions that record a decision or sign-off, which the audit trail report lists one by one.</summary>
    public static readonly string[] DecisionActions =
    [
        "promotion.approved-by", "promotion.rejected-by", "promotion.approved", "promotion.rejected",
        "assessment.signed-off", "assessment.sign-off-voided", "rollback.confirmed", "review.closed", "policy.changed",
    ];

    public async Task<(long Sequence, string Hash)> AuditHeadAsync(CancellationToken cancellationToken)
    {
        var head = await db.AuditHeads.AsNoTracking().SingleAsync(cancellationToken);
        return (head.Sequence, head.Hash);
    }

    public async Task<DossierData?> DossierAsync(string model, string version, long headSequence, CancellationToken cancellationToken)
    {
        var found = await RegistryQueries.FindVersionAsync(db, model, version, cancellationToken);
        if (found is null)
        {
            return null;
        }
        var evidence = await VersionEvidence.LoadAsync(db, cards, checklists, found, cancellationToken);
        var promotions = await db.Promotions.AsNoTracking().Include(p => p.Decisions).Where(p => p.VersionId == found.Id)
            .OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
        // The version's own events and those of everything hung on it: its promotions, assessments and card revisions.
        var ids = new List<string> { found.Id.ToString() };
        ids.AddRange(promotions.Select(p => p.Id.ToString()));
        ids.AddRange(evidence.Compliance.Select(r => r.Assessment?.Id.ToString()).OfType<string>());
        // Formatted here as the trail writes them: SQLite's cast of a stored Guid is upper case, so it matched no event.
        ids.AddRange((await db.ModelCardRevisions.AsNoTracking().Where(r => r.VersionId == found.Id).Select(r => r.Id).ToListAsync(cancellationToken))
            .Select(id => id.ToString()));
        var plan = await retirements.GetAsync(model, version, cancellationToken);
        if (plan is not null)
        {
            ids.Add(plan.Plan.Id.ToString());
        }
        // Periodic reviews speak about the version in Production when they were answered.
        var reviews = await db.Set<Reviews.PeriodicReview>().AsNoTracking().Where(r => r.VersionId == found.Id).ToListAsync(cancellationToken);
        reviews = reviews.OrderBy(r => r.DueDate).ThenBy(r => r.AnsweredAt).ToList();
        ids.AddRange(reviews.Select(r => r.Id.ToString()));
        var events = await db.AuditEvents.AsNoTracking().Where(e => ids.Contains(e.EntityId) && e.Sequence <= headSequence)
            .OrderBy(e => e.Sequence).Select(e => new AuditLine(e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.EntityType, e.EntityId))
            .ToListAsync(cancellationToken);
        return new DossierData(found, evidence, promotions.Select(p => new PromotionRecord(p, PromotionService.Gates(p))).ToList(), events, plan, reviews);
    }

    /// <summary>Every version of a model in number order: the lifecycle changes Annex IV point 6 asks for.</summary>
    public async Task<IReadOnlyList<ModelVersion>> VersionsOfAsync(Guid modelId, CancellationToken cancellationToken) =>
        (await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == modelId).ToListAsync(cancellationToken)).OrderBy(v => v.Number).ToList();

    /// <summary>
    /// Production at <paramref name="asOf"/>, replayed from the trail's stage changes (the trail is where every stage change
    /// is recorded with its transaction), then joined with what each version's approvals and checklists say.
    /// </summary>
    public async Task<PortfolioData> PortfolioAsync(DateTimeOffset asOf, long headSequence, Func<int, Task> progress, CancellationToken cancellationToken)
    {
        var stageEvents = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EntityType == nameof(ModelVersion) && (e.Action == VersionStageHistory.Registered || e.Action == VersionStageHistory.StageChanged)
                && e.Timestamp <= asOf && e.Sequence <= headSequence)
            .OrderBy(e => e.Sequence).Select(e => new { e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.EntityId, e.Payload })
            .ToListAsync(cancellationToken);
        var latest = new Dictionary<string, VersionStageChange>();
        foreach (var e in stageEvents)
        {
            if (VersionStageHistory.Read(e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.Payload) is { } change)
            {
                latest[e.EntityId] = change;
            }
        }
        var inProduction = latest.Where(p => p.Value.To == Stage.Production).ToDictionary(p => Guid.Parse(p.Key), p => p.Value);
        await progress(20);
        var ids = inProduction.Keys.ToList();
        var versions = await db.ModelVersions.AsNoTracking().Include(v => v.Model).Include(v => v.Metrics)
            .Where(v => ids.Contains(v.Id)).ToListAsync(cancellationToken);
        var promotionIds = inProduction.Values.Select(c => c.PromotionId).OfType<Guid>().ToList();
        var approvers = await db.PromotionDecisions.AsNoTracking().Where(d => promotionIds.Contains(d.PromotionId) && d.Verdict == Verdict.Approve)
            .OrderBy(d => d.At).Select(d => new { d.PromotionId, d.Approver }).ToListAsync(cancellationToken);
        var byPromotion = approvers.GroupBy(a => a.PromotionId).ToDictionary(g => g.Key, g => g.Select(a => a.Approver).ToList());
        await progress(40);
        // One query for every version's checklists, not one per row (a thousand rows took a thousand template loads).
        var statuses = await checklists.StatusesAsync(versions, cancellationToken);
        await progress(70);
        var rows = new List<PortfolioRow>(versions.Count);
        foreach (var version in versions.OrderBy(v => v.Model.Key, StringComparer.Ordinal))
        {
            var change = inProduction[version.Id];
            var by = change.PromotionId is { } promotion && byPromotion.TryGetValue(promotion, out var names) ? names : [change.Actor];
            rows.Add(new PortfolioRow(version.Model, version, change.At, by, change.PolicyVersion, statuses[version.Id].Templates));
        }
        var rollbacks = await db.Rollbacks.AsNoTracking().Include(r => r.Model).Include(r => r.FromVersion).Include(r => r.ToVersion).Where(r => r.StartedAt <= asOf).ToListAsync(cancellationToken);
        var reviews = await db.RetrospectiveReviews.AsNoTracking().Include(r => r.Rollback).ThenInclude(r => r.Model).Where(r => r.OpenedAt <= asOf && (r.ClosedAt == null || r.ClosedAt > asOf))
            .ToListAsync(cancellationToken);
        var pending = await db.Promotions.AsNoTracking().Include(p => p.Version).ThenInclude(v => v.Model)
            .Where(p => p.CreatedAt <= asOf && (p.DecidedAt == null || p.DecidedAt > asOf)).ToListAsync(cancellationToken);
        return new PortfolioData(asOf, rows,
            rollbacks.OrderByDescending(r => r.StartedAt).ToList(),
            reviews.OrderBy(r => r.OpenedAt).ToList(), pending.OrderBy(p => p.CreatedAt).ToList());
    }

    public async Task<AuditTrailData> AuditTrailAsync(DateTimeOffset from, DateTimeOffset to, long headSequence, Func<int, Task> progress,
        CancellationToken cancellationToken)
    {
        var inPeriod = db.AuditEvents.AsNoTracking().Where(e => e.Timestamp >= from && e.Timestamp < to && e.Sequence <= headSequence);
        var byAction = await inPeriod.GroupBy(e => e.Action).Select(g => new CountRow(g.Key, g.Count())).ToListAsync(cancellationToken);
        var byActor = await inPeriod.GroupBy(e => e.ActorUsername).Select(g => new CountRow(g.Key, g.Count())).ToListAsync(cancellationToken);
        var decisions = await inPeriod.Where(e => DecisionActions.Contains(e.Action)).OrderBy(e => e.Sequence)
            .Select(e => new AuditLine(e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.EntityType, e.EntityId)).ToListAsync(cancellationToken);
        await progress(30);
        var result = await verification.VerifyAsync(cancellationToken);
        await progress(80);
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Timestamp >= from && c.Timestamp < to)
            .OrderBy(c => c.TreeSize).ToListAsync(cancellationToken);
        return new AuditTrailData(from, to, byAction.Sum(r => r.Count),
            byAction.OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(),
            byActor.OrderByDescending(r => r.Count).ThenBy(r => r.Name, StringComparer.Ordinal).ToList(),
            decisions, result, checkpoints, key.KeyId);
    }
}
