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

    public override string ToString() => $"audit #{Sequence} {Action}: version {VersionId} {Before} → {After} ({Details.GetRawText()})";
}

/// <summary>
/// What a justification may consult: the promotions stage changes name (loaded once per check), which model each version
/// belongs to, and the database for anything else (a rollback record, say).
/// </summary>
public sealed record StageChangeContext(GovernanceDbContext Db, IReadOnlyDictionary<Guid, Promotion> Promotions, IReadOnlyDictionary<Guid, Guid> ModelOfVersion)
{
    public Promotion? PromotionOf(StageChange change) => change.Promotion is { } id ? Promotions.GetValueOrDefault(id) : null;
}

public sealed record VersionRow(Guid Id, Guid ModelId, string ModelKey, string Number, Stage Stage);

public sealed record PendingRow(Guid Id, Guid VersionId, string Requester);

/// <summary>What a check found, and the state it read (a randomized run plans its next batch from it).</summary>
public sealed record CheckResult(IReadOnlyList<string> Problems, IReadOnlyList<VersionRow> Versions, IReadOnlyList<PendingRow> Pending, IReadOnlyList<Guid> Decided);

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
    ];

    private static readonly string[] TerminalActions = ["promotion.approved", "promotion.rejected", "promotion.withdrawn", "promotion.expired"];

    private readonly Dictionary<Guid, Stage> _auditedStage = [];
    private readonly Dictionary<Guid, AuditedPromotion> _audited = [];
    private readonly Dictionary<Guid, PromotionPolicy> _policyOfLatestProductionEntry = [];
    private readonly HashSet<Guid> _touched = [];
    private Dictionary<Guid, Model> _models = [];
    private long _lastSequence;

    public int StageChangesChecked { get; private set; }

    public int PromotionsChecked { get; private set; }

    /// <summary>Reads the audit events since the last check and returns every violation found; empty when all hold.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(GovernanceDbContext db, bool everything = false) => (await CheckStateAsync(db, everything)).Problems;

    /// <summary>Like <see cref="CheckAsync"/>, and returns the versions and pending requests it read, ordered by content.</summary>
    public async Task<CheckResult> CheckStateAsync(GovernanceDbContext db, bool everything = false)
    {
        var problems = new List<string>();
        var events = await db.AuditEvents.AsNoTracking().Where(e => e.Sequence > _lastSequence).OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.Action, e.EntityType, e.EntityId, e.Payload }).ToListAsync();
        var versions = (await db.ModelVersions.AsNoTracking().OrderBy(v => v.Model.Key).ThenBy(v => v.Major).ThenBy(v => v.Minor).ThenBy(v => v.Pipeline)
            .Select(v => new { v.Id, v.ModelId, v.Model.Key, v.Major, v.Minor, v.Pipeline, v.Stage }).ToListAsync())
            .Select(v => new VersionRow(v.Id, v.ModelId, v.Key, new VersionNumber(v.Major, v.Minor, v.Pipeline).ToString(), v.Stage)).ToList();
        var pending = await db.Promotions.AsNoTracking().Where(p => p.State == PromotionRequestState.Pending)
            .OrderBy(p => p.Version.Model.Key).ThenBy(p => p.Version.Minor).ThenBy(p => p.CreatedAt)
            .Select(p => new PendingRow(p.Id, p.VersionId, p.Requester)).ToListAsync();
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
                        stageChanges.Add(new StageChange(e.Sequence, e.Action, versionId, modelOfVersion.GetValueOrDefault(versionId), before, after,
                            details.ValueKind == JsonValueKind.Undefined ? JsonDocument.Parse("{}").RootElement : details));
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
            }
        }

        var promotionIds = _touched.Concat(stageChanges.Where(s => s.Promotion is not null).Select(s => s.Promotion!.Value)).Distinct().ToList();
        var promotions = everything
            ? await db.Promotions.AsNoTracking().Include(p => p.Decisions).ToDictionaryAsync(p => p.Id)
            : await db.Promotions.AsNoTracking().Include(p => p.Decisions).Where(p => promotionIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id);
        var context = new StageChangeContext(db, promotions, modelOfVersion);

        foreach (var change in stageChanges)
        {
            StageChangesChecked++;
            if (!await ExplainedAsync(change, context))
            {
                problems.Add($"Nothing justifies {change}: neither {string.Join(" nor ", Justifications.Select(j => j.Name))}.");
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
        var terminal = promotions.Values.Where(p => p.State != PromotionRequestState.Pending).OrderBy(p => p.DecidedAt).Select(p => p.Id).ToList();
        return new CheckResult(problems, versions, pending, terminal);
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
