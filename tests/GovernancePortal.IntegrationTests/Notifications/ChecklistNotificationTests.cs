using GovernancePortal.Compliance;
using Microsoft.EntityFrameworkCore;
using static GovernancePortal.Compliance.ChecklistCalls;

namespace GovernancePortal.Notifications;

/// <summary>A submitted checklist tells the officers who may sign it off, in the portal and by e-mail; the sign-off settles that and tells the owner.</summary>
public abstract class ChecklistNotificationTests(MailPortal portal)
{
    private sealed record Note(string Recipient, string Kind, bool Read);

    private Task<List<Note>> NotesAsync(string link) => portal.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => n.Link == link)
        .OrderBy(n => n.Recipient).ThenBy(n => n.Kind).Select(n => new Note(n.Recipient, n.Kind, n.ReadAt != null)).ToListAsync());

    [Fact]
    public async Task Officers_are_told_of_a_submitted_checklist_and_the_sign_off_settles_it_and_tells_the_owner()
    {
        portal.Smtp.Refuse = false;
        var owner2 = await ChecklistTestData.ApiAsync(portal, "owner2@demo.test");
        var key = await ChecklistTestData.PhiModelAsync(owner2, "notified-triage");
        var link = $"/models/{key}/versions/1.0.0/compliance/hipaa";
        await CompleteAsync(owner2, key, "1.0.0");

        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));

        Assert.Equal([new("compliance2@demo.test", "checklist.submitted", false), new("compliance@demo.test", "checklist.submitted", false)],
            await NotesAsync(link));
        await portal.DeliverAsync();
        var mails = portal.Smtp.Messages.Where(m => (m.Message.TextBody ?? "").Contains(MailPortal.BaseUrl + link)).ToList();
        Assert.Equal(2, mails.Count);
        Assert.All(mails, m => Assert.StartsWith("[Governance Portal] Checklist to review: ", m.Message.Subject));

        await AcceptAllAndSignOffAsync(await ChecklistTestData.ApiAsync(portal, "compliance@demo.test"), key, "1.0.0");

        Assert.Equal([new("compliance2@demo.test", "checklist.submitted", true), new("compliance@demo.test", "checklist.submitted", true),
            new("owner2@demo.test", "checklist.signed-off", false)], await NotesAsync(link));
    }

    [Fact]
    public async Task The_owner_is_told_when_an_officer_asks_for_changes_to_an_answer()
    {
        var owner2 = await ChecklistTestData.ApiAsync(portal, "owner2@demo.test");
        var key = await ChecklistTestData.PhiModelAsync(owner2, "changes-triage");
        var link = $"/models/{key}/versions/1.0.0/compliance/hipaa";
        await CompleteAsync(owner2, key, "1.0.0");
        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));

        var officer = await ChecklistTestData.ApiAsync(portal, "compliance@demo.test");
        var first = (await GetAsync(officer, key, "1.0.0")).GetProperty("answers")[0];
        await OkAsync(await officer.PostAsync($"{Assessment(key, "1.0.0")}/items/{first.GetProperty("item").GetString()}/review",
            GovernancePortal.Testing.ApiBodies.Json(new { decision = "changesRequested", comment = "The DPIA is unsigned.", answerRevision = first.GetProperty("revision").GetInt32() })));
        var asked = Assert.Single(await NotesAsync(link), n => n.Kind == "checklist.changes-requested");
        Assert.Equal(new Note("owner2@demo.test", "checklist.changes-requested", false), asked);
    }
}

public sealed class ChecklistNotificationTestsOnSqlite(SqliteMailPortal portal) : ChecklistNotificationTests(portal), IClassFixture<SqliteMailPortal>;

public sealed class ChecklistNotificationTestsOnPostgreSql(PostgreSqlMailPortal portal) : ChecklistNotificationTests(portal), IClassFixture<PostgreSqlMailPortal>;
