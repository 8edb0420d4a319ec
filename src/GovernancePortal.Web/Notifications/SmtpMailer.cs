using System.Net;
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
        var body = new BodyBuilder
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
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("No SMTP host is configured."), smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
        }
        await client.SendAsync(mail, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
    }

    /// <summary>The portal path made absolute with the configured base URL; the bare path when none is configured.</summary>
    public static string AbsoluteLink(string? baseUrl, string path) =>
        string.IsNullOrWhiteSpace(baseUrl) ? path : baseUrl.TrimEnd('/') + "/" + path.TrimStart('/');
}
