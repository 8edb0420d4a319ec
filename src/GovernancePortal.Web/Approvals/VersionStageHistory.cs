using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>
/// One stage a version entered, read from the audit event that recorded it: when, by whom, and why (the promotion request
/// and the policy version it was approved under with its approvers, the promotion that replaced it in Production, or the
/// rollback). <see cref="Sequence"/> is that event's place in the trail, which is also the commit order.
/// </summary>
public sealed record VersionStageChange(long Sequence, DateTimeOffset At, string Actor, Stage? From, Stage To, StageChangeCause Cause,
    Guid? PromotionId, int? PolicyVersion, IReadOnlyList<string> Approvers, Guid? RollbackId);

public enum StageChangeCause
{
    Registered,
    PromotionApproved,
    ReplacedInProduction,
    RolledBack,
    RestoredByRollback,
    Other,
}

/// <summary>
/// A version's stage history. The audit trail is its source: every stage change is saved with its event in one
/// transaction (the trail refuses a change without one), so the history is complete and in commit order.
/// </summary>
public static class VersionStageHistory
{
    public const string Registered = "version.registered";
    public const string StageChanged = "version.stage-changed";

    // The "reason" a stage-changed event's details give; the services that move stages write these, this reads them.
    public const string ReplacedInProduction = "replaced in production";
    public const string RolledBack = "rolled back";
    public const string RestoredByRollback = "restored by rollback";

    public static async Task<IReadOnlyList<VersionStageChange>> OfVersionAsync(GovernanceDbContext db, Guid versionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var id = versionId.ToString();
        var events = await db.AuditEvents.AsNoTracking()
            .Where(e => e.EntityType == nameof(ModelVersion) && e.EntityId == id && (e.Action == Registered || e.Action == StageChanged))
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.Payload })
            .ToListAsync(cancellationToken);
        var changes = events.Select(e => Read(e.Sequence, e.Timestamp, e.ActorUsername, e.Action, e.Payload)).OfType<VersionStageChange>().ToList();

        var promotionIds = changes.Where(c => c.Cause == StageChangeCause.PromotionApproved).Select(c => c.PromotionId!.Value).Distinct().ToList();
        if (promotionIds.Count == 0)
        {
            return changes;
        }
        var approvers = await db.PromotionDecisions.AsNoTracking()
            .Where(d => promotionIds.Contains(d.PromotionId) && d.Verdict == Verdict.Approve)
            .OrderBy(d => d.At)
            .Select(d => new { d.PromotionId, d.Approver })
            .ToListAsync(cancellationToken);
        var byPromotion = approvers.GroupBy(a => a.PromotionId).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(a => a.Approver).ToList());
        return changes.Select(c => c.PromotionId is { } p && c.Cause == StageChangeCause.PromotionApproved && byPromotion.TryGetValue(p, out var names)
            ? c with { Approvers = names }
            : c).ToList();
    }

    /// <summary>A stage change from one event's payload; null when the event did not touch the stage.</summary>
    internal static VersionStageChange? Read(long sequence, DateTimeOffset at, string actor, string action, string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        if (!root.TryGetProperty("changes", out var changes) || !changes.TryGetProperty("stage", out var stage)
            || !TryStage(stage, "after", out var to))
        {
            return null;
        }
        Stage? from = TryStage(stage, "before", out var before) ? before : null;
        var details = root.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var promotion = Guid(details, "promotion");
        var rollback = Guid(details, "rollback");
        var reason = Text(details, "reason");
        var cause = action == Registered ? StageChangeCause.Registered
            : reason == ReplacedInProduction ? StageChangeCause.ReplacedInProduction
            : reason == RolledBack ? StageChangeCause.RolledBack
            : reason == RestoredByRollback ? StageChangeCause.RestoredByRollback
            : promotion is not null ? StageChangeCause.PromotionApproved
            : StageChangeCause.Other;
        int? policyVersion = details.ValueKind == JsonValueKind.Object && details.TryGetProperty("policyVersion", out var p) && p.TryGetInt32(out var v) ? v : null;
        return new VersionStageChange(sequence, at, actor, from, to, cause, promotion, policyVersion, [], rollback);
    }

    private static bool TryStage(JsonElement change, string side, out Stage stage)
    {
        stage = default;
        return change.TryGetProperty(side, out var value) && value.ValueKind == JsonValueKind.String
            && Enum.TryParse(value.GetString(), ignoreCase: false, out stage) && Enum.IsDefined(stage);
    }

    private static string? Text(JsonElement details, string name) =>
        details.ValueKind == JsonValueKind.Object && details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Guid? Guid(JsonElement details, string name) =>
        System.Guid.TryParse(Text(details, name), out var id) ? id : null;
}
