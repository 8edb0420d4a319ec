using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GovernancePortal.Identity;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Approvals;

public abstract class RetrospectiveApiTests(PortalFactory portal)
{
    private Task<HttpClient> As(string username) => RollbackSetup.As(portal, username);

    [Fact]
    public async Task An_independent_officer_closes_a_retrospective_with_findings_once_audited_and_the_list_follows_its_status()
    {
        var id = await ConfirmedRollbackReviewAsync("owner@demo.test", "fraud-card-realtime", "3.5.1", "compliance2@demo.test", "compliance@demo.test");
        var viewer = await As("viewer@demo.test");

        var open = await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/retrospectives/{id}");
        Assert.Equal(("open", "fraud-card-realtime", "3.5.1", "3.5.0"), (open.GetProperty("status").GetString(), open.GetProperty("model").GetString(),
            open.GetProperty("fromVersion").GetString(), open.GetProperty("toVersion").GetString()));
        Assert.Equal(("owner@demo.test", "ModelOwner", "compliance2@demo.test"), (open.GetProperty("startedBy").GetString(), open.GetProperty("startedRole").GetString(),
            open.GetProperty("confirmedBy").GetString()));
        Assert.Equal(JsonValueKind.Null, open.GetProperty("findings").ValueKind);
        Assert.Contains(id, await IdsAsync(viewer, "?status=open"));
        Assert.DoesNotContain(id, await IdsAsync(viewer, "?status=closed"));

        var closed = await (await As("compliance@demo.test")).PostAsync($"/api/v1/retrospectives/{id}/close",
            Json(new { findings = "  Feature store lagged by a day; a freshness gate now blocks the release.  " }));

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        var body = await BodyAsync(closed);
        Assert.Equal(("closed", "compliance@demo.test", "Feature store lagged by a day; a freshness gate now blocks the release."),
            (body.GetProperty("status").GetString(), body.GetProperty("closedBy").GetString(), body.GetProperty("findings").GetString()));
        Assert.Contains(id, await IdsAsync(viewer, "?status=closed"));
        Assert.DoesNotContain(id, await IdsAsync(viewer, "?status=open"));
        Assert.Contains(id, await IdsAsync(viewer, ""));
        Assert.Equal(["compliance2@demo.test", "owner@demo.test"], await RollbackSetup.RecipientsAsync(portal, "review.closed", $"/retrospectives/{id}"));

        // Closed once: a second close, even by another independent officer, is a conflict and changes nothing.
        var again = await (await As("compliance2@demo.test")).PostAsync($"/api/v1/retrospectives/{id}/close", Json(new { findings = "Second opinion." }));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already closed", (await BodyAsync(again)).GetProperty("detail").GetString());
        var audit = await portal.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == "review.closed" && e.EntityId == id.ToString())
            .Select(e => e.ActorUsername).ToListAsync());
        Assert.Equal(["compliance@demo.test"], audit);
        Assert.StartsWith("Feature store lagged", (await viewer.GetFromJsonAsync<JsonElement>($"/api/v1/retrospectives/{id}")).GetProperty("findings").GetString());
    }

    [Fact]
    public async Task Bad_input_the_wrong_people_and_unknown_ids_get_problem_details_and_leave_the_retrospective_open()
    {
        var id = await ConfirmedRollbackReviewAsync("owner2@demo.test", "sepsis-early-warning", "1.2.0", "compliance@demo.test", "compliance@demo.test", "compliance2@demo.test");
        // Officers the Approver policy lets through whom the rules refuse: one in the owning team, one who is also an Admin.
        await AddPersonAsync("clinical-officer@demo.test", "Clinical AI", Roles.ComplianceOfficer);
        await AddPersonAsync("officer-admin@demo.test", "ML Platform", $"{Roles.ComplianceOfficer},{Roles.Admin}");
        var close = $"/api/v1/retrospectives/{id}/close";
        var findings = Json(new { findings = "Alert thresholds were recalibrated without review." });
        var officer = await As("compliance2@demo.test");

        foreach (var (body, field) in new[]
        {
            ("{}", "findings"),
            ("""{"findings":"   "}""", "findings"),
            ($$"""{"findings":"{{new string('x', 4001)}}"}""", "findings"),
            ("""{"findings":5}""", "findings"),
            ("""{"findings":"Drift.","severity":"high"}""", "severity"),
        })
        {
            var refused = await officer.PostAsync(close, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await BodyAsync(refused)).GetProperty("errors").TryGetProperty(field, out _), $"{body[..Math.Min(body.Length, 40)]} names no {field}.");
        }
        foreach (var person in new[] { "viewer@demo.test", "auditor@demo.test", "admin@demo.test", "owner2@demo.test", "owner@demo.test" })
        {
            var refused = await (await As(person)).PostAsync(close, findings);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{person}: {(int)refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        foreach (var person in new[] { "clinical-officer@demo.test", "officer-admin@demo.test" })
        {
            var refused = await (await As(person)).PostAsync(close, findings);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("outside the owning team", (await BodyAsync(refused)).GetProperty("detail").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await officer.PostAsync($"/api/v1/retrospectives/{Guid.NewGuid()}/close", findings)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync($"/api/v1/retrospectives/{Guid.NewGuid()}")).StatusCode);
        foreach (var status in new[] { "maybe", "0", "" })
        {
            var badFilter = await officer.GetAsync($"/api/v1/retrospectives?status={status}");
            Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
            Assert.True((await BodyAsync(badFilter)).GetProperty("errors").TryGetProperty("status", out _));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await PortalClient.Anonymous(portal).Http.GetAsync($"/api/v1/retrospectives/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PortalClient.Anonymous(portal).Http.PostAsync(close, findings)).StatusCode);

        Assert.Equal("open", (await officer.GetFromJsonAsync<JsonElement>($"/api/v1/retrospectives/{id}")).GetProperty("status").GetString());
        Assert.Equal(0, await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == "review.closed" && e.EntityId == id.ToString())));
    }

    /// <summary>Puts <paramref name="version"/> in Production, rolls it back (<paramref name="owner"/> starts, <paramref name="confirmer"/> confirms) and returns the retrospective it opened.</summary>
    private async Task<Guid> ConfirmedRollbackReviewAsync(string owner, string key, string version, string confirmer, params string[] approvers)
    {
        await RollbackSetup.PromoteToProductionAsync(portal, owner, key, version, approvers);
        var started = await (await As(owner)).PostAsync($"/api/v1/models/{key}/rollbacks", Json(new { reason = "Production misbehaves after the release." }));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var rollback = (await BodyAsync(started)).GetProperty("id").GetGuid();
        var confirmed = await (await As(confirmer)).PostAsync($"/api/v1/rollbacks/{rollback}/confirm", null);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return (await BodyAsync(confirmed)).GetProperty("retrospectiveId").GetGuid();
    }

    private static async Task<List<Guid>> IdsAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/retrospectives{query}")).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();

    private Task AddPersonAsync(string username, string team, string roles) => portal.WithDbAsync(async db =>
    {
        var user = new UserAccount
        {
            ObjectId = Guid.NewGuid(), TenantId = DemoPersonas.TenantId, Username = username, DisplayName = username, Team = team, Roles = roles,
        };
        db.Users.Add(user);
        db.Audit.Record("user.provisioned", user, new { source = "tests" });
        await db.SaveChangesAsync();
    });
}

public sealed class RetrospectiveApiTestsOnSqlite(SqlitePortal portal) : RetrospectiveApiTests(portal), IClassFixture<SqlitePortal>;

public sealed class RetrospectiveApiTestsOnPostgreSql(PostgreSqlPortal portal) : RetrospectiveApiTests(portal), IClassFixture<PostgreSqlPortal>;
