using GovernancePortal.Data;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Notifications;

/// <summary>Stages one outbox row per recipient; nothing while no SMTP host is configured (e-mail is off).</summary>
public sealed class EmailChannel(IOptions<NotificationOptions> options) : INotificationChannel
{
    public const string Name = "email";

    public void Stage(GovernanceDbContext db, IReadOnlyCollection<string> recipients, NotificationMessage message, DateTimeOffset at)
    {
        if (!options.Value.EmailEnabled)
        {
            return;
        }
        foreach (var recipient in recipients)
        {
            db.Outbox.Add(new OutboxMessage
            {
                IdempotencyKey = $"{message.EventId:N}/{Name}/{recipient.ToLowerInvariant()}",
                Channel = Name,
                Recipient = recipient,
                Kind = message.Kind,
                Title = InAppChannel.Clip(message.Title, 300),
                Body = InAppChannel.Clip(message.Body, 4000),
                Link = message.Link,
                CreatedAt = at,
                NextAttemptAt = at,
            });
        }
    }
}
