using System.Net;
using System.Text;
using System.Text.Json;
using GovernancePortal.Audit;
using GovernancePortal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using static GovernancePortal.Testing.ApiBodies;

namespace GovernancePortal.Notifications;

/// <summary>
/// Notifications staged as outbox rows in the causing transaction and sent by the delivery job to a real SMTP server:
/// who receives what, at most once; retries with growing waits; dead letters an Admin puts back in line.
/// </summary>
public abstract class EmailDeliveryTests(MailPortal portal)
{
    private TestSmtpServer Smtp => portal.Smtp;

    /// <summary>The owner asks for Staging; the two compliance officers are asked to decide.</summary>
    private async Task<Guid> RequestStagingAsync(string key, string version)
    {
        var owner = await TestApiKeys.ClientAsync(portal, "owner@demo.test", "email-tests");
        var card = JsonDocument.Parse(await owner.GetStringAsync("/api/v1/models/sepsis-early-warning/versions/1.1.0/card")).RootElement.GetProperty("card").GetRawText();
        Assert.True((await owner.PutAsync($"/api/v1/models/{key}/versions/{version}/card", new StringContent(card, Encoding.UTF8, "application/json"))).IsSuccessStatusCode);
        var requested = await owner.PostAsync($"/api/v1/models/{key}/versions/{version}/promotions", Json(new { targetStage = "staging", justification = "Pilot went well." }));
        Assert.True(requested.StatusCode == HttpStatusCode.Created, await requested.Content.ReadAsStringAsync());
        return (await BodyAsync(requested)).GetProperty("id").GetGuid();
    }

    private Task<List<OutboxMessage>> OutboxAsync(Guid promotion) => portal.WithDbAsync(db =>
        db.Outbox.AsNoTracking().Where(m => m.Link == $"/approvals/{promotion}").OrderBy(m => m.Recipient).ToListAsync());

    private List<TestSmtpServer.Received> MailsAbout(Guid promotion) =>
        Smtp.Messages.Where(m => (m.Message.TextBody ?? "").Contains($"/approvals/{promotion}")).ToList();

    [Fact]
    public async Task Each_officer_who_may_decide_gets_one_email_with_text_html_and_the_link_to_the_request()
    {
        Smtp.Refuse = false;
        await portal.WithDbAsync(async db =>
        {
            var officer = await db.Users.SingleAsync(u => u.Username == "compliance2@demo.test");
            officer.Email = "second.officer@mail.example.test"; // as an Entra sign-in with an e-mail claim records it
            db.Audit.Record("user.signed-in", officer, new { method = "test" });
            await db.SaveChangesAsync();
        });

        var id = await RequestStagingAsync("mortgage-affordability", "0.9.0");

        var staged = await OutboxAsync(id);
        Assert.Equal(["compliance2@demo.test", "compliance@demo.test"], staged.Select(m => m.Recipient));
        Assert.All(staged, m => Assert.Equal((OutboxState.Pending, "email", "promotion.needs-approval"), (m.State, m.Channel, m.Kind)));
        Assert.Empty(MailsAbout(id));

        await portal.DeliverAsync();
        await portal.DeliverAsync();

        var mails = MailsAbout(id);
        Assert.Equal(["compliance@demo.test", "second.officer@mail.example.test"], mails.SelectMany(m => m.To).Order());
        var mail = mails.Single(m => m.To.Contains("compliance@demo.test")).Message;
        Assert.Equal("[Governance Portal] Approval needed: Mortgage affordability 0.9.0 → Staging", mail.Subject);
        Assert.Equal("portal@example.test", ((MailboxAddress)mail.From.Single()).Address);
        Assert.Contains($"{MailPortal.BaseUrl}/approvals/{id}", mail.TextBody);
        Assert.Contains($"href=\"{MailPortal.BaseUrl}/approvals/{id}\"", mail.HtmlBody);
        Assert.Contains("Pilot went well.", mail.TextBody);
        Assert.All(await OutboxAsync(id), m => Assert.Equal((OutboxState.Sent, 1), (m.State, m.Attempts)));
    }

    [Fact]
    public async Task A_refusing_smtp_server_fails_no_action_and_the_message_is_retried_after_a_growing_wait()
    {
        Smtp.Refuse = true;
        var id = await RequestStagingAsync("aml-transaction-monitoring", "1.0.1");

        var run = await portal.DeliverAsync();
        Assert.Equal(2, run.Failed);
        Assert.All(await OutboxAsync(id), m =>
        {
            Assert.Equal((OutboxState.Pending, 1), (m.State, m.Attempts));
            Assert.Contains("Refused by the test", m.LastError);
            Assert.Equal(TimeSpan.FromMinutes(1), m.NextAttemptAt - m.LastAttemptAt);
        });

        Smtp.Refuse = false;
        Assert.Equal(new DeliveryRun(0, 0, 0), await portal.DeliverAsync());
        Assert.Empty(MailsAbout(id));

        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DeliveryRun(2, 0, 0), await portal.DeliverAsync());
        Assert.Equal(2, MailsAbout(id).Count);
        Assert.All(await OutboxAsync(id), m => Assert.Equal((OutboxState.Sent, 2), (m.State, m.Attempts)));
    }

    [Fact]
    public async Task After_the_last_attempt_a_message_is_dead_lettered_and_an_admins_retry_is_audited_and_delivers_it()
    {
        Smtp.Refuse = true;
        var id = await RequestStagingAsync("credit-default-pd", "2.0.0");
        await portal.DeliverAsync();
        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        await portal.DeliverAsync();
        portal.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(new DeliveryRun(0, 0, 2), await portal.DeliverAsync());
        var dead = await OutboxAsync(id);
        Assert.All(dead, m => Assert.Equal((OutboxState.DeadLettered, MailPortal.MaxAttempts), (m.State, m.Attempts)));
        portal.Clock.Advance(TimeSpan.FromDays(1));
        await portal.DeliverAsync();
        Assert.Empty(MailsAbout(id));

        Smtp.Refuse = false;
        var admin = new AuditActor(Guid.NewGuid().ToString(), "admin@demo.test", ["Admin"]);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var delivery = scope.ServiceProvider.GetRequiredService<OutboxDelivery>();
            Assert.Contains(dead[0].Id, (await delivery.DeadLettersAsync()).Select(m => m.Id));
            Assert.True(await delivery.RetryAsync(dead[0].Id, admin));
            Assert.False(await delivery.RetryAsync(dead[0].Id, admin));
        }

        Assert.Equal(new DeliveryRun(1, 0, 0), await portal.DeliverAsync());
        var address = await portal.WithDbAsync(db => db.Users.Where(u => u.Username == dead[0].Recipient).Select(u => u.Email ?? u.Username).SingleAsync());
        Assert.Equal([address], MailsAbout(id).SelectMany(m => m.To));
        var audited = await portal.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == OutboxDelivery.RedeliveryAction && e.EntityId == dead[0].Id.ToString()).ToListAsync());
        Assert.Equal("admin@demo.test", Assert.Single(audited).ActorUsername);
    }
}

public sealed class EmailDeliveryTestsOnSqlite(SqliteMailPortal portal) : EmailDeliveryTests(portal), IClassFixture<SqliteMailPortal>;

public sealed class EmailDeliveryTestsOnPostgreSql(PostgreSqlMailPortal portal) : EmailDeliveryTests(portal), IClassFixture<PostgreSqlMailPortal>;
