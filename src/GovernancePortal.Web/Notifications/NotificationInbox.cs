using System.Security.Claims;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using Microsoft.EntityFrameworkCore;

namespace GovernancePortal.Notifications;

/// <summary>A person's own in-app notifications: read, count, mark read. Nobody sees or marks anyone else's.</summary>
public sealed class NotificationInbox(GovernanceDbContext db, IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int PageSize = 100;

    public static string Username(ClaimsPrincipal user) => user.FindFirstValue(PortalClaims.PreferredUsername) ?? "";

    /// <summary>Raised in this scope (a circuit) when the person marked something read, so the header's count follows.</summary>
    public event Action? Changed;

    public Task<List<Notification>> ListAsync(string username, bool unreadOnly, CancellationToken cancellationToken = default) =>
        ListAsync(username, unreadOnly ? NotificationView.Unread : NotificationView.All, cancellationToken);

    public Task<List<Notification>> ListAsync(string username, NotificationView view, CancellationToken cancellationToken = default)
    {
        var query = db.Notifications.AsNoTracking().Where(n => n.Recipient == username);
        query = view switch
        {
            NotificationView.Unread => query.Where(n => n.ReadAt == null),
            NotificationView.Open => query.Where(n => n.DoneAt == null),
            _ => query,
        };
        // Version 7 ids grow with time, so ordering by id is newest-first without ordering timestamps on SQLite.
        return query.OrderByDescending(n => n.Id).Take(PageSize).ToListAsync(cancellationToken);
    }

    /// <summary>
    /// For the shell header, in a scope of its own: the layout renders beside the page, whose components may be using the
    /// request's context at the same moment.
    /// </summary>
    public async Task<int> UnreadCountAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var own = scope.ServiceProvider.GetRequiredService<GovernanceDbContext>();
        return await own.Notifications.CountAsync(n => n.Recipient == username && n.ReadAt == null, cancellationToken);
    }

    /// <summary>False when the notification is not the person's own (or does not exist).</summary>
    public async Task<bool> MarkReadAsync(string username, Guid id, CancellationToken cancellationToken = default)
    {
        var notification = await db.Notifications.SingleOrDefaultAsync(n => n.Id == id && n.Recipient == username, cancellationToken);
        if (notification is null)
        {
            return false;
        }
        notification.ReadAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke();
        return true;
    }

    public async Task<int> MarkAllReadAsync(string username, CancellationToken cancellationToken = default)
    {
        var unread = await db.Notifications.Where(n => n.Recipient == username && n.ReadAt == null).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        unread.ForEach(n => n.ReadAt = now);
        await db.SaveChangesAsync(cancellationToken);
        Changed?.Invoke();
        return unread.Count;
    }
}

/// <summary>Which of a person's notifications the inbox shows: all, those not yet read, or those whose matter is not yet done.</summary>
public enum NotificationView
{
    All,
    Unread,
    Open,
}

public static class NotificationServices
{
    /// <summary>The notifier and its channels; a new channel (webhooks) is one more <see cref="INotificationChannel"/> here.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section);
        services.AddScoped<INotificationChannel, InAppChannel>();
        services.AddScoped<INotificationChannel, EmailChannel>();
        services.AddSingleton<SmtpMailer>();
        services.AddScoped<OutboxDelivery>();
        services.AddScoped<NotificationDeliveryJob>();
        services.AddScoped<NotificationPreferences>();
        services.AddScoped<NotificationDigest>();
        services.AddScoped<NotificationDigestJob>();
        services.AddScoped<AuditAlertNotifications>();
        services.AddScoped<Notifier>();
        services.AddScoped<ApprovalNotifications>();
        services.AddScoped<Compliance.ChecklistNotifications>();
        services.AddScoped<NotificationInbox>();
        return services;
    }
}
