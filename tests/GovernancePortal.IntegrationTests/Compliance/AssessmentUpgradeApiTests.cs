using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

/// <summary>
/// <c>POST …/assessments/{template}/upgrade</c>, the API twin of the upgrade page, and the assessment page's link to it.
/// Its own portal: it publishes a HIPAA version, which would change the checklists every other test sees.
/// </summary>
public abstract class AssessmentUpgradeApiTests(PortalFactory portal)
{
    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Only_the_owner_upgrades_once_a_newer_version_exists_with_a_stale_version_refused_and_the_upgrade_audited()
    {
        var owner = await ApiAsync(portal, "owner2@demo.test");
        var key = await PhiModelAsync(owner, "upgrade-api-triage");
        var old = await portal.WithDbAsync(db => ComplianceTestData.SeedAsync(db, key, "1.0.0", "hipaa", AssessmentStatus.SignedOff, DateTimeOffset.UtcNow.AddDays(-3)));
        var upgrade = $"{Assessment(key, "1.0.0")}/upgrade";
        var page = $"/models/{key}/versions/1.0.0/compliance/hipaa";

        // Nothing newer yet: a conflict, and the page offers no upgrade.
        var current = await owner.PostAsync(upgrade, Raw("{}"));
        Assert.Equal(HttpStatusCode.Conflict, current.StatusCode);
        Assert.Contains("already uses HIPAA version 1", await current.Content.ReadAsStringAsync());
        var ownerPage = await PortalClient.SignedInAsync(portal, "owner2@demo.test");
        Assert.Null((await ownerPage.GetDocumentAsync(page)).QuerySelector("[data-testid=upgrade-available]"));

        var officer = await ApiAsync(portal, "compliance@demo.test");
        var body = await TemplateEditingTests.NewestAsBodyAsync(officer, "hipaa");
        body["items"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "hipaa-164-312-b-audit-controls")!["text"] =
            "Record and examine activity in every system that contains or uses ePHI";
        Assert.Equal(HttpStatusCode.Created, (await officer.PostAsync("/api/v1/checklists/templates/hipaa/versions", Raw(body.ToJsonString()))).StatusCode);

        // The owner's page now links to the upgrade; a reader's says a newer version exists but has no link.
        var linked = await ownerPage.GetDocumentAsync(page);
        Assert.Contains("HIPAA version 2 is out", linked.QuerySelector("[data-testid=upgrade-available]")!.TextContent);
        Assert.Equal($"{page}/upgrade", linked.QuerySelector("[data-testid=upgrade-link]")!.GetAttribute("href"));
        var viewer = await PortalClient.SignedInAsync(portal, "viewer@demo.test");
        var readOnly = await viewer.GetDocumentAsync(page);
        Assert.NotNull(readOnly.QuerySelector("[data-testid=upgrade-available]"));
        Assert.Null(readOnly.QuerySelector("[data-testid=upgrade-link]"));

        // Who may not: roles without ModelOwner by policy, another owner by the model's ownership.
        foreach (var username in new[] { "viewer@demo.test", "auditor@demo.test", "compliance@demo.test", "owner@demo.test" })
        {
            var refused = await (await ApiAsync(portal, username)).PostAsync(upgrade, Raw("{\"toVersion\": 2}"));
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{username}: {(int)refused.StatusCode}");
        }
        // What is not there, and bodies that do not read.
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"{Assessment(key, "9.9.9")}/upgrade", Raw("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"{Assessment(key, "1.0.0", "nist-ai-rmf")}/upgrade", Raw("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"{Assessment(key, "1.0.0", "no-such-template")}/upgrade", Raw("{}"))).StatusCode);
        var wrongType = await owner.PostAsync(upgrade, Raw("{\"toVersion\": \"two\"}"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("toVersion", await wrongType.Content.ReadAsStringAsync());
        var unknown = await owner.PostAsync(upgrade, Raw("{\"version\": 2}"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("version", await unknown.Content.ReadAsStringAsync());
        // The caller reviewed version 1's upgrade, but version 2 is the newest: look again.
        var stale = await owner.PostAsync(upgrade, Raw("{\"toVersion\": 1}"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("was published after you looked at version 1", await stale.Content.ReadAsStringAsync());
        Assert.Equal(1, await portal.WithDbAsync(db => db.Assessments.CountAsync(a => a.VersionId == old.VersionId && a.TemplateId == "hipaa")));

        var upgraded = await owner.PostAsync(upgrade, Raw("{\"toVersion\": 2}"));
        Assert.Equal(HttpStatusCode.Created, upgraded.StatusCode);
        Assert.Equal(Assessment(key, "1.0.0"), upgraded.Headers.Location!.OriginalString);
        var assessment = await BodyAsync(upgraded);
        Assert.Equal(2, assessment.GetProperty("templateVersion").GetInt32());
        Assert.Equal("inProgress", assessment.GetProperty("status").GetString());
        Assert.False(assessment.GetProperty("signedOff").GetBoolean());
        Assert.Contains("Sign-off by compliance@demo.test voided", assessment.GetProperty("voidReason").GetString());
        var audit = AnswerOf(assessment, "hipaa-164-312-b-audit-controls");
        Assert.True(audit.GetProperty("carriedOver").GetBoolean());

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.upgraded" || e.Action == "assessment.sign-off-voided")
            .Where(e => e.Payload.Contains(key)).Select(e => new { e.Action, e.ActorUsername }).ToListAsync());
        Assert.Equal([("assessment.sign-off-voided", "owner2@demo.test"), ("assessment.upgraded", "owner2@demo.test")],
            events.Select(e => (e.Action, e.ActorUsername)).OrderBy(e => e.Action));

        // Once upgraded: a conflict again, and the page's link is gone.
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync(upgrade, Raw("{}"))).StatusCode);
        Assert.Null((await ownerPage.GetDocumentAsync(page)).QuerySelector("[data-testid=upgrade-available]"));
    }
}

public sealed class AssessmentUpgradeApiTestsOnSqlite(SqlitePortal portal) : AssessmentUpgradeApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class AssessmentUpgradeApiTestsOnPostgreSql(PostgreSqlPortal portal) : AssessmentUpgradeApiTests(portal), IClassFixture<PostgreSqlPortal>;
