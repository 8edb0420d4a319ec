using System.Globalization;
using System.Text.RegularExpressions;
using GovernancePortal.Approvals;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.AsOf;

/// <summary>
/// A version that was in Production at an instant: since when, who let it in (a promotion's approvers, its requester when
/// the policy needed none, or a rollback's starter and confirmer) and under which policy version.
/// </summary>
public sealed record ProductionAtInstant(string Model, string ModelName, RiskTier RiskTier, string Version, DateTimeOffset Since, IReadOnlyList<string> ApprovedBy,
    int? PolicyVersion, Guid? PromotionId, Guid? RollbackId);

/// <summary>
/// What was in Production at a given instant (issue 15, item 6), for the page and the API alike. Derived from the stage
/// history in the audit trail: every stage change is saved with its event, so replaying the events up to the instant, in
/// commit order, gives each version's stage at that moment.
/// </summary>
public sealed partial class ProductionAsOf(GovernanceDbContext db)
{
    // An instant: a date, a time and an offset (or Z); a date alone names a day, not a moment.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex InstantPattern();

    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is not null && InstantPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant)
            // PostgreSQL's timestamptz takes UTC only; the instant is the same.
            && (instant = instant.ToUniversalTime()) != default;
    }

    public async Task<IReadOnlyList<ProductionAtInstant>> AtAsync(DateTimeOffset instant, CancellationToken cancellationToken = default)
    {
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EntityType == nameof(ModelVersion) && (e.Action == VersionStageHistory.Registered || e.Action == VersionStageHistory.StageChanged)
                && e.Timestamp <= instant)
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.EntityId, e.Payload })
            .ToListAsync(cancellationToken);
        var last = new Dictionary<string, VersionStageChange>();
        foreach (var e in events)
        {
            if (VersionStageHistory.Read(e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.Payload) is { } change)
            {
                last[e.EntityId] = change;
            }
        }
        var inProduction = last.Where(l => l.Value.To == Stage.Production).ToDictionary(l => Guid.Parse(l.Key), l => l.Value);
        if (inProduction.Count == 0)
        {
            return [];
        }
        var ids = inProduction.Keys.ToList();
        var versions = await db.ModelVersions.AsNoTracking().Where(v => ids.Contains(v.Id))
            .Select(v => new { v.Id, v.Model.Key, v.Model.Name, v.Model.RiskTier, v.Major, v.Minor, v.Pipeline }).ToDictionaryAsync(v => v.Id, cancellationToken);
        // The approval that let each version in, decided by the instant: the one the change names, else the latest before it
        // (a version put in Production without a stage-change event of its own, as seeded data may be).
        var promotions = await db.Promotions.AsNoTracking()
            .Where(p => ids.Contains(p.VersionId) && p.TargetStage == Stage.Production && p.State == PromotionRequestState.Approved && p.DecidedAt <= instant)
            .Select(p => new
            {
                p.Id, p.VersionId, p.DecidedAt, p.Requester, p.PolicyVersion,
                Approvers = p.Decisions.Where(d => d.Verdict == Verdict.Approve).OrderBy(d => d.At).Select(d => d.Approver).ToList(),
            })
            .ToListAsync(cancellationToken);
        var rollbackIds = inProduction.Values.Select(c => c.RollbackId).OfType<Guid>().ToList();
        var rollbacks = await db.Rollbacks.AsNoTracking().Where(r => rollbackIds.Contains(r.Id))
            .Select(r => new { r.Id, r.StartedBy, r.DecidedBy }).ToDictionaryAsync(r => r.Id, cancellationToken);

        var rows = new List<ProductionAtInstant>();
        foreach (var (id, change) in inProduction)
        {
            var version = versions[id];
            if (change.RollbackId is { } rollbackId && rollbacks.TryGetValue(rollbackId, out var rollback))
            {
                rows.Add(Row(version.Key, version.Name, version.RiskTier, version.Major, version.Minor, version.Pipeline, change.At,
                    [rollback.StartedBy, .. rollback.DecidedBy is null ? Array.Empty<string>() : [rollback.DecidedBy]], null, null, rollbackId));
                continue;
            }
            var promotion = promotions.FirstOrDefault(p => p.Id == change.PromotionId)
                ?? promotions.Where(p => p.VersionId == id).MaxBy(p => p.DecidedAt);
            rows.Add(Row(version.Key, version.Name, version.RiskTier, version.Major, version.Minor, version.Pipeline, change.At,
                promotion is null ? [] : promotion.Approvers.Count > 0 ? promotion.Approvers : [promotion.Requester],
                promotion?.PolicyVersion ?? change.PolicyVersion, promotion?.Id, null));
        }
        return rows.OrderBy(r => r.ModelName, StringComparer.CurrentCulture).ThenByDescending(r => VersionNumber.TryParse(r.Version, out var n) ? n.Value : default).ToList();
    }

    private static ProductionAtInstant Row(string key, string name, RiskTier tier, int major, int minor, int pipeline, DateTimeOffset since, IReadOnlyList<string> by,
        int? policyVersion, Guid? promotion, Guid? rollback) =>
        new(key, name, tier, new VersionNumber(major, minor, pipeline).ToString(), since, by, policyVersion, promotion, rollback);
}
