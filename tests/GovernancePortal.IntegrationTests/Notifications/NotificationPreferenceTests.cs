using System.Net;
using GovernancePortal.Audit;
using GovernancePortal.Compliance;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static GovernancePortal.Compliance.ChecklistCalls;

namespace GovernancePortal.Notifications;

/// <summary>
/// Each person's choice per kind of event, honoured by the delivery job: at once, held for a daily digest sent once per
/// person and day at their hour (UTC), or not e-mailed. Real SMTP server, test clock, both databases.
/// </summary>
public abstract class NotificationPreferenceTests(MailPortal portal)
{
    private const string Owner = "owner2@demo.test";
    private static readonly AuditActor OwnerActor = new(Guid.NewGuid().ToString(), Owner, ["ModelOwner"]);

    private async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    private Task<PreferenceSaveOutcome> ChooseAsync(Func<PreferenceChoices, PreferenceChoices> change) => WithAsync(async s =>
    {
        var preferences = s.GetRequiredService<NotificationPreferences>();
        return await preferences.SaveAsync(Owner, change(await preferences.GetAsync(Owner)), OwnerActor);
    });

    private static PreferenceChoices With(PreferenceChoices choices, string kind, DeliveryMode mode) =>
        choices with { Modes = new Dictionary<string, DeliveryMode>(choices.Modes) { [kind] = mode } };

    private Task<int> StageDigestsAsync() => WithAsync(s => s.GetRequiredService<NotificationDigest>().StageDueAsync());

    private List<TestSmtpServer.Received> MailsTo(string address) => portal.Smtp.Messages.Where(m => m.To.Contains(address)).ToList();

    private Task<List<OutboxState>> EmailStatesAsync(string recipient, string kind, string link) => portal.WithDbAsync(db =>
        db.Outbox.AsNoTracking().Where(m => m.Recipient == recipient && m.Kind == kind && m.Link == link).Select(m => m.State).ToListAsync());

    private async Task<string> SubmittedAsync(HttpClient owner2, string key)
    {
        await ChecklistTestData.PhiModelAsync(owner2, key);
        await CompleteAsync(owner2, key, "1.0.0");
        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        return $"/models/{key}/versions/1.0.0/compliance/hipaa";
    }

    [Fact]
    public async Task What_waits_on_a_person_is_mailed_at_once_and_the_rest_once_a_day_at_their_hour_whichever_instance_stages_it()
    {
        portal.Smtp.Refuse = false;
        portal.Smtp.Clear();
        var hour = (portal.Clock.GetUtcNow().UtcDateTime.Hour + 2) % 24;
        Assert.Equal(PreferenceSaveOutcome.Saved, await ChooseAsync(c => c with { DigestHour = hour }));
        var owner2 = await ChecklistTestData.ApiAsync(portal, Owner);
        var link = await SubmittedAsync(owner2, "digest-triage");

        // A checklist to review waits on the officers: e-mailed at once by default.
        await portal.DeliverAsync();
        Assert.Equal(2, portal.Smtp.Messages.Count(m => (m.Message.TextBody ?? "").Contains(MailPortal.BaseUrl + link)));

        // Its sign-off is news for the owner: held for the digest by default.
        await AcceptAllAndSignOffAsync(await ChecklistTestData.ApiAsync(portal, "compliance@demo.test"), "digest-triage", "1.0.0");
        var run = await portal.DeliverAsync();
        Assert.Equal(1, run.Held);
        Assert.Equal([OutboxState.Held], await EmailStatesAsync(Owner, "checklist.signed-off", link));
        Assert.Empty(MailsTo(Owner));
        Assert.Equal(0, await StageDigestsAsync()); // the hour has not come

        portal.Clock.Advance(TimeSpan.FromHours(2));
        // Two instances run the job at the same moment: one digest is staged.
        var staged = await Task.WhenAll(StageDigestsAsync(), StageDigestsAsync());
        Assert.Equal(1, staged.Sum());
        Assert.Equal(0, await StageDigestsAsync());
        await portal.DeliverAsync();

        var digest = Assert.Single(MailsTo(Owner)).Message;
        var day = portal.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd");
        Assert.Equal($"[Governance Portal] Your daily digest for {day}: 1 notification", digest.Subject);
        Assert.Contains("Checklist signed off: ", digest.TextBody);
        Assert.Contains(MailPortal.BaseUrl + link, digest.TextBody);
        Assert.Contains($"href=\"{MailPortal.BaseUrl}{link}\"", digest.HtmlBody);
        Assert.Contains(MailPortal.BaseUrl + NotificationDigest.PreferencesPath, digest.TextBody);
        Assert.Equal([OutboxState.Digested], await EmailStatesAsync(Owner, "checklist.signed-off", link));
        var key = NotificationDigest.Key(Owner, DateOnly.Parse(day));
        Assert.Equal(1, await portal.WithDbAsync(db => db.Outbox.CountAsync(m => m.IdempotencyKey == key && m.State == OutboxState.Sent)));

        // A day later nothing new is held: no empty digest.
        portal.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await StageDigestsAsync());
    }

    [Fact]
    public async Task A_kind_turned_off_is_not_mailed_but_stays_in_the_inbox_and_a_digest_missed_while_down_is_caught_up()
    {
        portal.Smtp.Refuse = false;
        portal.Smtp.Clear();
        var hour = (portal.Clock.GetUtcNow().UtcDateTime.Hour + 1) % 24;
        Assert.Equal(PreferenceSaveOutcome.Saved, await ChooseAsync(c => With(c, "checklist.changes-requested", DeliveryMode.Off) with { DigestHour = hour }));
        var owner2 = await ChecklistTestData.ApiAsync(portal, Owner);
        var link = await SubmittedAsync(owner2, "muted-triage");
        var officer = await ChecklistTestData.ApiAsync(portal, "compliance@demo.test");
        async Task AskForChangesAsync(int index)
        {
            var answer = (await GetAsync(officer, "muted-triage", "1.0.0")).GetProperty("answers")[index];
            await OkAsync(await officer.PostAsync($"{Assessment("muted-triage", "1.0.0")}/items/{answer.GetProperty("item").GetString()}/review",
                ApiBodies.Json(new { decision = "changesRequested", comment = "Unsigned.", answerRevision = answer.GetProperty("revision").GetInt32() })));
        }

        await AskForChangesAsync(0);
        var run = await portal.DeliverAsync();
        Assert.Equal(1, run.Suppressed);
        Assert.Equal([OutboxState.Suppressed], await EmailStatesAsync(Owner, "checklist.changes-requested", link));
        Assert.Empty(MailsTo(Owner));
        Assert.Equal(1, await portal.WithDbAsync(db => db.Notifications.CountAsync(n => n.Recipient == Owner && n.Link == link && n.Kind == "checklist.changes-requested")));

        // Changed to the digest: the next request is held, and no portal runs for two days after it.
        Assert.Equal(PreferenceSaveOutcome.Saved, await ChooseAsync(c => With(c, "checklist.changes-requested", DeliveryMode.Digest)));
        await AskForChangesAsync(1);
        Assert.Equal(1, (await portal.DeliverAsync()).Held);
        portal.Clock.Advance(TimeSpan.FromDays(2));

        // The first run afterwards stages one digest for the latest due day, not one per day missed.
        Assert.Equal(1, await StageDigestsAsync());
        Assert.Equal(0, await StageDigestsAsync());
        await portal.DeliverAsync();
        var digest = Assert.Single(MailsTo(Owner)).Message;
        var due = NotificationDigest.DueDay(hour, portal.Clock.GetUtcNow());
        Assert.Equal($"[Governance Portal] Your daily digest for {due:yyyy-MM-dd}: 1 notification", digest.Subject);
        Assert.Contains("Changes requested: ", digest.TextBody);
    }

    [Fact]
    public async Task Saving_refuses_unknown_kinds_bad_hours_and_stale_revisions_and_audits_before_and_after()
    {
        Assert.Equal(PreferenceSaveOutcome.Invalid, await ChooseAsync(c => c with { DigestHour = 24 }));
        Assert.Equal(PreferenceSaveOutcome.Invalid, await ChooseAsync(c => With(c, "no.such-kind", DeliveryMode.Off)));
        Assert.Equal(PreferenceSaveOutcome.Invalid, await ChooseAsync(c => With(c, "promotion.approved", (DeliveryMode)7)));
        Assert.Equal(PreferenceSaveOutcome.Conflict, await ChooseAsync(c => c with { Revision = c.Revision + 5 }));
        var before = await portal.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Action == NotificationPreferences.ChangedAction && e.EntityId == Owner));

        Assert.Equal(PreferenceSaveOutcome.Saved, await ChooseAsync(c => With(c, "promotion.rejected", DeliveryMode.Immediately) with { DigestHour = 18 }));

        var saved = await WithAsync(s => s.GetRequiredService<NotificationPreferences>().GetAsync(Owner));
        Assert.Equal((DeliveryMode.Immediately, DeliveryMode.Digest, 18), (saved.Modes["promotion.rejected"], saved.Modes["promotion.approved"], saved.DigestHour));
        var events = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == NotificationPreferences.ChangedAction && e.EntityId == Owner)
            .OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal(before + 1, events.Count);
        Assert.Contains("promotion.rejected", events[^1].Payload);
        Assert.Contains("Immediately", events[^1].Payload);
        Assert.Equal(Owner, events[^1].ActorUsername);

        // The page, as its owner opens it: the saved hour is shown; nobody else's preferences are reachable from it.
        var browser = await PortalClient.SignedInAsync(portal, Owner);
        var page = await browser.Http.GetAsync(NotificationDigest.PreferencesPath);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("18:00 UTC", html);
        var document = PortalClient.Parse(html);
        Assert.NotNull(document.QuerySelector("[data-testid='kind-promotion.rejected'] input[data-testid=immediately][checked]"));
        Assert.NotNull(document.QuerySelector("[data-testid='kind-promotion.approved'] input[data-testid=digest][checked]"));
    }
}

public sealed class NotificationPreferenceTestsOnSqlite(SqliteMailPortal portal) : NotificationPreferenceTests(portal), IClassFixture<SqliteMailPortal>;

public sealed class NotificationPreferenceTestsOnPostgreSql(PostgreSqlMailPortal portal) : NotificationPreferenceTests(portal), IClassFixture<PostgreSqlMailPortal>;
