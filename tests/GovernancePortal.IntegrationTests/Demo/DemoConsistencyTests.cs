using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Registry;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Demo;

/// <summary>
/// Issue 16, item 7: the demo portfolio was made through the workflow, so for every seeded approval "Production now", the
/// version's stage history, the request's timeline, the API and the audit trail name the same people, times and policy
/// version, and every High-risk version in Production has each checklist that applies to it signed off by an officer.
/// </summary>
public abstract class DemoConsistencyTests(PortalFactory portal)
{
    private sealed record Seeded(Promotion Promotion, string Key, RiskTier Risk, string Version);

    [Fact]
    public async Task Every_seeded_approval_reads_the_same_in_production_now_stage_history_timeline_api_and_trail()
    {
        var approved = await portal.WithDbAsync(db => db.Promotions.AsNoTracking().Include(p => p.Decisions).Include(p => p.Version).ThenInclude(v => v.Model)
            .Where(p => p.State == PromotionRequestState.Approved).ToListAsync());
        var seeded = approved.Select(p => new Seeded(p, p.Version.Model.Key, p.Version.Model.RiskTier, p.Version.Number.ToString())).ToList();
        Assert.True(seeded.Count >= 20, $"The demo should hold the approvals of its whole history; found {seeded.Count}.");
        Assert.Contains(seeded, s => s.Promotion.TargetStage == Stage.Retired);
        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action.StartsWith("promotion.") || e.Action == VersionStageHistory.StageChanged || e.Action == "assessment.signed-off").ToListAsync());
        var policies = await portal.WithDbAsync(db => db.PromotionPolicyVersions.AsNoTracking().ToListAsync());
        var auditor = await PortalClient.SignedInAsync(portal, "auditor@demo.test");
        var api = await TestApiKeys.ClientAsync(portal, "auditor@demo.test", "demo-consistency");
        var production = await auditor.GetDocumentAsync("/production");

        foreach (var (promotion, key, risk, version) in seeded)
        {
            var what = $"{key} {version} → {promotion.TargetStage}";
            var decisions = promotion.Decisions.OrderBy(d => d.At).ToList();
            var approvers = decisions.Select(d => d.Approver).ToList();
            var decidedAt = promotion.DecidedAt!.Value;
            // Named officers decided, under the policy version stored for that stage and tier.
            Assert.All(decisions, d => Assert.Equal((Identity.Roles.ComplianceOfficer, Verdict.Approve), (d.Role, d.Verdict)));
            Assert.Contains(policies, p => p.TargetStage == promotion.TargetStage && p.RiskTier == risk && p.Version == promotion.PolicyVersion);
            Assert.Equal(policies.Where(p => p.TargetStage == promotion.TargetStage && p.RiskTier == risk).Select(p => p.Policy().TotalApprovals).Single(), approvers.Count);

            // The trail: each approval by its officer at its time, the request approved and the version moved at the decision.
            foreach (var decision in decisions)
            {
                var recorded = Assert.Single(events, e => e.Action == "promotion.approved-by" && e.EntityId == decision.Id.ToString());
                Assert.Equal((decision.Approver, Micro(decision.At)), (recorded.ActorUsername, recorded.Timestamp));
                Assert.Equal(promotion.PolicyVersion, Payload(recorded).GetProperty("policyVersion").GetInt32());
            }
            var approval = Assert.Single(events, e => e.Action == "promotion.approved" && e.EntityId == promotion.Id.ToString());
            Assert.Equal(Micro(decidedAt), approval.Timestamp);
            Assert.Equal(approvers.Count == 0 ? promotion.Requester : approvers[^1], approval.ActorUsername);
            Assert.True(Payload(approval).GetProperty("gates").GetArrayLength() > 0, $"{what}: the trail should hold the gates as judged at the decision.");
            var moved = Assert.Single(events, e => e.Action == VersionStageHistory.StageChanged && e.EntityId == promotion.VersionId.ToString()
                && Payload(e).TryGetProperty("promotion", out var id) && id.GetGuid() == promotion.Id && !Payload(e).TryGetProperty("reason", out _));
            Assert.Equal((Micro(decidedAt), approval.ActorUsername), (moved.Timestamp, moved.ActorUsername));

            // The API.
            var served = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/promotions/{promotion.Id}")).RootElement;
            Assert.Equal("approved", served.GetProperty("status").GetString(), ignoreCase: true);
            Assert.Equal(promotion.PolicyVersion, served.GetProperty("policyVersion").GetInt32());
            Assert.Equal(decidedAt, served.GetProperty("decidedAt").GetDateTimeOffset());
            Assert.Equal(approvers, served.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("approver").GetString()));
            Assert.Equal(decisions.Select(d => d.At), served.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("at").GetDateTimeOffset()));

            // The request's timeline.
            var timeline = (await auditor.GetDocumentAsync($"/approvals/{promotion.Id}")).QuerySelectorAll("[data-testid=timeline] li").Select(li => li.TextContent).ToList();
            Assert.Equal($"{Minute(promotion.CreatedAt)} requested by {promotion.Requester}", timeline[0]);
            Assert.Equal(decisions.Count + 2, timeline.Count);
            foreach (var (decision, line) in decisions.Zip(timeline.Skip(1)))
            {
                Assert.StartsWith($"{Minute(decision.At)} approved by {decision.Approver} ({decision.Role})", line);
            }
            Assert.Equal($"{Minute(decidedAt)} Approved", timeline[^1]);

            // The version's stage history.
            var history = (await auditor.GetDocumentAsync($"/models/{key}/versions/{version}")).QuerySelectorAll("[data-testid=stage-change]")
                .Where(r => r.QuerySelector($"a[href='/approvals/{promotion.Id}']") is not null && r.TextContent.Contains("approved", StringComparison.Ordinal)).ToList();
            var row = Assert.Single(history);
            Assert.Contains(Minute(decidedAt), row.TextContent);
            Assert.Contains($"approved under policy version {promotion.PolicyVersion}" + (approvers.Count > 0 ? $" by {string.Join(", ", approvers)}" : ""), row.TextContent);
            Assert.Contains($"/audit/events/{moved.Sequence}", row.InnerHtml);
        }

        // Production now credits each version in Production with its latest approval to Production.
        var rows = production.QuerySelectorAll("[data-testid=production-table] tbody tr").ToList();
        var inProduction = await portal.WithDbAsync(db => db.ModelVersions.AsNoTracking().Include(v => v.Model).Where(v => v.Stage == Stage.Production).ToListAsync());
        Assert.Equal(inProduction.Count, rows.Count);
        foreach (var version in inProduction)
        {
            var latest = seeded.Where(s => s.Promotion.VersionId == version.Id && s.Promotion.TargetStage == Stage.Production).MaxBy(s => s.Promotion.DecidedAt)!.Promotion;
            var row = rows.Single(r => r.QuerySelector($"a[href='/models/{version.Model.Key}/versions/{version.Number}']") is not null);
            var approvedCell = row.QuerySelector("[data-testid=approved]")!;
            Assert.Equal(latest.DecidedAt!.Value.UtcDateTime.ToString("yyyy-MM-dd"), approvedCell.QuerySelector("time")!.TextContent);
            var link = approvedCell.QuerySelector($"a[href='/approvals/{latest.Id}']");
            Assert.NotNull(link);
            Assert.Equal($"by {string.Join(", ", latest.Decisions.OrderBy(d => d.At).Select(d => d.Approver))} (policy v{latest.PolicyVersion})", link.TextContent.Trim());
        }
    }

    [Fact]
    public async Task High_risk_versions_in_production_have_every_applicable_checklist_signed_off_by_an_officer_as_the_trail_says()
    {
        var high = await portal.WithDbAsync(db => db.ModelVersions.AsNoTracking().Include(v => v.Model)
            .Where(v => v.Stage == Stage.Production && v.Model.RiskTier == RiskTier.High).ToListAsync());
        Assert.NotEmpty(high);
        var officer = await TestApiKeys.ClientAsync(portal, "compliance@demo.test", "demo-consistency");
        foreach (var version in high)
        {
            // The API lists the checklists that apply to the version.
            var applicable = JsonDocument.Parse(await officer.GetStringAsync($"/api/v1/models/{version.Model.Key}/versions/{version.Number}/assessments"))
                .RootElement.EnumerateArray().ToList();
            Assert.Contains(applicable, t => t.GetProperty("template").GetString() == "nist-ai-rmf");
            foreach (var template in applicable)
            {
                var id = template.GetProperty("template").GetString()!;
                Assert.True(template.GetProperty("signedOff").GetBoolean(), $"{version.Model.Key} {version.Number}: {id} is not signed off.");
                var assessment = await portal.WithDbAsync(db => db.Assessments.AsNoTracking().SingleAsync(a => a.VersionId == version.Id && a.TemplateId == id));
                Assert.Equal(assessment.SignedOffBy, template.GetProperty("signedOffBy").GetString());
                Assert.Equal(assessment.SignedOffAt, template.GetProperty("signedOffAt").GetDateTimeOffset());
                Assert.Contains(assessment.SignedOffBy, new[] { "compliance@demo.test", "compliance2@demo.test" });
                var signed = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "assessment.signed-off" && e.EntityId == assessment.Id.ToString()));
                Assert.Equal((assessment.SignedOffBy, Micro(assessment.SignedOffAt!.Value)), (signed.ActorUsername, signed.Timestamp));
            }
        }
    }

    [Fact]
    public async Task The_approval_production_now_credits_to_each_high_risk_version_was_judged_with_its_checklists_signed_off_under_a_policy_asking_for_it()
    {
        var high = await portal.WithDbAsync(db => db.ModelVersions.AsNoTracking().Include(v => v.Model)
            .Where(v => v.Stage == Stage.Production && v.Model.RiskTier == RiskTier.High).ToListAsync());
        Assert.NotEmpty(high);
        var api = await TestApiKeys.ClientAsync(portal, "auditor@demo.test", "demo-consistency");
        var production = await (await PortalClient.SignedInAsync(portal, "auditor@demo.test")).GetDocumentAsync("/production");
        var policies = JsonDocument.Parse(await api.GetStringAsync("/api/v1/policies/production/high/versions")).RootElement.EnumerateArray().ToList();
        foreach (var version in high)
        {
            // The request Production now links from the version's row, as the API serves it.
            var row = production.QuerySelectorAll("[data-testid=production-table] tbody tr")
                .Single(r => r.QuerySelector($"a[href='/models/{version.Model.Key}/versions/{version.Number}']") is not null);
            var href = row.QuerySelector("[data-testid=approved] a[href^='/approvals/']")!.GetAttribute("href")!;
            var request = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/promotions/{href["/approvals/".Length..]}")).RootElement;
            var policy = policies.Single(p => p.GetProperty("version").GetInt32() == request.GetProperty("policyVersion").GetInt32());
            Assert.True(policy.GetProperty("requireApplicableChecklistsSignedOff").GetBoolean(), $"{version.Model.Key} {version.Number}: policy v{policy.GetProperty("version")}");
            var gates = request.GetProperty("gates").EnumerateArray().ToList();
            var applicable = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/models/{version.Model.Key}/versions/{version.Number}/assessments"))
                .RootElement.EnumerateArray().ToList();
            foreach (var template in applicable)
            {
                // The gate as judged at the decision passed on this checklist, signed off before the decision.
                var title = template.GetProperty("title").GetString()!;
                var gate = Assert.Single(gates, g => g.GetProperty("name").GetString() == $"Checklists: {title}");
                Assert.True(gate.GetProperty("passed").GetBoolean(), $"{version.Model.Key} {version.Number}: {gate}");
                Assert.True(template.GetProperty("signedOffAt").GetDateTimeOffset() <= request.GetProperty("decidedAt").GetDateTimeOffset());
            }
        }
    }

    [Fact]
    public async Task The_trail_credits_no_seeded_decision_or_stage_to_the_system_and_verifies()
    {
        var bySystem = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.ActorUsername == AuditActor.System.Username && (e.Action.StartsWith("promotion.") || e.Action.StartsWith("assessment.")
                || e.Action == VersionStageHistory.StageChanged || e.Action == "version.registered" || e.Action == "model.registered" || e.Action.StartsWith("retirement.")))
            .Select(e => e.Action).ToListAsync());
        Assert.Empty(bySystem);
        var registeredBeyondDevelopment = await portal.WithDbAsync(db => db.ModelVersions.AsNoTracking()
            .CountAsync(v => v.Stage != Stage.Development && !db.Promotions.Any(p => p.VersionId == v.Id && p.State == PromotionRequestState.Approved)));
        Assert.Equal(0, registeredBeyondDevelopment);
        var auditor = await TestApiKeys.ClientAsync(portal, "auditor@demo.test", "demo-consistency");
        var verification = JsonDocument.Parse(await auditor.GetStringAsync("/api/v1/audit/verify")).RootElement;
        Assert.True(verification.GetProperty("valid").GetBoolean(), verification.ToString());
    }

    /// <summary>What the recording code said about the event (beside the entity's changes).</summary>
    private static JsonElement Payload(AuditEvent e) => JsonDocument.Parse(e.Payload).RootElement.GetProperty("details");

    /// <summary>The trail keeps times to the microsecond (what every database stores); rows may keep more.</summary>
    private static DateTimeOffset Micro(DateTimeOffset at) => AuditRecord.Normalize(at);

    private static string Minute(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm");
}

public sealed class DemoConsistencyTestsOnSqlite(SqlitePortal portal) : DemoConsistencyTests(portal), IClassFixture<SqlitePortal>;

public sealed class DemoConsistencyTestsOnPostgreSql(PostgreSqlPortal portal) : DemoConsistencyTests(portal), IClassFixture<PostgreSqlPortal>;
