using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace GovernancePortal.Notifications;

/// <summary>Writes a notification as an e-mail (plain text and HTML, a link to the exact page) and sends it over SMTP.</summary>
public sealed class SmtpMailer(IOptions<NotificationOptions> options)
{
    public MimeMessage Compose(string address, string displayName, OutboxMessage message)
    {
        var settings = options.Value;
        var link = AbsoluteLink(settings.BaseUrl, message.Link);
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(settings.Smtp.From));
        mail.To.Add(new MailboxAddress(displayName, address));
        mail.Subject = $"[Governance Portal] {message.Title}";
        mail.MessageId = $"{message.Id:N}@governance-portal";
        var body = message.Kind == NotificationKinds.Digest ? DigestBody(settings.BaseUrl, message, link) : new BodyBuilder
        {
            TextBody = $"{message.Title}\n\n{message.Body}\n\nOpen it in the portal: {link}\n\n"
                + "You receive this because of your role in the Governance Portal.\n",
            HtmlBody = $"""
                <!DOCTYPE html><html><body style="font-family:sans-serif">
                <h1 style="font-size:1.2em">{WebUtility.HtmlEncode(message.Title)}</h1>
                <p>{WebUtility.HtmlEncode(message.Body)}</p>
                <p><a href="{WebUtility.HtmlEncode(link)}">Open it in the portal</a></p>
                <p style="color:#666;font-size:0.9em">You receive this because of your role in the Governance Portal.</p>
                </body></html>
                """,
        };
        mail.Body = body.ToMessageBody();
        return mail;
    }

    public async Task SendAsync(MimeMessage mail, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = 30_000 };
        string? presented = null;
        if (Pin(smtp.ServerCertificateThumbprint) is { } pinned)
        {
            client.ServerCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = certificate is null ? null : Thumbprint(certificate);
                return presented == pinned;
            };
        }
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        try
        {
            await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("No SMTP host is configured."), smtp.Port, security, cancellationToken);
        }
        catch (SslHandshakeException e) when (smtp.ServerCertificateThumbprint is not null)
        {
            // Say which certificate came, so an Admin can tell a wrong pin from a server that changed its certificate.
            throw new SslHandshakeException($"The SMTP server's certificate (SHA-256 {presented ?? "none"}) is not the one pinned in "
                + "Notifications:Smtp:ServerCertificateThumbprint.", e);
        }
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }
        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }

    /// <summary>The SHA-256 of a certificate as upper-case hex, as <c>openssl x509 -fingerprint -sha256</c> prints it without colons.</summary>
    public static string Thumbprint(X509Certificate certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    private static string? Pin(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? null : new string([.. configured.Where(Uri.IsHexDigit)]).ToUpperInvariant();

    /// <summary>A digest lists its items (<see cref="NotificationDigest.Lines"/>), each with the link to its page.</summary>
    private static BodyBuilder DigestBody(string? baseUrl, OutboxMessage message, string inboxLink)
    {
        var items = NotificationDigest.Parse(message.Body).Select(i => (i.Title, Link: AbsoluteLink(baseUrl, i.Path))).ToList();
        const string Footer = "You receive this digest at the hour you chose in your notification preferences.";
        return new BodyBuilder
        {
            TextBody = $"{message.Title}\n\n" + string.Concat(items.Select(i => $"- {i.Title}\n  {i.Link}\n"))
                + $"\nAll your notifications: {inboxLink}\nChange what you receive: {AbsoluteLink(baseUrl, NotificationDigest.PreferencesPath)}\n\n{Footer}\n",
            HtmlBody = $"""
                <!DOCTYPE html><html><body style="font-family:sans-serif">
                <h1 style="font-size:1.2em">{WebUtility.HtmlEncode(message.Title)}</h1>
                <ul>{string.Concat(items.Select(i => $"<li><a href=\"{WebUtility.HtmlEncode(i.Link)}\">{WebUtility.HtmlEncode(i.Title)}</a></li>"))}</ul>
                <p><a href="{WebUtility.HtmlEncode(inboxLink)}">All your notifications</a> ·
                <a href="{WebUtility.HtmlEncode(AbsoluteLink(baseUrl, NotificationDigest.PreferencesPath))}">Change what you receive</a></p>
                <p style="color:#666;font-size:0.9em">{Footer}</p>
                </body></html>
                """,
        };
    }

    /// <summary>The portal path made absolute with the configured base URL; the bare path when none is configured.</summary>
    public static string AbsoluteLink(string? baseUrl, string path) =>
        string.IsNullOrWhiteSpace(baseUrl) ? path : baseUrl.TrimEnd('/') + "/" + path.TrimStart('/');
}
