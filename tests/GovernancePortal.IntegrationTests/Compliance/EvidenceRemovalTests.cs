using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;
using static GovernancePortal.Compliance.ChecklistTestData;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Compliance;

public abstract class EvidenceRemovalTests(PortalFactory portal)
{
    private const string Baa = "hipaa-164-502-e-business-associates";
    private const string AuditControls = "hipaa-164-312-b-audit-controls";

    private Task<HttpClient> As(string username) => ApiAsync(portal, username);

    private static string Evidence(string key, string version, Guid id) => $"/api/v1/models/{key}/versions/{version}/evidence/{id}";

    private static string Page(string key, string version) => $"/models/{key}/versions/{version}/compliance/hipaa";

    private static Guid FileOf(JsonElement assessment, string item) =>
        AnswerOf(assessment, item).GetProperty("evidence").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "file").GetProperty("id").GetGuid();

    private Task<int> EvidenceCountAsync(string key) =>
        portal.WithDbAsync(db => db.AssessmentEvidence.CountAsync(e => db.Assessments.Any(a => a.Id == e.AssessmentId && a.Version.Model.Key == key)));

    [Fact]
    public async Task Removing_evidence_from_a_signed_off_assessment_voids_the_sign_off_audits_the_file_and_deletes_its_bytes()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "remove-signed-off");
        var signedOff = await SignedOffAsync(owner2, await As("compliance@demo.test"), key, "1.0.0");
        var fileId = FileOf(signedOff, Baa);
        var contentId = await portal.WithDbAsync(db => db.AssessmentEvidence.Where(e => e.Id == fileId).Select(e => e.ContentId).SingleAsync());

        var removed = await OkAsync(await owner2.DeleteAsync(Evidence(key, "1.0.0", fileId)));

        Assert.Equal("inReview", removed.GetProperty("status").GetString());
        Assert.False(removed.GetProperty("signedOff").GetBoolean());
        Assert.Contains($"evidence was removed from {Baa}", removed.GetProperty("voidReason").GetString());
        Assert.Empty(AnswerOf(removed, Baa).GetProperty("evidence").EnumerateArray());
        Assert.Equal("none", AnswerOf(removed, Baa).GetProperty("review").GetString());
        Assert.Contains(removed.GetProperty("missing").EnumerateArray().Select(m => m.GetString()), m => m!.Contains($"{Baa}") && m.Contains("evidence file missing"));
        Assert.False(await portal.WithDbAsync(db => db.EvidenceContents.AnyAsync(c => c.Id == contentId)));
        Assert.Equal(HttpStatusCode.NotFound, (await owner2.GetAsync(Evidence(key, "1.0.0", fileId))).StatusCode);

        var events = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Payload.Contains(key)
            && (e.Action == "assessment.evidence-removed" || e.Action == "assessment.sign-off-voided")).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(["assessment.evidence-removed", "assessment.sign-off-voided"], events.Select(e => e.Action).Order());
        // One save, one transaction: the two events are neighbours in the chain with the same request behind them.
        Assert.Equal(events[0].Sequence + 1, events[1].Sequence);
        Assert.Equal(events[0].CorrelationId, events[1].CorrelationId);
        var removal = events.Single(e => e.Action == "assessment.evidence-removed");
        Assert.Equal(fileId.ToString(), removal.EntityId);
        Assert.Contains($"\"fileName\":{{\"before\":\"{Baa}.pdf\"}}", removal.Payload);
        Assert.Contains($"\"sha256\":{{\"before\":\"{Convert.ToHexStringLower(SHA256.HashData(Pdf))}\"}}", removal.Payload);
        Assert.Contains($"\"sizeBytes\":{{\"before\":{Pdf.Length}}}", removal.Payload);
        Assert.Contains("\"bytesDeleted\":true", removal.Payload);
        Assert.DoesNotContain("%PDF", removal.Payload, StringComparison.Ordinal);
        Assert.Equal("owner2@demo.test", removal.ActorUsername);
    }

    [Fact]
    public async Task Removing_a_link_from_an_unanswered_item_changes_no_review()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "remove-link");
        var added = await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/items/{AuditControls}/evidence", Json(new { url = "https://siem.example.com/r/1" })));
        var linkId = added.GetProperty("evidence").EnumerateArray().Single().GetProperty("id").GetGuid();

        var removed = await OkAsync(await owner2.DeleteAsync(Evidence(key, "1.0.0", linkId)));

        Assert.Equal("inProgress", removed.GetProperty("status").GetString());
        Assert.Empty(removed.GetProperty("evidence").EnumerateArray());
        Assert.True(removed.GetProperty("revision").GetInt32() > added.GetProperty("revision").GetInt32());
        var removal = await portal.WithDbAsync(db => db.AuditEvents.SingleAsync(e => e.Action == "assessment.evidence-removed" && e.Payload.Contains(key)));
        Assert.Contains("\"url\":{\"before\":\"https://siem.example.com/r/1\"}", removal.Payload);
        Assert.Contains("\"bytesDeleted\":false", removal.Payload);
    }

    [Fact]
    public async Task Bytes_a_carried_over_copy_still_refers_to_are_kept_until_the_last_copy_is_removed()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "remove-shared", "1.0.0", "1.1.0");
        var first = await SignedOffAsync(owner2, await As("compliance@demo.test"), key, "1.0.0");
        var carried = await OkAsync(await owner2.PostAsync($"/api/v1/models/{key}/versions/1.1.0/assessments", Json(new { template = "hipaa", carryOver = true })));
        var (original, copy) = (FileOf(first, Baa), FileOf(carried, Baa));
        var contentId = await portal.WithDbAsync(db => db.AssessmentEvidence.Where(e => e.Id == copy).Select(e => e.ContentId).SingleAsync());

        await OkAsync(await owner2.DeleteAsync(Evidence(key, "1.1.0", copy)));
        var stillThere = await owner2.GetAsync(Evidence(key, "1.0.0", original));
        await OkAsync(await owner2.DeleteAsync(Evidence(key, "1.0.0", original)));

        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(Pdf, await stillThere.Content.ReadAsByteArrayAsync());
        Assert.False(await portal.WithDbAsync(db => db.EvidenceContents.AnyAsync(c => c.Id == contentId)));
        var removals = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "assessment.evidence-removed" && e.Payload.Contains(key))
            .OrderBy(e => e.Sequence).Select(e => e.Payload).ToListAsync());
        Assert.Contains("\"bytesDeleted\":false", removals[0]);
        Assert.Contains("\"bytesDeleted\":true", removals[1]);
    }

    [Fact]
    public async Task Only_the_owning_team_removes_evidence_and_unknown_evidence_is_not_found()
    {
        var owner2 = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2, "remove-refusals", "1.0.0", "1.1.0");
        var uploaded = await OkAsync(await UploadAsync(owner2, key, "1.0.0", AuditControls, Pdf, "siem.pdf"));
        var fileId = uploaded.GetProperty("evidence").EnumerateArray().Single().GetProperty("id").GetGuid();
        var url = Evidence(key, "1.0.0", fileId);

        var otherTeam = await (await As("owner@demo.test")).DeleteAsync(url);
        var viewer = await (await As("viewer@demo.test")).DeleteAsync(url);
        var officer = await (await As("compliance@demo.test")).DeleteAsync(url);
        var admin = await (await As("admin@demo.test")).DeleteAsync(url);
        var anonymous = await portal.CreateClient().DeleteAsync(url);
        var unknown = await owner2.DeleteAsync(Evidence(key, "1.0.0", Guid.NewGuid()));
        var otherVersion = await owner2.DeleteAsync(Evidence(key, "1.1.0", fileId));
        var unknownVersion = await owner2.DeleteAsync(Evidence(key, "9.9.9", fileId));
        var notAnId = await owner2.DeleteAsync($"/api/v1/models/{key}/versions/1.0.0/evidence/not-a-guid");
        var countBefore = await EvidenceCountAsync(key);
        var removed = await owner2.DeleteAsync(url);
        var again = await owner2.DeleteAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, otherTeam.StatusCode);
        Assert.Contains("only its owner and their team", (await BodyAsync(otherTeam)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, officer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("has no evidence", (await BodyAsync(unknown)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, otherVersion.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownVersion.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        Assert.Equal(1, countBefore);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(0, await EvidenceCountAsync(key));
    }

    [Fact]
    public async Task Only_people_who_may_add_evidence_are_offered_remove()
    {
        // Removing is confirmed in a dialog on the interactive page (AssessmentPageTests); the service refuses anyone else (above).
        var owner2Api = await As("owner2@demo.test");
        var key = await PhiModelAsync(owner2Api, "remove-page-refusals");
        await OkAsync(await UploadAsync(owner2Api, key, "1.0.0", Baa, Pdf, "baa.pdf"));

        foreach (var persona in new[] { "viewer@demo.test", "owner@demo.test", "compliance@demo.test", "auditor@demo.test" })
        {
            var page = await (await PortalClient.SignedInAsync(portal, persona)).GetDocumentAsync(Page(key, "1.0.0"));
            Assert.Contains("baa.pdf", page.QuerySelector($"#item-{Baa} [data-testid=evidence]")!.TextContent);
            Assert.Empty(page.QuerySelectorAll("[data-testid=remove-evidence]"));
        }
        var owner = await (await PortalClient.SignedInAsync(portal, "owner2@demo.test")).GetDocumentAsync(Page(key, "1.0.0"));
        Assert.Single(owner.QuerySelectorAll("[data-testid=remove-evidence]"));
        var anonymous = await PortalClient.Anonymous(portal).Http.GetAsync(Page(key, "1.0.0"));
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal(1, await EvidenceCountAsync(key));
    }
}

public sealed class EvidenceRemovalTestsOnSqlite(SqlitePortal portal) : EvidenceRemovalTests(portal), IClassFixture<SqlitePortal>;

public sealed class EvidenceRemovalTestsOnPostgreSql(PostgreSqlPortal portal) : EvidenceRemovalTests(portal), IClassFixture<PostgreSqlPortal>;
