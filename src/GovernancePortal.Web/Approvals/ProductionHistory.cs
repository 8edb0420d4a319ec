using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>
/// One time a version entered Production: an approved promotion (under its policy version) or a confirmed rollback, which
/// also took <see cref="RolledBack"/> out. <see cref="Sequence"/> is the audit sequence of the event that committed it;
/// <see cref="At"/>, the decider's clock, is for reading only. <see cref="By"/>: a promotion's approvers (its requester when
/// the policy needed none), or a rollback's starter and confirmer.
/// </summary>
public sealed record ProductionChange(long Sequence, Guid VersionId, DateTimeOffset At, IReadOnlyList<string> By, Guid? PromotionId, int? PolicyVersion,
    Guid? RollbackId, Guid? RolledBack);

/// <summary>
/// A model's Production history in the order its changes committed. Decision timestamps come from the clock of whichever
/// portal instance decided, and two instances' clocks may disagree; the audit trail's sequence cannot: each change is saved
/// with its audit event in one transaction, and events are numbered under one lock held until that transaction commits.
/// </summary>
public static class ProductionHistory
{
    public const string PromotionApproved = "promotion.approved";
    public const string RollbackConfirmed = "rollback.confirmed";

    public static async Task<IReadOnlyList<ProductionChange>> OfModelAsync(GovernanceDbContext db, Guid modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var promoted = await db.Promotions.AsNoTracking()
            .Where(p => p.Version.ModelId == modelId && p.State == PromotionRequestState.Approved && p.TargetStage == Stage.Production)
            .Select(p => new
            {
                p.Id, p.VersionId, p.PolicyVersion, p.Requester, At = p.DecidedAt ?? p.CreatedAt,
                Approvers = p.Decisions.Where(d => d.Verdict == Verdict.Approve).OrderBy(d => d.At).Select(d => d.Approver).ToList(),
            })
            .ToListAsync(cancellationToken);
        var rolledBack = await db.Rollbacks.AsNoTracking().Where(r => r.ModelId == modelId && r.State == RollbackState.Confirmed)
            .Select(r => new { r.Id, r.FromVersionId, r.ToVersionId, r.DecidedAt, r.StartedBy, r.DecidedBy }).ToListAsync(cancellationToken);
        var promotions = await CommittedAsync(db, nameof(Promotion), PromotionApproved, promoted.Select(p => p.Id), cancellationToken);
        var rollbacks = await CommittedAsync(db, nameof(Rollback), RollbackConfirmed, rolledBack.Select(r => r.Id), cancellationToken);
        // Every approval and confirmation is saved with its event (the trail refuses a change without one), so each has its place.
        return promoted.Where(p => promotions.ContainsKey(p.Id))
            .Select(p => new ProductionChange(promotions[p.Id], p.VersionId, p.At, p.Approvers.Count > 0 ? p.Approvers : [p.Requester], p.Id, p.PolicyVersion, null, null))
            .Concat(rolledBack.Where(r => rollbacks.ContainsKey(r.Id))
                .Select(r => new ProductionChange(rollbacks[r.Id], r.ToVersionId, r.DecidedAt!.Value, [r.StartedBy, r.DecidedBy!], null, null, r.Id, r.FromVersionId)))
            .OrderBy(c => c.Sequence)
            .ToList();
    }

    /// <summary>The audit sequence of the event <paramref name="action"/> on each of the entities: where its change stands in the commit order.</summary>
    public static async Task<Dictionary<Guid, long>> CommittedAsync(GovernanceDbContext db, string entityType, string action,
        IEnumerable<Guid> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        // Audit entity ids are the key's invariant text, as Guid.ToString() writes it.
        var keys = ids.Select(id => id.ToString()).ToList();
        if (keys.Count == 0)
        {
            return [];
        }
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EntityType == entityType && e.Action == action && keys.Contains(e.EntityId))
            .Select(e => new { e.EntityId, e.Sequence }).ToListAsync(cancellationToken);
        return events.GroupBy(e => Guid.Parse(e.EntityId)).ToDictionary(g => g.Key, g => g.Min(e => e.Sequence));
    }
}
