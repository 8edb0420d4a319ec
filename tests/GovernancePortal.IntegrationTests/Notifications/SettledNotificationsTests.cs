using System.Net;
using System.Text;
using System.Text.Json;
using GovernancePortal.Approvals;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Notifications;

/// <summary>
/// A notification that asks someone to act is done once what it points at is settled: it stops counting as unread in the
/// same save as the change that settled it, while the news of that change arrives unread.
/// </summary>
public abstract class SettledNotificationsTests(PortalFactory portal)
{
    private sealed record Note(string Recipient, string Kind, bool Read);

    private Task<List<Note>> NotesAsync(string link) => portal.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => n.Link == link)
        .OrderBy(n => n.Recipient).ThenBy(n => n.Kind).Select(n => new Note(n.Recipient, n.Kind, n.ReadAt != null)).ToListAsync());

    /// <summary>Who was told what about <paramref name="link"/> and now sees it done (not merely read).</summary>
    private Task<List<string>> DoneAsync(string link) => portal.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => n.Link == link && n.DoneAt != null)
        .OrderBy(n => n.Recipient).Select(n => n.Recipient + " " + n.Kind).ToListAsync());

    private async Task<Guid> RequestStagingAsync(string key, string version)
    {
        var owner = await RollbackSetup.As(portal, "owner@demo.test");
        var card = JsonDocument.Parse(await owner.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await owner.PutAsync($"/api/v1/models/{key}/versions/{version}/card", new StringContent(card, Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        var requested = await owner.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions", Json(new { targetStage = "staging", justification = "Pilot went well." }));
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        return (await BodyAsync(requested)).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task A_decided_request_settles_every_approvers_call_to_act_and_the_decision_arrives_unread()
    {
        var id = await RequestStagingAsync("mortgage-affordability", "0.9.0");
        var link = $"/approvals/{id}";
        Assert.Equal([new("compliance2@demo.test", "promotion.needs-approval", false), new("compliance@demo.test", "promotion.needs-approval", false)],
            await NotesAsync(link));

        var decided = await (await RollbackSetup.As(portal, "compliance@demo.test")).PostAsync($"/api/v1/promotions/{id}/decisions", Json(new { decision = "approve" }));

        Assert.Equal("approved", (await BodyAsync(decided)).GetProperty("status").GetString());
        Assert.Equal([new("compliance2@demo.test", "promotion.needs-approval", true), new("compliance@demo.test", "promotion.needs-approval", true),
            new("owner@demo.test", "promotion.approved", false)], await NotesAsync(link));
        Assert.Equal(["compliance2@demo.test promotion.needs-approval", "compliance@demo.test promotion.needs-approval"], await DoneAsync(link));
    }

    [Fact]
    public async Task A_withdrawn_request_settles_the_approvers_call_to_act()
    {
        var id = await RequestStagingAsync("aml-transaction-monitoring", "1.0.1");

        var withdrawn = await (await RollbackSetup.As(portal, "owner@demo.test")).PostAsync($"/api/v1/promotions/{id}/withdraw", null);

        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.All(await NotesAsync($"/approvals/{id}"), n => Assert.True(n.Read, $"{n.Kind} to {n.Recipient} is still unread."));
    }

    [Fact]
    public async Task A_confirmed_rollback_and_a_closed_retrospective_settle_their_calls_to_act()
    {
        await RollbackSetup.PromoteToProductionAsync(portal, "owner@demo.test", "fraud-card-realtime", "3.5.1", "compliance@demo.test");
        var started = await (await RollbackSetup.As(portal, "owner@demo.test")).PostAsync("/api/v1/models/fraud-card-realtime/rollbacks",
            Json(new { reason = "Decline rate doubled after the feature store migration." }));
        var id = (await BodyAsync(started)).GetProperty("id").GetGuid();
        Assert.Equal([new("compliance2@demo.test", "rollback.started", false), new("compliance@demo.test", "rollback.started", false)],
            await NotesAsync($"/rollbacks/{id}"));

        var confirmed = await (await RollbackSetup.As(portal, "compliance2@demo.test")).PostAsync($"/api/v1/rollbacks/{id}/confirm", null);

        var reviewId = (await BodyAsync(confirmed)).GetProperty("retrospectiveId").GetGuid();
        Assert.Equal([new("compliance2@demo.test", "rollback.started", true), new("compliance@demo.test", "rollback.started", true),
            new("owner@demo.test", "rollback.confirmed", false)], await NotesAsync($"/rollbacks/{id}"));
        Assert.Equal([new("compliance@demo.test", "review.opened", false), new("owner@demo.test", "review.opened", false)],
            await NotesAsync($"/retrospectives/{reviewId}"));

        var closed = await (await RollbackSetup.As(portal, "compliance@demo.test")).PostAsync($"/api/v1/retrospectives/{reviewId}/close",
            Json(new { findings = "The migration changed a feature's units; a schema check now guards it." }));

        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        Assert.Equal([new("compliance2@demo.test", "review.closed", false), new("compliance@demo.test", "review.opened", true),
            new("owner@demo.test", "review.closed", false), new("owner@demo.test", "review.opened", true)], await NotesAsync($"/retrospectives/{reviewId}"));
    }
}

public sealed class SettledNotificationsTestsOnSqlite(SqlitePortal portal) : SettledNotificationsTests(portal), IClassFixture<SqlitePortal>;

public sealed class SettledNotificationsTestsOnPostgreSql(PostgreSqlPortal portal) : SettledNotificationsTests(portal), IClassFixture<PostgreSqlPortal>;
