using System.Security.Cryptography.X509Certificates;
using GovernancePortal.Compliance;
using GovernancePortal.Testing;
using MailKit.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static GovernancePortal.Compliance.ChecklistCalls;

namespace GovernancePortal.Notifications;

/// <summary>
/// <c>Notifications:Smtp:Security</c> against a real SMTP server presenting a self-signed certificate: STARTTLS and TLS
/// on connect deliver when the certificate is pinned by its SHA-256; an untrusted or differently pinned certificate is
/// refused, as MailKit's normal validation would.
/// </summary>
public sealed class SmtpSecurityTests
{
    private static readonly X509Certificate2 Certificate = TestSmtpServer.SelfSignedCertificate();

    private static SmtpMailer Mailer(TestSmtpServer server, SmtpSecurity security, string? pin) => new(Options.Create(new NotificationOptions
    {
        BaseUrl = MailPortal.BaseUrl,
        Smtp = new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = security, From = "portal@example.test", ServerCertificateThumbprint = pin },
    }));

    private static Task SendAsync(SmtpMailer mailer, string title) => mailer.SendAsync(mailer.Compose("officer@example.test", "Officer", new OutboxMessage
    {
        IdempotencyKey = title, Channel = EmailChannel.Name, Recipient = "officer@example.test", Kind = "checklist.submitted",
        Title = title, Body = "A checklist waits for review.", Link = "/review-queue",
    }), CancellationToken.None);

    /// <summary>The pin as an Admin would copy it from <c>openssl x509 -fingerprint -sha256</c>: colon-separated hex.</summary>
    private static string OpenSslFingerprint(X509Certificate2 certificate) =>
        string.Join(':', Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));

    [Theory]
    [InlineData(SmtpSecurity.StartTls, false)]
    [InlineData(SmtpSecurity.SslOnConnect, true)]
    public async Task A_pinned_self_signed_certificate_delivers_over_tls(SmtpSecurity security, bool implicitTls)
    {
        await using var server = new TestSmtpServer(Certificate, implicitTls);

        await SendAsync(Mailer(server, security, OpenSslFingerprint(Certificate)), $"Over {security}");

        var received = Assert.Single(server.Messages);
        Assert.True(received.Secure, "the session was not encrypted");
        Assert.Equal(["officer@example.test"], received.To);
        Assert.Equal($"[Governance Portal] Over {security}", received.Message.Subject);
    }

    [Theory]
    [InlineData(SmtpSecurity.StartTls, false)]
    [InlineData(SmtpSecurity.SslOnConnect, true)]
    public async Task An_untrusted_certificate_is_refused_without_a_pin_and_another_certificate_is_refused_with_one(SmtpSecurity security, bool implicitTls)
    {
        await using var server = new TestSmtpServer(Certificate, implicitTls);

        await Assert.ThrowsAsync<SslHandshakeException>(() => SendAsync(Mailer(server, security, null), "Unpinned"));
        using var other = TestSmtpServer.SelfSignedCertificate();
        var refused = await Assert.ThrowsAsync<SslHandshakeException>(() => SendAsync(Mailer(server, security, OpenSslFingerprint(other)), "Wrong pin"));

        Assert.Contains(SmtpMailer.Thumbprint(Certificate), refused.Message);
        Assert.Contains("Notifications:Smtp:ServerCertificateThumbprint", refused.Message);
        Assert.Empty(server.Messages);
    }
}

/// <summary>The demo portal sending over STARTTLS to a server whose self-signed certificate is pinned.</summary>
public class TlsMailPortal(TestDatabase database) : MailPortal(database, new TestSmtpServer(PinnedCertificate))
{
    public static readonly X509Certificate2 PinnedCertificate = TestSmtpServer.SelfSignedCertificate();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Notifications:Smtp:Security", "StartTls");
        builder.UseSetting("Notifications:Smtp:ServerCertificateThumbprint", SmtpMailer.Thumbprint(PinnedCertificate).ToLowerInvariant());
    }
}

public sealed class SqliteTlsMailPortal() : TlsMailPortal(TestDatabase.Sqlite);

public sealed class PostgreSqlTlsMailPortal() : TlsMailPortal(TestDatabase.PostgreSql);

/// <summary>Through the outbox: the pinned server receives the officers' e-mail; a server presenting another certificate fails no action, is retried, and Admins read why.</summary>
public abstract class PinnedSmtpDeliveryTests(TlsMailPortal portal)
{
    private async Task<string> SubmitChecklistAsync(string key)
    {
        var owner2 = await ChecklistTestData.ApiAsync(portal, "owner2@demo.test");
        await ChecklistTestData.PhiModelAsync(owner2, key);
        await CompleteAsync(owner2, key, "1.0.0");
        await OkAsync(await owner2.PostAsync($"{Assessment(key, "1.0.0")}/submit", null));
        return $"{MailPortal.BaseUrl}/models/{key}/versions/1.0.0/compliance/hipaa";
    }

    private List<TestSmtpServer.Received> MailsWith(string link) =>
        portal.Smtp.Messages.Where(m => (m.Message.TextBody ?? "").Contains(link)).ToList();

    private Task<List<OutboxMessage>> OutboxAsync(string link) => portal.WithDbAsync(db =>
        db.Outbox.AsNoTracking().Where(m => MailPortal.BaseUrl + m.Link == link).ToListAsync());

    [Fact]
    public async Task The_pinned_server_receives_over_starttls_and_one_presenting_another_certificate_is_retried_with_the_reason_shown_to_admins()
    {
        portal.Smtp.Certificate = TlsMailPortal.PinnedCertificate;
        var delivered = await SubmitChecklistAsync("tls-pinned-triage");
        Assert.Equal(new DeliveryRun(2, 0, 0), await portal.DeliverAsync());
        Assert.All(MailsWith(delivered), m => Assert.True(m.Secure));
        Assert.Equal(["compliance2@demo.test", "compliance@demo.test"], MailsWith(delivered).SelectMany(m => m.To).Order(StringComparer.Ordinal));

        // The server now presents a certificate nobody pinned (renewed without telling the portal, or an impostor).
        using var impostor = TestSmtpServer.SelfSignedCertificate();
        portal.Smtp.Certificate = impostor;
        var refused = await SubmitChecklistAsync("tls-refused-triage"); // the owner's submission succeeds regardless
        Assert.Equal(new DeliveryRun(0, 2, 0), await portal.DeliverAsync());
        Assert.Empty(MailsWith(refused));
        Assert.All(await OutboxAsync(refused), m =>
        {
            Assert.Equal((OutboxState.Pending, 1), (m.State, m.Attempts));
            Assert.Contains(SmtpMailer.Thumbprint(impostor), m.LastError);
        });

        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var delivery = scope.ServiceProvider.GetRequiredService<OutboxDelivery>();
            var ids = (await OutboxAsync(refused)).Select(m => m.Id).ToHashSet();
            var failures = (await delivery.RecentFailuresAsync()).Where(f => ids.Contains(f.Attempt.DeliveryId)).ToList();
            Assert.Equal(2, failures.Count);
            Assert.All(failures, f => Assert.Equal((DeliveryAttemptOutcome.Failed, OutboxState.Pending, true),
                (f.Attempt.Outcome, f.State, f.Attempt.Error!.Contains("ServerCertificateThumbprint"))));
            Assert.Contains("certificate pinned to SHA-256", (await delivery.StatusAsync()).Server);
        }

        // Pinned again (the Admin corrected the server): the retry delivers, and the log keeps both attempts.
        portal.Smtp.Certificate = TlsMailPortal.PinnedCertificate;
        portal.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DeliveryRun(2, 0, 0), await portal.DeliverAsync());
        Assert.Equal(2, MailsWith(refused).Count);
        var messages = await OutboxAsync(refused);
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var log = await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().AttemptsAsync([.. messages.Select(m => m.Id)]);
            Assert.All(messages, m => Assert.Equal([(1, DeliveryAttemptOutcome.Failed), (2, DeliveryAttemptOutcome.Delivered)],
                log[m.Id].Select(a => (a.Number, a.Outcome))));
        }
    }
}

public sealed class PinnedSmtpDeliveryTestsOnSqlite(SqliteTlsMailPortal portal) : PinnedSmtpDeliveryTests(portal), IClassFixture<SqliteTlsMailPortal>;

public sealed class PinnedSmtpDeliveryTestsOnPostgreSql(PostgreSqlTlsMailPortal portal) : PinnedSmtpDeliveryTests(portal), IClassFixture<PostgreSqlTlsMailPortal>;
