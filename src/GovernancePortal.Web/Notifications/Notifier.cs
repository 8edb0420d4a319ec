using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Notifications;

/// <summary>What to tell people, independent of how it reaches them.</summary>
public sealed record NotificationMessage(string Kind, string Title, string Body, string Link)
{
    /// <summary>One per event; outbox channels key their rows on it so an event reaches a person at most once per channel.</summary>
    public Guid EventId { get; init; } = Guid.CreateVersion7();
}

/// <summary>
/// A way notifications reach people (in-app, e-mail). A channel stages its deliveries in the unit of work of the event
/// that caused them, before that event's SaveChanges: the in-app channel adds rows; the e-mail channel adds outbox rows
/// that <see cref="OutboxDelivery"/> sends after commit, so nothing is sent for a change that failed.
/// </summary>
public interface INotificationChannel
{
    void Stage(GovernanceDbContext db, IReadOnlyCollection<string> recipients, NotificationMessage message, DateTimeOffset at);
}

/// <summary>The in-app inbox at <c>/notifications</c>.</summary>
public sealed class InAppChannel : INotificationChannel
{
    public void Stage(GovernanceDbContext db, IReadOnlyCollection<string> recipients, NotificationMessage message, DateTimeOffset at)
    {
        foreach (var recipient in recipients)
        {
            db.Notifications.Add(new Notification
            {
                Recipient = recipient,
                Kind = message.Kind,
                Title = Clip(message.Title, 300),
                Body = Clip(message.Body, 4000),
                Link = message.Link,
                CreatedAt = at,
            });
        }
    }

    internal static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

/// <summary>The one way notifications are created: every registered channel stages the message for the recipients.</summary>
public sealed class Notifier(GovernanceDbContext db, IEnumerable<INotificationChannel> channels, TimeProvider clock)
{
    /// <summary>Stages <paramref name="message"/> for each recipient once; <paramref name="actor"/> is not told of their own act.</summary>
    public void Send(IEnumerable<string> recipients, NotificationMessage message, string? actor = null)
    {
        var distinct = recipients.Where(r => !string.IsNullOrWhiteSpace(r) && !string.Equals(r, actor, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (distinct.Count == 0)
        {
            return;
        }
        var at = clock.GetUtcNow();
        foreach (var channel in channels)
        {
            channel.Stage(db, distinct, message, at);
        }
    }

    /// <summary>
    /// Marks every notification pointing at <paramref name="link"/> done (and read), in the caller's unit of work, so it is
    /// saved with the change that settled what it asked for (a decided request, a confirmed rollback, a closed review).
    /// Call it before sending the news of that change, which points at the same place and must stay unread.
    /// With <paramref name="recipient"/>, only that person's: their part is done while others' is not (one approval of several).
    /// </summary>
    public async Task SettleAsync(string link, CancellationToken cancellationToken, string? recipient = null)
    {
        var open = await db.Notifications.Where(n => n.Link == link && n.DoneAt == null && (recipient == null || n.Recipient == recipient))
            .ToListAsync(cancellationToken);
        var at = clock.GetUtcNow();
        foreach (var notification in open)
        {
            notification.DoneAt = at;
            notification.ReadAt ??= at;
        }
    }

    /// <summary>Known people holding <paramref name="role"/>, as callers, so the rules can say who may act.</summary>
    public async Task<IReadOnlyList<Registry.Caller>> PeopleWithRoleAsync(string role, CancellationToken cancellationToken)
    {
        var users = await db.Users.AsNoTracking().Where(u => u.Roles.Contains(role)).ToListAsync(cancellationToken);
        return users.Where(u => u.RoleList.Contains(role, StringComparer.Ordinal))
            .Select(u => new Registry.Caller(u.Username, u.RoleList, u.Team)).ToList();
    }
}
