using System.Net;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Webhooks;

public sealed record WebhookSummary(
    Guid Id, string Url, IReadOnlyList<string> Events, string Description, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt,
    string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? PreviousSecretExpiresAt, int Pending, int Delivered, int DeadLettered);

public sealed record WebhookCreated(Guid Id, string Secret);

/// <summary>Either the result or the errors, each under the field it concerns (RFC 7807 on the API, at the field on the page).</summary>
public sealed record WebhookOutcome<T>(T? Value, IDictionary<string, string[]>? Errors = null, bool NotFound = false, bool Conflict = false)
{
    public bool Succeeded => Errors is null && !NotFound && !Conflict;
}

/// <summary>
/// Admins' webhook subscriptions: create (the secret is returned once), list, rotate the secret (the old one signs beside
/// the new for a day), enable again after the job disabled one, delete, read the delivery log and redeliver. Each change
/// is audited in its own transaction with the change; secrets are kept encrypted with the portal's data-protection keys.
/// </summary>
public sealed class WebhookSubscriptions(GovernanceDbContext db, IDataProtectionProvider protection, IOptions<WebhookOptions> options, TimeProvider clock,
    IAuditContextAccessor auditContext)
{
    public const string CreatedAction = "webhook.created";
    public const string RotatedAction = "webhook.secret-rotated";
    public const string DeletedAction = "webhook.deleted";
    public const string EnabledAction = "webhook.enabled";
    public const string DisabledAction = "webhook.disabled";
    public const string RedeliveryAction = "webhook.redelivery-requested";
    public const int LogSize = 200;

    private readonly IDataProtector _protector = protection.CreateProtector("GovernancePortal.Webhooks.Secret");

    internal string Protect(string secret) => _protector.Protect(secret);

    internal string Unprotect(string stored) => _protector.Unprotect(stored);

    public async Task<WebhookOutcome<WebhookCreated>> CreateAsync(string? url, IReadOnlyList<string>? events, string? description, AuditActor? actor,
        CancellationToken cancellationToken = default)
    {
        var errors = WebhookRules.Check(url, events, description, out var uri);
        if (uri is not null && await RefusedAddressAsync(uri, cancellationToken) is { } refused)
        {
            errors["url"] = [refused];
        }
        if (errors.Count > 0)
        {
            return new(null, errors);
        }
        var secret = WebhookSignature.NewSecret();
        var head = await db.AuditHeads.AsNoTracking().Select(h => h.Sequence).SingleOrDefaultAsync(cancellationToken);
        var subscription = new WebhookSubscription
        {
            Url = uri!.AbsoluteUri,
            Events = WebhookRules.Normalize(events!),
            Description = description?.Trim() ?? "",
            ProtectedSecret = Protect(secret),
            CreatedBy = (actor ?? auditContext.Current.Actor).Username,
            CreatedAt = clock.GetUtcNow(),
            StartsAfterSequence = head,
        };
        db.Set<WebhookSubscription>().Add(subscription);
        db.Audit.Record(CreatedAction, subscription, actor: actor);
        await db.SaveChangesAsync(cancellationToken);
        return new(new WebhookCreated(subscription.Id, secret));
    }

    /// <summary>
    /// Why the address may not be subscribed, when it may not: a literal or resolved address in a refused range. The job
    /// checks again at every attempt, since what a name resolves to can change.
    /// </summary>
    private async Task<string?> RefusedAddressAsync(Uri uri, CancellationToken cancellationToken)
    {
        if (options.Value.AllowPrivateNetworks)
        {
            return null;
        }
        IPAddress[] addresses;
        if (OutboundAddressRules.LiteralAddress(uri) is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.Timeout);
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, timeout.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return $"{uri.Host} could not be resolved; give an address the portal can reach.";
            }
        }
        return addresses.All(OutboundAddressRules.IsPublic)
            ? null
            : $"{uri.Host} is in a loopback, link-local or private network, which webhooks may not reach.";
    }

    public async Task<List<WebhookSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var subscriptions = await Live().AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        var ids = subscriptions.Select(s => s.Id).ToList();
        var counts = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => ids.Contains(d.SubscriptionId))
            .GroupBy(d => new { d.SubscriptionId, d.State }).Select(g => new { g.Key.SubscriptionId, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken);
        int Count(Guid id, WebhookDeliveryState state) => counts.Where(c => c.SubscriptionId == id && c.State == state).Sum(c => c.Count);
        var now = clock.GetUtcNow();
        return subscriptions.Select(s => new WebhookSummary(s.Id, s.Url, s.EventList, s.Description, s.Enabled, s.DisabledReason, s.DisabledAt,
            s.CreatedBy, s.CreatedAt, s.PreviousSecretExpiresAt > now ? s.PreviousSecretExpiresAt : null,
            Count(s.Id, WebhookDeliveryState.Pending), Count(s.Id, WebhookDeliveryState.Delivered), Count(s.Id, WebhookDeliveryState.DeadLettered))).ToList();
    }

    public async Task<WebhookSummary?> FindAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken)).SingleOrDefault(s => s.Id == id);

    /// <summary>The newest deliveries first; null when there is no such subscription.</summary>
    public async Task<List<WebhookDelivery>?> DeliveriesAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (!await Live().AnyAsync(s => s.Id == id, cancellationToken))
        {
            return null;
        }
        return await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.SubscriptionId == id)
            .OrderByDescending(d => d.Id).Take(LogSize).ToListAsync(cancellationToken);
    }

    /// <summary>Every attempt kept for these deliveries, oldest first within each (the delivery log).</summary>
    public Task<ILookup<Guid, Notifications.DeliveryAttempt>> AttemptsAsync(IReadOnlyCollection<Guid> deliveries, CancellationToken cancellationToken = default) =>
        Notifications.DeliveryLog.OfAsync(db, deliveries, cancellationToken);

    /// <summary>A new secret, returned once; the one it replaces still signs for <see cref="WebhookOptions.RotationOverlap"/>.</summary>
    public async Task<WebhookOutcome<string>> RotateSecretAsync(Guid id, AuditActor? actor, CancellationToken cancellationToken = default)
    {
        var subscription = await Live().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return new(null, NotFound: true);
        }
        var secret = WebhookSignature.NewSecret();
        subscription.ProtectedPreviousSecret = subscription.ProtectedSecret;
        subscription.PreviousSecretExpiresAt = clock.GetUtcNow() + options.Value.RotationOverlap;
        subscription.ProtectedSecret = Protect(secret);
        subscription.Revision = Guid.NewGuid();
        db.Audit.Record(RotatedAction, subscription, actor: actor);
        return await db.TrySaveChangesAsync(cancellationToken) ? new(secret) : new(null, Conflict: true);
    }

    public async Task<WebhookOutcome<bool>> DeleteAsync(Guid id, AuditActor? actor, CancellationToken cancellationToken = default)
    {
        var subscription = await Live().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return new(false, NotFound: true);
        }
        subscription.DeletedAt = clock.GetUtcNow();
        subscription.Enabled = false;
        subscription.Revision = Guid.NewGuid();
        db.Audit.Record(DeletedAction, subscription, actor: actor);
        return await db.TrySaveChangesAsync(cancellationToken) ? new(true) : new(false, Conflict: true);
    }

    /// <summary>Turns a disabled subscription back on; its deliveries still pending are tried again at once.</summary>
    public async Task<WebhookOutcome<bool>> EnableAsync(Guid id, AuditActor? actor, CancellationToken cancellationToken = default)
    {
        var subscription = await Live().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return new(false, NotFound: true);
        }
        if (subscription.Enabled)
        {
            return new(false, Conflict: true);
        }
        subscription.Enabled = true;
        subscription.DisabledAt = null;
        subscription.DisabledReason = null;
        subscription.DeadLettersInARow = 0;
        subscription.Revision = Guid.NewGuid();
        db.Audit.Record(EnabledAction, subscription, actor: actor);
        return await db.TrySaveChangesAsync(cancellationToken) ? new(true) : new(false, Conflict: true);
    }

    /// <summary>Sends a delivery again with fresh attempts, whatever became of it; audited.</summary>
    public async Task<WebhookOutcome<bool>> RedeliverAsync(Guid id, Guid deliveryId, AuditActor? actor, CancellationToken cancellationToken = default)
    {
        var delivery = await db.Set<WebhookDelivery>().SingleOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == id, cancellationToken);
        if (delivery is null || !await Live().AnyAsync(s => s.Id == id, cancellationToken))
        {
            return new(false, NotFound: true);
        }
        db.Audit.Record(RedeliveryAction, nameof(WebhookDelivery), delivery.Id.ToString(), new
        {
            subscription = id, eventType = delivery.EventType, auditSequence = delivery.AuditSequence, state = delivery.State.ToString(),
            attempts = delivery.Attempts, lastStatusCode = delivery.LastStatusCode, lastError = delivery.LastError,
        }, actor);
        delivery.State = WebhookDeliveryState.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return new(true);
    }

    private IQueryable<WebhookSubscription> Live() => db.Set<WebhookSubscription>().Where(s => s.DeletedAt == null);
}
