using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Approvals;

/// <summary>A version's move between stages, as the audit trail recorded it.</summary>
public sealed record StageChange(long Sequence, string Action, Guid VersionId, Guid ModelId, Stage Before, Stage After, JsonElement Details)
{
    public Guid? Promotion => Details.TryGetProperty("promotion", out var id) && id.ValueKind == JsonValueKind.String ? id.GetGuid() : null;

    public string? Reason => Details.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : null;

    public Guid? Rollback => Details.TryGetProperty("rollback", out var id) && id.ValueKind == JsonValueKind.String ? id.GetGuid() : null;

    public override string ToString() => $"audit #{Sequence} {Action}: version {VersionId} {Before} → {After} ({Details.GetRawText()})";
}

/// <summary>
/// What a justification may consult: the promotions stage changes name (loaded once per check), which model each version
/// belongs to, and the database for anything else (a rollback record, say).
/// </summary>
public sealed record StageChangeContext(GovernanceDbContext Db, IReadOnlyDictionary<Guid, Promotion> Promotions, IReadOnlyDictionary<Guid, Guid> ModelOfVersion,
    IReadOnlyDictionary<Guid, Rollback> Rollbacks, IReadOnlyDictionary<Guid, Model> Models)
{
    public Promotion? PromotionOf(StageChange change) => change.Promotion is { } id ? Promotions.GetValueOrDefault(id) : null;

    public Rollback? RollbackOf(StageChange change) => change.Rollback is { } id ? Rollbacks.GetValueOrDefault(id) : null;
}

public sealed record VersionRow(Guid Id, Guid ModelId, string ModelKey, string Number, Stage Stage);

/// <param name="WaitsForGates">Every approval its policy asks for is given; only a gate holds it.</param>
public sealed record PendingRow(Guid Id, Guid VersionId, string Requester, Stage Target = Stage.Staging, bool WaitsForGates = false);

/// <summary>A rollback not confirmed or cancelled: Pending (possibly past its window), or stored Expired by the job.</summary>
public sealed record RollbackRow(Guid Id, string ModelKey, string StartedBy, string StartedRole, DateTimeOffset ExpiresAt, RollbackState State);

/// <summary>What a check found, and the state it read (a randomized run plans its next batch from it).</summary>
public sealed record CheckResult(IReadOnlyList<string> Problems, IReadOnlyList<VersionRow> Versions, IReadOnlyList<PendingRow> Pending, IReadOnlyList<Guid> Decided)
{
    public IReadOnlyList<RollbackRow> Rollbacks { get; init; } = [];

    public IReadOnlyList<Guid> OpenReviews { get; init; } = [];

    /// <summary>Rollbacks confirmed or cancelled since the previous check.</summary>
    public IReadOnlyList<Guid> DecidedRollbacks { get; init; } = [];
}

/// <summary>
/// The approval workflow's invariants, checked against the database and the audit trail. The audit trail is read
/// incrementally (only events since the last check), so a check after every batch of a long run stays cheap.
/// Not thread-safe: check between batches.
/// </summary>
public sealed class PromotionInvariants
{
    /// <summary>
    /// Everything that may move a version between stages. A stage change in the audit trail that none of them explains is a
    /// violation. Emergency rollback adds its record kind here (one more entry).
    /// </summary>
    public static readonly IReadOnlyList<(string Name, Func<StageChange, StageChangeContext, Task<bool>> Explains)> Justifications =
    [
        ("an approved promotion of that version to that stage", (change, context) => Task.FromResult(
            context.PromotionOf(change) is { State: PromotionRequestState.Approved } p && p.VersionId == change.VersionId && p.TargetStage == change.After)),
        ("its replacement in Production by an approved promotion whose policy allows one Production version", (change, context) => Task.FromResult(
            change.Reason == "replaced in production"
            && context.PromotionOf(change) is { State: PromotionRequestState.Approved, TargetStage: Stage.Production } p
            && p.VersionId != change.VersionId && context.ModelOfVersion.GetValueOrDefault(p.VersionId) == change.ModelId
            && !PromotionService.Policy(p).AllowsSeveralProduction
            && change.Before == Stage.Production && change.After == Stage.Staging)),
        ("a confirmed rollback of that model, by two people from the two sides, that took that version out of Production or restored it", (change, context) => Task.FromResult(
            context.RollbackOf(change) is { State: RollbackState.Confirmed } r && r.ModelId == change.ModelId
            && context.Models.TryGetValue(r.ModelId, out var model) && WhyWrongPeople(r, model) is null
            && ((change.Reason == "rolled back" && r.FromVersionId == change.VersionId && change.Before == Stage.Production && change.After == Stage.Staging)
                || (change.Reason == "restored by rollback" && r.ToVersionId == change.VersionId && change.Before == Stage.Staging && change.After == Stage.Production)))),
    ];

    private static readonly string[] TerminalActions = ["promotion.approved", "promotion.rejected", "promotion.withdrawn", "promotion.expired"];

    private readonly Dictionary<Guid, Stage> _auditedStage = [];
    private readonly Dictionary<Guid, AuditedPromotion> _audited = [];
    private readonly Dictionary<Guid, PromotionPolicy> _policyOfLatestProductionEntry = [];
    private readonly HashSet<Guid> _touched = [];
    private readonly Dictionary<Guid, AuditedRollback> _auditedRollbacks = [];
    private readonly HashSet<Guid> _touchedRollbacks = [];
    /// <summary>Per model, every entry of a version into Production in audit order: what "the previous version" is judged by.</summary>
    private readonly Dictionary<Guid, List<(Guid Version, long Sequence)>> _productionEntries = [];
    private readonly Dictionary<Guid, long> _rolledBackAt = [];
    private Dictionary<Guid, Model> _models = [];
    private long _lastSequence;
    // Notifications carry no sequence; each batch runs at a later clock time than the previous one, so time separates them.
    private DateTimeOffset _lastNotificationAt = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public int StageChangesChecked { get; private set; }

    public int PromotionsChecked { get; private set; }

    public int RollbacksChecked { get; private set; }

    public int NotificationsChecked { get; private set; }

    /// <summary>Reads the audit events since the last check and returns every violation found; empty when all hold.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(GovernanceDbContext db, bool everything = false) => (await CheckStateAsync(db, everything)).Problems;

    /// <summary>Like <see cref="CheckAsync"/>, and returns the versions and pending requests it read, ordered by content.</summary>
    /// <param name="now">The clock's time, to judge which pending rollbacks are still within their window.</param>
    public async Task<CheckResult> CheckStateAsync(GovernanceDbContext db, bool everything = false, DateTimeOffset? now = null)
    {
        var problems = new List<string>();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > _lastSequence).OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Action, e.EntityType, e.EntityId, e.Payload }).ToListAsync();
        var versions = (await db.ModelVersions.AsNoTracking().OrderBy(v => v.Model.Key).ThenBy(v => v.Major).ThenBy(v => v.Minor).ThenBy(v => v.Pipeline)
            .Select(v => new { v.Id, v.ModelId, v.Model.Key, v.Major, v.Minor, v.Pipeline, v.Stage }).ToListAsync())
            .Select(v => new VersionRow(v.Id, v.ModelId, v.Key, new VersionNumber(v.Major, v.Minor, v.Pipeline).ToString(), v.Stage)).ToList();
        var pending = (await db.Promotions.AsNoTracking().Include(p => p.Decisions).Where(p => p.State == PromotionRequestState.Pending)
            .OrderBy(p => p.Version.Model.Key).ThenBy(p => p.Version.Minor).ThenBy(p => p.CreatedAt).ToListAsync())
            .Select(p => new PendingRow(p.Id, p.VersionId, p.Requester, p.TargetStage, ApprovalSlots.Remaining(PromotionService.Policy(p),
                p.Decisions.Select(d => new PromotionDecision(d.Approver, d.Role, d.Verdict, d.Comment, d.At))).Count == 0)).ToList();
        if (versions.Any(v => !_models.ContainsKey(v.ModelId)))
        {
            // Models never change in these tests once registered; read them again only when a new one appears.
            _models = await db.Models.AsNoTracking().ToDictionaryAsync(m => m.Id);
        }
        var models = _models;
        var modelOfVersion = versions.ToDictionary(v => v.Id, v => v.ModelId);

        var stageChanges = new List<StageChange>();
        foreach (var e in events)
        {
            _lastSequence = e.Sequence;
            using var payload = JsonDocument.Parse(e.Payload);
            var root = payload.RootElement;
            var details = root.TryGetProperty("details", out var d) ? d.Clone() : default;
            var changes = root.TryGetProperty("changes", out var c) ? c : default;
            switch (e.EntityType)
            {
                case nameof(ModelVersion):
                    var versionId = Guid.Parse(e.EntityId);
                    if (changes.ValueKind != JsonValueKind.Object || !changes.TryGetProperty("stage", out var stage))
                    {
                        break;
                    }
                    var after = Enum.Parse<Stage>(stage.GetProperty("after").GetString()!);
                    if (stage.TryGetProperty("before", out var beforeText))
                    {
                        var before = Enum.Parse<Stage>(beforeText.GetString()!);
                        if (_auditedStage.GetValueOrDefault(versionId) != before)
                        {
                            problems.Add($"audit #{e.Sequence} moves version {versionId} from {before}, but the trail had it in {_auditedStage.GetValueOrDefault(versionId)}.");
                        }
                        var change = new StageChange(e.Sequence, e.Action, versionId, modelOfVersion.GetValueOrDefault(versionId), before, after,
                            details.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("{}").RootElement : details);
                        stageChanges.Add(change);
                        if (change.Rollback is { } byRollback)
                        {
                            AuditedRollbackOf(byRollback).StageChanges.Add(change.Reason ?? "(no reason)");
                        }
                    }
                    _auditedStage[versionId] = after;
                    break;
                case nameof(Promotion):
                    var promotion = Audited(Guid.Parse(e.EntityId));
                    if (e.Action == "promotion.requested")
                    {
                        promotion.Requested++;
                    }
                    if (TerminalActions.Contains(e.Action))
                    {
                        promotion.TerminalEvents.Add(e.Action);
                    }
                    if (changes.ValueKind == JsonValueKind.Object && changes.TryGetProperty("state", out var state))
                    {
                        var to = Enum.Parse<PromotionRequestState>(state.GetProperty("after").GetString()!);
                        if (state.TryGetProperty("before", out var from) && Enum.Parse<PromotionRequestState>(from.GetString()!) != promotion.State)
                        {
                            problems.Add($"audit #{e.Sequence} moves promotion {e.EntityId} from {from.GetString()}, but the trail had it {promotion.State}.");
                        }
                        promotion.State = to;
                    }
                    break;
                case nameof(PromotionDecisionRecord):
                    var decided = Audited(details.GetProperty("promotion").GetGuid());
                    (e.Action == "promotion.approved-by" ? decided.Approvals : decided.Rejections).Add(Guid.Parse(e.EntityId));
                    break;
                case nameof(Rollback):
                    var rollback = AuditedRollbackOf(Guid.Parse(e.EntityId));
                    if (e.Action == "rollback.started")
                    {
                        rollback.Started++;
                    }
                    else
                    {
                        rollback.Ends.Add(e.Action);
                    }
                    break;
                case nameof(RetrospectiveReview):
                    var reviewed = AuditedRollbackOf(details.GetProperty("rollback").GetGuid());
                    (e.Action == "review.opened" ? reviewed.ReviewsOpened : reviewed.ReviewsClosed).Add(Guid.Parse(e.EntityId));
                    break;
            }
        }

        var promotionIds = _touched.Concat(stageChanges.Where(s => s.Promotion is not null).Select(s => s.Promotion!.Value)).Distinct().ToList();
        var promotions = everything
            ? await db.Promotions.AsNoTracking().Include(p => p.Decisions).ToDictionaryAsync(p => p.Id)
            : await db.Promotions.AsNoTracking().Include(p => p.Decisions).Where(p => promotionIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id);
        var rollbackIds = _touchedRollbacks.ToList();
        var rollbacks = everything
            ? await db.Rollbacks.AsNoTracking().ToDictionaryAsync(r => r.Id)
            : await db.Rollbacks.AsNoTracking().Where(r => rollbackIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id);
        var reviews = (everything
            ? await db.RetrospectiveReviews.AsNoTracking().ToListAsync()
            : await db.RetrospectiveReviews.AsNoTracking().Where(v => rollbackIds.Contains(v.RollbackId)).ToListAsync()).ToLookup(v => v.RollbackId);
        var context = new StageChangeContext(db, promotions, modelOfVersion, rollbacks, models);

        foreach (var change in stageChanges)
        {
            StageChangesChecked++;
            if (!await ExplainedAsync(change, context))
            {
                problems.Add($"Nothing justifies {change}: neither {string.Join(" nor ", Justifications.Select(j => j.Name))}.");
            }
            if (change.Reason == "rolled back" && context.RollbackOf(change) is { } rolledBack)
            {
                // The rollback must restore the version that entered Production before the current champion, skipping versions
                // an earlier rollback took out after their entry (ADR-013), judged here from the audit trail alone.
                var entries = _productionEntries.GetValueOrDefault(change.ModelId) ?? [];
                var last = entries.FindLastIndex(x => x.Version == change.VersionId);
                var previous = entries.Take(Math.Max(last, 0)).Reverse()
                    .Where(x => x.Version != change.VersionId && !(_rolledBackAt.TryGetValue(x.Version, out var at) && at > x.Sequence))
                    .Select(x => (Guid?)x.Version).FirstOrDefault();
                if (last < 0 || previous != rolledBack.ToVersionId)
                {
                    problems.Add($"Rollback {rolledBack.Id} restored version {rolledBack.ToVersionId}, but the version in Production before {change.VersionId} "
                        + $"was {previous?.ToString() ?? "none"} ({change}).");
                }
                _rolledBackAt[change.VersionId] = change.Sequence;
            }
            if (change.After == Stage.Production)
            {
                if (!_productionEntries.TryGetValue(change.ModelId, out var entries))
                {
                    _productionEntries[change.ModelId] = entries = [];
                }
                entries.Add((change.VersionId, change.Sequence));
            }
            if (context.PromotionOf(change) is { } credited && credited.VersionId == change.VersionId)
            {
                Audited(credited.Id).OwnStageChanges++;
                if (change.After == Stage.Production)
                {
                    _policyOfLatestProductionEntry[change.ModelId] = PromotionService.Policy(credited);
                }
            }
        }

        foreach (var version in versions)
        {
            if (!_auditedStage.TryGetValue(version.Id, out var audited) || audited != version.Stage)
            {
                problems.Add($"Version {version.Id} is in {version.Stage}, but the audit trail says {(_auditedStage.ContainsKey(version.Id) ? audited : "nothing")}: a stage change without its audit event.");
            }
        }
        foreach (var model in versions.Where(v => v.Stage == Stage.Production).GroupBy(v => v.ModelId).Where(g => g.Count() > 1))
        {
            if (_policyOfLatestProductionEntry.GetValueOrDefault(model.Key) is not { AllowsSeveralProduction: true })
            {
                problems.Add($"Model {models[model.Key].Key} has {model.Count()} versions in Production ({string.Join(", ", model.Select(v => v.Id))}), but its policy allows one.");
            }
        }
        foreach (var versionId in pending.GroupBy(p => p.VersionId).Where(g => g.Count() > 1).Select(g => g.Key))
        {
            problems.Add($"Version {versionId} has more than one pending promotion request.");
        }

        foreach (var promotion in everything ? promotions.Values : promotionIds.Select(promotions.GetValueOrDefault).OfType<Promotion>())
        {
            PromotionsChecked++;
            Check(promotion, models[modelOfVersion[promotion.VersionId]], problems);
        }
        foreach (var ghost in promotionIds.Where(id => !promotions.ContainsKey(id)))
        {
            problems.Add($"The audit trail records promotion {ghost}, which the database does not hold: an audit event of a change that was not saved.");
        }
        _touched.Clear();

        foreach (var id in everything ? rollbacks.Keys.Union(rollbackIds).ToList() : rollbackIds)
        {
            RollbacksChecked++;
            if (!rollbacks.TryGetValue(id, out var rollback))
            {
                problems.Add($"The audit trail records rollback {id}, which the database does not hold: an audit event of a change that was not saved.");
                continue;
            }
            CheckRollback(rollback, models[rollback.ModelId], reviews[id].ToList(), _auditedRollbacks.GetValueOrDefault(id) ?? new(), modelOfVersion, problems);
        }
        _touchedRollbacks.Clear();

        // Expired ones stay in the list, as they did before the job stored them, so a run keeps trying to confirm them.
        var pendingRollbacks = (await db.Rollbacks.AsNoTracking().Where(r => r.State == RollbackState.Pending || r.State == RollbackState.Expired)
            .Select(r => new { r.Id, r.Model.Key, r.StartedBy, r.StartedRole, r.StartedAt, r.ExpiresAt, r.State }).ToListAsync())
            .OrderBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.StartedAt).Select(r => new RollbackRow(r.Id, r.Key, r.StartedBy, r.StartedRole, r.ExpiresAt, r.State)).ToList();
        if (now is { } clock)
        {
            foreach (var model in pendingRollbacks.Where(r => r.ExpiresAt > clock && r.State == RollbackState.Pending).GroupBy(r => r.ModelKey).Where(g => g.Count() > 1))
            {
                problems.Add($"Model {model.Key} has {model.Count()} rollbacks waiting for confirmation at once ({string.Join(", ", model.Select(r => $"{r.Id} by {r.StartedBy}"))}); ADR-013 allows one.");
            }
        }
        var openReviews = (await db.RetrospectiveReviews.AsNoTracking().Where(v => v.State == ReviewState.Open).Select(v => new { v.Id, v.OpenedAt }).ToListAsync())
            .OrderBy(v => v.OpenedAt).ThenBy(v => v.Id).Select(v => v.Id).ToList();

        await CheckNotificationsAsync(db, promotions, problems);

        var terminal = promotions.Values.Where(p => p.State != PromotionRequestState.Pending).OrderBy(p => p.DecidedAt).Select(p => p.Id).ToList();
        return new CheckResult(problems, versions, pending, terminal)
        {
            Rollbacks = pendingRollbacks,
            OpenReviews = openReviews,
            DecidedRollbacks = rollbacks.Values.Where(r => r.State != RollbackState.Pending && rollbackIds.Contains(r.Id)).OrderBy(r => r.Id).Select(r => r.Id).ToList(),
        };
    }

    private void Check(Promotion p, Model model, List<string> problems)
    {
        var policy = PromotionService.Policy(p);
        var name = $"Promotion {p.Id} ({model.Key}, {p.FromStage} → {p.TargetStage}, {p.State})";
        foreach (var d in p.Decisions)
        {
            var actor = PromotionWorld.Find(d.Approver);
            if (actor is null)
            {
                problems.Add($"{name}: decided by {d.Approver}, whom the tests do not know.");
                continue;
            }
            if (SamePerson(d.Approver, p.Requester))
            {
                problems.Add($"{name}: {d.Approver} decided on their own request.");
            }
            if (SamePerson(d.Approver, model.Owner))
            {
                problems.Add($"{name}: {d.Approver} owns the model and decided.");
            }
            if (p.TargetStage == Stage.Production && actor.Team == model.Team)
            {
                problems.Add($"{name}: {d.Approver} is in the owning team {model.Team} and decided on a Production promotion.");
            }
            if (actor.Holds(Roles.Admin) || actor.Holds(Roles.Auditor) || !PromotionPolicy.ApproverRoles.Any(actor.Holds))
            {
                problems.Add($"{name}: {d.Approver} ({string.Join(", ", actor.Roles)}) decided, but is no approver.");
            }
            if (!actor.Holds(d.Role))
            {
                problems.Add($"{name}: {d.Approver} decided as {d.Role}, a role they do not hold.");
            }
        }
        var approvals = p.Decisions.Where(d => d.Verdict == Verdict.Approve).ToList();
        var rejections = p.Decisions.Where(d => d.Verdict == Verdict.Reject).ToList();
        if (approvals.Select(d => d.Approver.ToLowerInvariant()).Distinct().Count() != approvals.Count)
        {
            problems.Add($"{name}: one person filled two approval slots ({string.Join(", ", approvals.Select(d => d.Approver))}).");
        }
        foreach (var role in approvals.GroupBy(d => d.Role))
        {
            var required = policy.RequiredApprovals.Where(r => r.Role == role.Key).Sum(r => r.Count);
            if (role.Count() > required)
            {
                problems.Add($"{name}: {role.Count()} approvals as {role.Key}, but the policy asks for {required}.");
            }
        }
        if (rejections.Count > 1 || (rejections.Count == 1) != (p.State == PromotionRequestState.Rejected))
        {
            problems.Add($"{name}: {rejections.Count} rejection(s) in state {p.State}.");
        }
        if (p.State == PromotionRequestState.Approved)
        {
            var domain = p.Decisions.Select(d => new PromotionDecision(d.Approver, d.Role, d.Verdict, d.Comment, d.At));
            if (ApprovalSlots.Remaining(policy, domain) is { Count: > 0 } remaining)
            {
                problems.Add($"{name}: approved, but it {ApprovalSlots.Describe(remaining)} under policy version {p.PolicyVersion}.");
            }
            if (GateEvaluation.Blocking(PromotionService.Gates(p)) is { Count: > 0 } blocking)
            {
                problems.Add($"{name}: approved while gates blocked: {string.Join("; ", blocking)}.");
            }
            if (model.RiskTier == RiskTier.Prohibited)
            {
                problems.Add($"{name}: a Prohibited model was promoted.");
            }
        }
        if ((p.DecidedAt is null) != (p.State == PromotionRequestState.Pending))
        {
            problems.Add($"{name}: decided at {p.DecidedAt?.ToString("O") ?? "never"} in state {p.State}.");
        }

        var audited = _audited.GetValueOrDefault(p.Id);
        if (audited is null)
        {
            problems.Add($"{name}: not in the audit trail at all.");
            return;
        }
        if (audited.Requested != 1)
        {
            problems.Add($"{name}: {audited.Requested} promotion.requested events.");
        }
        if (audited.State != p.State)
        {
            problems.Add($"{name}: the audit trail ends in {audited.State}.");
        }
        var expectedTerminal = p.State == PromotionRequestState.Pending ? 0 : 1;
        if (audited.TerminalEvents.Count != expectedTerminal
            || (expectedTerminal == 1 && audited.TerminalEvents[0] != $"promotion.{p.State.ToString().ToLowerInvariant()}"))
        {
            problems.Add($"{name}: terminal audit events [{string.Join(", ", audited.TerminalEvents)}].");
        }
        if (!audited.Approvals.SetEquals(approvals.Select(d => d.Id)) || !audited.Rejections.SetEquals(rejections.Select(d => d.Id)))
        {
            problems.Add($"{name}: the audit trail records {audited.Approvals.Count} approval(s) and {audited.Rejections.Count} rejection(s), "
                + $"the database {approvals.Count} and {rejections.Count} (or other ones).");
        }
        var ownStageChanges = p.State == PromotionRequestState.Approved ? 1 : 0;
        if (audited.OwnStageChanges != ownStageChanges)
        {
            problems.Add($"{name}: {audited.OwnStageChanges} stage change(s) of its version credited to it; expected {ownStageChanges}.");
        }
    }

    private static async Task<bool> ExplainedAsync(StageChange change, StageChangeContext context)
    {
        foreach (var (_, explains) in Justifications)
        {
            if (await explains(change, context))
            {
                return true;
            }
        }
        return false;
    }

    private static bool SamePerson(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The side of a rollback someone can take on a model, worked out from the test's own people: a ModelOwner who owns it or
    /// is in its team, or a ComplianceOfficer outside that team; Admins, Auditors and everyone else take none.
    /// </summary>
    private static string? Side(Actor? actor, Model model)
    {
        if (actor is null || actor.Holds(Roles.Admin) || actor.Holds(Roles.Auditor))
        {
            return null;
        }
        var owning = SamePerson(actor.Username, model.Owner) || actor.Team == model.Team;
        return owning && actor.Holds(Roles.ModelOwner) ? Roles.ModelOwner : !owning && actor.Holds(Roles.ComplianceOfficer) ? Roles.ComplianceOfficer : null;
    }

    /// <summary>Null when a confirmed rollback was started and confirmed by two people, one from each side, the starter on the side recorded.</summary>
    private static string? WhyWrongPeople(Rollback r, Model model)
    {
        if (r.DecidedBy is null)
        {
            return "confirmed by nobody";
        }
        if (SamePerson(r.StartedBy, r.DecidedBy))
        {
            return $"{r.DecidedBy} both started and confirmed it";
        }
        var confirmer = PromotionWorld.Find(r.DecidedBy);
        if (confirmer is null || confirmer.Holds(Roles.Admin) || confirmer.Holds(Roles.Auditor) || confirmer.Roles.All(role => role == Roles.Viewer))
        {
            return $"confirmed by {r.DecidedBy} ({(confirmer is null ? "unknown" : string.Join(", ", confirmer.Roles))})";
        }
        var starterSide = Side(PromotionWorld.Find(r.StartedBy), model);
        var confirmerSide = Side(confirmer, model);
        if (starterSide != r.StartedRole || confirmerSide is null || confirmerSide == starterSide)
        {
            return $"started by {r.StartedBy} (side {starterSide ?? "none"}, recorded {r.StartedRole}) and confirmed by {r.DecidedBy} (side {confirmerSide ?? "none"}); "
                + "a rollback needs a ModelOwner of the owning side and an independent ComplianceOfficer";
        }
        return null;
    }

    private static void CheckRollback(Rollback r, Model model, List<RetrospectiveReview> reviews, AuditedRollback audited, IReadOnlyDictionary<Guid, Guid> modelOfVersion,
        List<string> problems)
    {
        var name = $"Rollback {r.Id} ({model.Key}, {r.State}, started by {r.StartedBy} as {r.StartedRole}{(r.DecidedBy is null ? "" : $", decided by {r.DecidedBy}")})";
        if (audited.Started != 1)
        {
            problems.Add($"{name}: {audited.Started} rollback.started events.");
        }
        if (Side(PromotionWorld.Find(r.StartedBy), model) != r.StartedRole)
        {
            problems.Add($"{name}: {r.StartedBy} cannot take the {r.StartedRole} side on {model.Key}.");
        }
        if (r.ExpiresAt != r.StartedAt + RollbackRules.ConfirmationWindow)
        {
            problems.Add($"{name}: expires at {r.ExpiresAt:O}, not {RollbackRules.ConfirmationWindow} after its start.");
        }
        if (r.FromVersionId == r.ToVersionId || modelOfVersion.GetValueOrDefault(r.FromVersionId) != r.ModelId || modelOfVersion.GetValueOrDefault(r.ToVersionId) != r.ModelId)
        {
            problems.Add($"{name}: from {r.FromVersionId} to {r.ToVersionId} are not two versions of its model.");
        }
        var expectedEnds = r.State switch
        {
            RollbackState.Confirmed => "rollback.confirmed",
            RollbackState.Cancelled => "rollback.cancelled",
            RollbackState.Expired => "rollback.expired",
            _ => "",
        };
        if (string.Join(",", audited.Ends) != expectedEnds)
        {
            problems.Add($"{name}: audit events after its start [{string.Join(", ", audited.Ends)}].");
        }
        if ((r.State == RollbackState.Pending) != (r.DecidedBy is null && r.DecidedAt is null))
        {
            problems.Add($"{name}: decided by {r.DecidedBy ?? "nobody"} at {r.DecidedAt?.ToString("O") ?? "never"}.");
        }
        // Nobody decides an expiry, and it is stored only once the window has closed.
        if (r.State == RollbackState.Expired && (r.DecidedBy is not null || r.DecidedAt < r.ExpiresAt))
        {
            problems.Add($"{name}: stored Expired by {r.DecidedBy ?? "the system"} at {r.DecidedAt?.ToString("O") ?? "never"}, its window closing {r.ExpiresAt:O}.");
        }
        var stageChanges = string.Join(",", audited.StageChanges.Order(StringComparer.Ordinal));
        var reviewsOpened = reviews.Count;
        if (r.State == RollbackState.Confirmed)
        {
            if (WhyWrongPeople(r, model) is { } wrong)
            {
                problems.Add($"{name}: {wrong}.");
            }
            if (r.DecidedAt is not { } at || at >= r.ExpiresAt || at < r.StartedAt)
            {
                problems.Add($"{name}: confirmed at {r.DecidedAt?.ToString("O") ?? "never"}, outside its window {r.StartedAt:O}–{r.ExpiresAt:O}.");
            }
            if (stageChanges != "restored by rollback,rolled back")
            {
                problems.Add($"{name}: stage changes credited to it [{stageChanges}]; expected one version rolled back and one restored.");
            }
            if (reviewsOpened != 1 || audited.ReviewsOpened.Count != 1)
            {
                problems.Add($"{name}: {reviewsOpened} retrospective(s) in the database and {audited.ReviewsOpened.Count} review.opened event(s); a confirmed rollback opens exactly one.");
            }
        }
        else
        {
            if (stageChanges.Length > 0 || reviewsOpened > 0 || audited.ReviewsOpened.Count > 0)
            {
                problems.Add($"{name}: not confirmed, yet stage changes [{stageChanges}] and {reviewsOpened} retrospective(s) are credited to it.");
            }
            if (r.State == RollbackState.Cancelled && !SamePerson(r.DecidedBy!, r.StartedBy)
                && (Side(PromotionWorld.Find(r.DecidedBy!), model) is not { } side || side == r.StartedRole))
            {
                problems.Add($"{name}: cancelled by {r.DecidedBy}, neither the starter nor someone from the other side.");
            }
        }
        foreach (var review in reviews)
        {
            var closed = review.State == ReviewState.Closed;
            if (closed && (review.ClosedBy is null || Side(PromotionWorld.Find(review.ClosedBy), model) != Roles.ComplianceOfficer
                || string.IsNullOrWhiteSpace(review.Findings) || review.ClosedAt is null))
            {
                problems.Add($"{name}: retrospective {review.Id} closed by {review.ClosedBy ?? "nobody"} with findings \"{review.Findings}\"; an independent ComplianceOfficer closes it with findings.");
            }
            if (audited.ReviewsClosed.Count(id => id == review.Id) != (closed ? 1 : 0))
            {
                problems.Add($"{name}: retrospective {review.Id} is {review.State} with {audited.ReviewsClosed.Count(id => id == review.Id)} review.closed event(s).");
            }
        }
    }

    /// <summary>
    /// Nobody is told of their own act (ADR-013). Notifications do not record who acted, so the act is found from what the
    /// link names: the requester of a new request, the deciders at that moment, the starter, confirmer, canceller or closer.
    /// </summary>
    private async Task CheckNotificationsAsync(GovernanceDbContext db, IReadOnlyDictionary<Guid, Promotion> known, List<string> problems)
    {
        var since = _lastNotificationAt;
        var notes = await db.Notifications.AsNoTracking().Where(n => n.CreatedAt > since).ToListAsync();
        if (notes.Count == 0)
        {
            return;
        }
        _lastNotificationAt = notes.Max(n => n.CreatedAt);
        var links = notes.Select(n => n.Link.Split('/', StringSplitOptions.RemoveEmptyEntries)).Select(parts =>
            parts.Length == 2 && Guid.TryParse(parts[1], out var id) ? (Kind: parts[0], Id: id) : (Kind: "", Id: Guid.Empty)).ToList();
        var promotionIds = links.Where(l => l.Kind == "approvals" && !known.ContainsKey(l.Id)).Select(l => l.Id).Distinct().ToList();
        var promotions = (await db.Promotions.AsNoTracking().Include(p => p.Decisions).Where(p => promotionIds.Contains(p.Id)).ToListAsync())
            .Concat(known.Values).DistinctBy(p => p.Id).ToDictionary(p => p.Id);
        var rollbackIds = links.Where(l => l.Kind == "rollbacks").Select(l => l.Id).Distinct().ToList();
        var rollbacks = await db.Rollbacks.AsNoTracking().Include(r => r.Model).Where(r => rollbackIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id);
        var reviewIds = links.Where(l => l.Kind == "retrospectives").Select(l => l.Id).Distinct().ToList();
        var reviews = await db.RetrospectiveReviews.AsNoTracking().Include(v => v.Rollback).Where(v => reviewIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id);
        foreach (var (note, link) in notes.Zip(links))
        {
            NotificationsChecked++;
            var promotion = link.Kind == "approvals" ? promotions.GetValueOrDefault(link.Id) : null;
            var rollback = link.Kind == "rollbacks" ? rollbacks.GetValueOrDefault(link.Id) : null;
            var review = link.Kind == "retrospectives" ? reviews.GetValueOrDefault(link.Id) : null;
            // An approval with no decision was the policy's own (no approvals needed): the requester is told, and rightly.
            IEnumerable<string?>? actors = (note.Kind, promotion, rollback, review) switch
            {
                ("promotion.needs-approval", { } p, _, _) => new string?[] { p.Requester },
                ("promotion.approved" or "promotion.approved-by" or "promotion.rejected", { } p, _, _) => p.Decisions.Where(d => d.At == note.CreatedAt).Select(d => (string?)d.Approver),
                // The withdrawer and the expiry job are recorded nowhere but the (system-attributed) audit trail in these tests.
                ("promotion.withdrawn" or "promotion.expired", { }, _, _) => Array.Empty<string?>(),
                ("rollback.started", _, { } r, _) => new string?[] { r.StartedBy },
                ("rollback.confirmed" or "rollback.cancelled", _, { } r, _) => new string?[] { r.DecidedBy },
                ("rollback.expired", _, { State: RollbackState.Expired } r, _) => Array.Empty<string?>(),
                ("review.opened", _, _, { } v) => new string?[] { v.Rollback.DecidedBy },
                ("review.closed", _, _, { } v) => new string?[] { v.ClosedBy },
                _ => null,
            };
            if (actors is null)
            {
                problems.Add($"Notification {note.Id} ({note.Kind}, {note.Link}) to {note.Recipient}: a kind the invariants do not know, or its link names nothing.");
                continue;
            }
            if (actors.OfType<string>().FirstOrDefault(a => SamePerson(a, note.Recipient)) is { } self)
            {
                problems.Add($"Notification {note.Id} ({note.Kind}: \"{note.Title}\") tells {self} of their own act.");
            }
            if (note.Kind == "rollback.expired" && rollback is not null && !SamePerson(note.Recipient, rollback.StartedBy))
            {
                problems.Add($"Notification {note.Id} tells {note.Recipient} that rollback {rollback.Id} expired; only its starter {rollback.StartedBy} is told.");
            }
            if (note.Kind == "rollback.started" && rollback is not null
                && Side(PromotionWorld.Find(note.Recipient), rollback.Model) is var side && (side is null || side == rollback.StartedRole))
            {
                problems.Add($"Notification {note.Id} asks {note.Recipient} to confirm rollback {rollback.Id}, which they cannot (side {side ?? "none"}).");
            }
        }
    }

    private AuditedRollback AuditedRollbackOf(Guid id)
    {
        _touchedRollbacks.Add(id);
        if (!_auditedRollbacks.TryGetValue(id, out var audited))
        {
            _auditedRollbacks[id] = audited = new AuditedRollback();
        }
        return audited;
    }

    private sealed class AuditedRollback
    {
        public int Started { get; set; }
        public List<string> Ends { get; } = [];
        public List<string> StageChanges { get; } = [];
        public List<Guid> ReviewsOpened { get; } = [];
        public List<Guid> ReviewsClosed { get; } = [];
    }

    private AuditedPromotion Audited(Guid id)
    {
        _touched.Add(id);
        if (!_audited.TryGetValue(id, out var audited))
        {
            _audited[id] = audited = new AuditedPromotion();
        }
        return audited;
    }

    private sealed class AuditedPromotion
    {
        public int Requested { get; set; }
        public PromotionRequestState? State { get; set; }
        public List<string> TerminalEvents { get; } = [];
        public HashSet<Guid> Approvals { get; } = [];
        public HashSet<Guid> Rejections { get; } = [];
        public int OwnStageChanges { get; set; }
    }
}
