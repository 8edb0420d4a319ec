using System.Globalization;
using System.Text.Json;
using GovernancePortal.Data;
using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Audit;

/// <summary>What an audit event is about, as a person names it (model key, version, request), and where to open it.</summary>
public sealed record AuditSubject(string Label, string? Link);

/// <summary>
/// Names the subjects of audit events: one query per entity type on a page of events, not one per event. Links go only to
/// pages every reader of the trail (Auditor, ComplianceOfficer) may open; people, keys and sessions are named, not linked.
/// </summary>
public sealed class AuditSubjects(GovernanceDbContext db)
{
    public async Task<IReadOnlyDictionary<(string Type, string Id), AuditSubject>> NameAsync(IReadOnlyCollection<AuditEvent> events, CancellationToken cancellationToken)
    {
        var named = new Dictionary<(string, string), AuditSubject>();
        foreach (var group in events.GroupBy(e => e.EntityType))
        {
            var ids = group.Select(e => e.EntityId).Distinct().ToList();
            var guids = ids.Select(id => Guid.TryParse(id, out var g) ? g : (Guid?)null).OfType<Guid>().ToList();
            foreach (var (id, subject) in await ByTypeAsync(group.Key, ids, guids, cancellationToken))
            {
                named[(group.Key, id)] = subject;
            }
        }
        foreach (var e in events.Where(e => !named.ContainsKey((e.EntityType, e.EntityId))))
        {
            named[(e.EntityType, e.EntityId)] = FromPayload(e);
        }
        return named;
    }

    private async Task<IEnumerable<(string Id, AuditSubject Subject)>> ByTypeAsync(string type, List<string> ids, List<Guid> guids, CancellationToken ct)
    {
        switch (type)
        {
            case "Model":
                return (await db.Models.AsNoTracking().Where(m => guids.Contains(m.Id)).Select(m => new { m.Id, m.Key, m.Name }).ToListAsync(ct))
                    .Select(m => (Id(m.Id), new AuditSubject($"{m.Name} ({m.Key})", ModelLink(m.Key))));
            case "ModelVersion":
                return (await Versions(db.ModelVersions.AsNoTracking().Where(v => guids.Contains(v.Id)), ct))
                    .Select(v => (Id(v.Id), new AuditSubject($"{v.Key} {v.Number}", VersionLink(v.Key, v.Number))));
            case "Promotion":
                return (await db.Promotions.AsNoTracking().Where(p => guids.Contains(p.Id))
                        .Select(p => new { p.Id, p.Version.Model.Key, p.Version.Major, p.Version.Minor, p.Version.Pipeline, p.TargetStage }).ToListAsync(ct))
                    .Select(p => (Id(p.Id), new AuditSubject($"Request: {p.Key} {new VersionNumber(p.Major, p.Minor, p.Pipeline)} → {p.TargetStage}", $"/approvals/{p.Id:D}")));
            case "PromotionDecisionRecord":
                return (await db.PromotionDecisions.AsNoTracking().Where(d => guids.Contains(d.Id)).Join(db.Promotions, d => d.PromotionId, p => p.Id,
                        (d, p) => new { d.Id, d.PromotionId, d.Approver, d.Verdict, p.Version.Model.Key, p.Version.Major, p.Version.Minor, p.Version.Pipeline, p.TargetStage })
                        .ToListAsync(ct))
                    .Select(d => (Id(d.Id), new AuditSubject($"{d.Verdict} by {d.Approver}: {d.Key} {new VersionNumber(d.Major, d.Minor, d.Pipeline)} → {d.TargetStage}",
                        $"/approvals/{d.PromotionId:D}")));
            case "ModelCardRevision":
                {
                    var revisions = await db.ModelCardRevisions.AsNoTracking().Where(r => guids.Contains(r.Id)).Select(r => new { r.Id, r.VersionId, r.Number }).ToListAsync(ct);
                    var versions = await VersionsByIdAsync(revisions.Select(r => r.VersionId), ct);
                    return revisions.Where(r => versions.ContainsKey(r.VersionId)).Select(r => (Id(r.Id),
                        new AuditSubject($"Card of {versions[r.VersionId].Key} {versions[r.VersionId].Number}, revision {r.Number}",
                            VersionLink(versions[r.VersionId].Key, versions[r.VersionId].Number) + "/card/revisions")));
                }
            case "Assessment":
                return (await Assessments(db.Assessments.AsNoTracking().Where(a => guids.Contains(a.Id)), ct)).Select(a => (Id(a.Id), a.Subject(null)));
            case "AssessmentAnswer":
                {
                    var answers = await db.AssessmentAnswers.AsNoTracking().Where(a => guids.Contains(a.Id)).Select(a => new { a.Id, a.AssessmentId, a.ItemId }).ToListAsync(ct);
                    var assessments = await AssessmentsByIdAsync(answers.Select(a => a.AssessmentId), ct);
                    return answers.Where(a => assessments.ContainsKey(a.AssessmentId)).Select(a => (Id(a.Id), assessments[a.AssessmentId].Subject(a.ItemId)));
                }
            case "AssessmentEvidence":
                {
                    var evidence = await db.AssessmentEvidence.AsNoTracking().Where(a => guids.Contains(a.Id)).Select(a => new { a.Id, a.AssessmentId, a.ItemId }).ToListAsync(ct);
                    var assessments = await AssessmentsByIdAsync(evidence.Select(a => a.AssessmentId), ct);
                    return evidence.Where(a => assessments.ContainsKey(a.AssessmentId)).Select(a => (Id(a.Id), assessments[a.AssessmentId].Subject(a.ItemId, "evidence for ")));
                }
            case "Rollback":
                return (await db.Rollbacks.AsNoTracking().Where(r => guids.Contains(r.Id)).Select(r => new { r.Id, r.Model.Key }).ToListAsync(ct))
                    .Select(r => (Id(r.Id), new AuditSubject($"Rollback of {r.Key}", $"/rollbacks/{r.Id:D}")));
            case "RetrospectiveReview":
                return (await db.RetrospectiveReviews.AsNoTracking().Where(r => guids.Contains(r.Id)).Select(r => new { r.Id, r.Rollback.Model.Key }).ToListAsync(ct))
                    .Select(r => (Id(r.Id), new AuditSubject($"Retrospective of {r.Key}", $"/retrospectives/{r.Id:D}")));
            case "RetirementPlan":
                {
                    var plans = await db.RetirementPlans.AsNoTracking().Where(p => guids.Contains(p.Id)).Select(p => new { p.Id, p.VersionId }).ToListAsync(ct);
                    var versions = await VersionsByIdAsync(plans.Select(p => p.VersionId), ct);
                    return plans.Where(p => versions.ContainsKey(p.VersionId)).Select(p => (Id(p.Id),
                        new AuditSubject($"Retirement of {versions[p.VersionId].Key} {versions[p.VersionId].Number}", VersionLink(versions[p.VersionId].Key, versions[p.VersionId].Number) + "/retirement")));
                }
            case "ChecklistTemplateVersion":
                return (await db.ChecklistTemplateVersions.AsNoTracking().Where(t => guids.Contains(t.Id)).Select(t => new { t.Id, t.TemplateId, t.Version }).ToListAsync(ct))
                    .Select(t => (Id(t.Id), new AuditSubject($"Checklist template {t.TemplateId}, version {t.Version}", $"/compliance/templates/{Uri.EscapeDataString(t.TemplateId)}?version={t.Version}")));
            case "PromotionPolicyVersion":
                // Named "Production/High/3": stage, risk tier, version.
                return ids.Select(id => (id, id.Split('/')) switch
                {
                    (var raw, [var stage, var tier, var version]) => (raw, new AuditSubject($"Policy {stage} × {tier}, version {version}", $"/approvals/policies/{stage}/{tier}/versions")),
                    (var raw, _) => (raw, new AuditSubject($"Policy {raw}", "/approvals/policies")),
                });
            case "UserAccount":
                return (await db.Users.AsNoTracking().Where(u => guids.Contains(u.Id) || guids.Contains(u.ObjectId)).Select(u => new { u.Id, u.ObjectId, u.Username }).ToListAsync(ct))
                    .SelectMany(u => new[] { (Id(u.Id), new AuditSubject($"Person {u.Username}", null)), (Id(u.ObjectId), new AuditSubject($"Person {u.Username}", null)) });
            case "ApiKey":
                return (await db.ApiKeys.AsNoTracking().Where(k => guids.Contains(k.Id)).Select(k => new { k.Id, k.Label, k.Prefix }).ToListAsync(ct))
                    .Select(k => (Id(k.Id), new AuditSubject($"API key '{k.Label}' (gp_{k.Prefix}_…)", null)));
            case "Report":
                return (await db.Reports.AsNoTracking().Where(r => guids.Contains(r.Id)).Select(r => new { r.Id, r.Kind, r.Subject }).ToListAsync(ct))
                    .Select(r => (Id(r.Id), new AuditSubject($"{r.Kind} report: {r.Subject}", "/reports")));
            case nameof(AuditEvent):
                return ids.Select(id => (id, new AuditSubject($"Audit event {id}", $"/audit/events/{id}")));
            case "AuditLog":
                return ids.Select(id => (id, new AuditSubject("The audit trail", "/audit/verify")));
            default:
                return [];
        }
    }

    /// <summary>A subject no row names any more (removed evidence, a person's session): its type and id, with the model the payload names.</summary>
    private static AuditSubject FromPayload(AuditEvent e)
    {
        var fallback = new AuditSubject($"{e.EntityType} {e.EntityId}", null);
        try
        {
            using var document = JsonDocument.Parse(e.Payload);
            if (!document.RootElement.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object
                || !details.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
            {
                return fallback;
            }
            var key = model.GetString()!;
            return details.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String
                ? new AuditSubject($"{e.EntityType} of {key} {version.GetString()}", VersionLink(key, version.GetString()!))
                : new AuditSubject($"{e.EntityType} of {key}", ModelLink(key));
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    private static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static string ModelLink(string key) => $"/models/{Uri.EscapeDataString(key)}";

    private static string VersionLink(string key, object number) => $"{ModelLink(key)}/versions/{number}";

    private sealed record VersionName(Guid Id, string Key, VersionNumber Number);

    private static async Task<List<VersionName>> Versions(IQueryable<ModelVersion> versions, CancellationToken ct) =>
        (await versions.Select(v => new { v.Id, v.Model.Key, v.Major, v.Minor, v.Pipeline }).ToListAsync(ct))
            .Select(v => new VersionName(v.Id, v.Key, new VersionNumber(v.Major, v.Minor, v.Pipeline))).ToList();

    private async Task<Dictionary<Guid, VersionName>> VersionsByIdAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return (await Versions(db.ModelVersions.AsNoTracking().Where(v => wanted.Contains(v.Id)), ct)).ToDictionary(v => v.Id);
    }

    private sealed record AssessmentName(Guid Id, string Key, VersionNumber Number, string TemplateId)
    {
        public AuditSubject Subject(string? item, string what = "") => new(
            item is null ? $"{TemplateId} checklist of {Key} {Number}" : $"{what}{TemplateId} item {item} of {Key} {Number}",
            $"{VersionLink(Key, Number)}/compliance/{Uri.EscapeDataString(TemplateId)}");
    }

    private static async Task<List<AssessmentName>> Assessments(IQueryable<Compliance.Assessment> assessments, CancellationToken ct) =>
        (await assessments.Select(a => new { a.Id, a.Version.Model.Key, a.Version.Major, a.Version.Minor, a.Version.Pipeline, a.TemplateId }).ToListAsync(ct))
            .Select(a => new AssessmentName(a.Id, a.Key, new VersionNumber(a.Major, a.Minor, a.Pipeline), a.TemplateId)).ToList();

    private async Task<Dictionary<Guid, AssessmentName>> AssessmentsByIdAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        return (await Assessments(db.Assessments.AsNoTracking().Where(a => wanted.Contains(a.Id)), ct)).ToDictionary(a => a.Id);
    }
}
