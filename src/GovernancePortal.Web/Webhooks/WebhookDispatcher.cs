using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using GovernancePortal.Identity;
using GovernancePortal.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace GovernancePortal.Webhooks;

public sealed record WebhookRun(int Staged, int Delivered, int Failed, int DeadLettered, int Disabled);

/// <summary>
/// Turns audited events into deliveries and sends them (ADR-029). <see cref="StageAsync"/> reads the trail past the stored
/// cursor and writes one delivery per subscription and event, moving the cursor on in the same transaction only if no
/// other run moved it first; the unique (subscription, sequence) key keeps an event to one delivery per subscription
/// even so. <see cref="DeliverDueAsync"/> claims each due delivery before sending it, like the e-mail outbox (ADR-028).
/// </summary>
public sealed class WebhookDispatcher(GovernanceDbContext db, WebhookSender sender, WebhookSubscriptions subscriptions, Notifier notifier,
    IOptions<WebhookOptions> options, IOptions<NotificationOptions> notificationOptions, TimeProvider clock, ILogger<WebhookDispatcher> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<WebhookRun> RunAsync(CancellationToken cancellationToken = default)
    {
        var staged = await StageAsync(cancellationToken);
        var sent = await DeliverDueAsync(cancellationToken);
        return sent with { Staged = staged };
    }

    /// <summary>Writes the deliveries for the events after the cursor; the number written.</summary>
    public async Task<int> StageAsync(CancellationToken cancellationToken = default)
    {
        var total = 0;
        while (true)
        {
            var (written, more) = await StageBatchAsync(cancellationToken);
            total += written;
            if (!more)
            {
                return total;
            }
        }
    }

    private async Task<(int Written, bool More)> StageBatchAsync(CancellationToken cancellationToken)
    {
        var batch = options.Value.BatchSize;
        var cursor = await db.Set<WebhookCursor>().AsNoTracking().Select(c => c.Sequence).SingleAsync(cancellationToken);
        var head = await db.AuditEvents.AsNoTracking().MaxAsync(e => (long?)e.Sequence, cancellationToken) ?? 0;
        if (head <= cursor)
        {
            return (0, false);
        }
        // Read after the head: a subscription made meanwhile starts after the head it saw, which is past every event read here.
        var listening = await db.Set<WebhookSubscription>().AsNoTracking().Where(s => s.Enabled && s.DeletedAt == null).ToListAsync(cancellationToken);
        var actions = WebhookEvents.AuditActions.ToList();
        var events = listening.Count == 0 ? [] : await db.AuditEvents.AsNoTracking()
            .Where(e => e.Sequence > cursor && e.Sequence <= head && actions.Contains(e.Action))
            .OrderBy(e => e.Sequence).Take(batch).ToListAsync(cancellationToken);
        var more = events.Count == batch;
        var reached = more ? events[^1].Sequence : head;
        var now = clock.GetUtcNow();
        var deliveries = (from e in events
                          let type = WebhookEvents.ByAuditAction[e.Action]
                          from s in listening
                          where s.StartsAfterSequence < e.Sequence && s.Wants(type)
                          select new WebhookDelivery
                          {
                              SubscriptionId = s.Id,
                              AuditSequence = e.Sequence,
                              EventType = type,
                              Body = BodyOf(type, e),
                              CreatedAt = now,
                              NextAttemptAt = now,
                          }).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = await db.Set<WebhookCursor>().Where(c => c.Id == WebhookCursor.SingletonId && c.Sequence == cursor)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Sequence, reached), cancellationToken);
        if (moved == 0)
        {
            return (0, false); // another run staged these
        }
        db.Set<WebhookDelivery>().AddRange(deliveries);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (deliveries.Count, more);
    }

    /// <summary>The body every attempt sends: <c>{type, occurredAt, data, auditSequence}</c>, data being the audited change.</summary>
    public static string BodyOf(string type, AuditEvent e)
    {
        JsonNode? details;
        try
        {
            details = JsonNode.Parse(e.Payload);
        }
        catch (JsonException)
        {
            details = JsonValue.Create(e.Payload);
        }
        var data = new JsonObject
        {
            ["entityType"] = e.EntityType,
            ["entityId"] = e.EntityId,
            ["actor"] = e.ActorUsername,
            ["details"] = details,
        };
        return JsonSerializer.Serialize(new { type, occurredAt = e.Timestamp, data, auditSequence = e.Sequence }, Json);
    }

    public async Task<WebhookRun> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var due = await (from d in db.Set<WebhookDelivery>().AsNoTracking()
                         join s in db.Set<WebhookSubscription>().AsNoTracking() on d.SubscriptionId equals s.Id
                         where d.State == WebhookDeliveryState.Pending && d.NextAttemptAt <= now && s.Enabled && s.DeletedAt == null
                         orderby d.NextAttemptAt
                         select new { Delivery = d, Subscription = s }).Take(settings.BatchSize).ToListAsync(cancellationToken);
        int delivered = 0, failed = 0, dead = 0, disabled = 0;
        var off = new HashSet<Guid>();
        foreach (var item in due)
        {
            var (delivery, subscription) = (item.Delivery, item.Subscription);
            if (off.Contains(subscription.Id))
            {
                continue; // disabled during this run
            }
            var attempt = delivery.Attempts + 1;
            var claimed = await db.Set<WebhookDelivery>()
                .Where(d => d.Id == delivery.Id && d.State == WebhookDeliveryState.Pending && d.Attempts == delivery.Attempts)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.Attempts, attempt).SetProperty(d => d.LastAttemptAt, now)
                    .SetProperty(d => d.NextAttemptAt, now + Notifications.OutboxDelivery.Backoff(settings.FirstRetryDelay, attempt)), cancellationToken);
            if (claimed == 0)
            {
                continue; // another run has it
            }
            var started = DeliveryLog.Start();
            var outcome = await SendAsync(subscription, delivery, now, cancellationToken);
            if (outcome.Delivered)
            {
                await RecordAsync(delivery.Id, attempt, now, started, WebhookDeliveryState.Delivered, outcome, now, cancellationToken);
                await db.Set<WebhookSubscription>().Where(s => s.Id == subscription.Id && s.DeadLettersInARow > 0)
                    .ExecuteUpdateAsync(u => u.SetProperty(s => s.DeadLettersInARow, 0), cancellationToken);
                delivered++;
            }
            else if (outcome.Retryable && attempt < settings.MaxAttempts)
            {
                await RecordAsync(delivery.Id, attempt, now, started, WebhookDeliveryState.Pending, outcome, null, cancellationToken);
                failed++;
            }
            else
            {
                await RecordAsync(delivery.Id, attempt, now, started, WebhookDeliveryState.DeadLettered, outcome, null, cancellationToken);
                dead++;
                if (await CountDeadLetterAsync(subscription.Id, outcome, cancellationToken))
                {
                    off.Add(subscription.Id);
                    disabled++;
                }
            }
        }
        return new WebhookRun(0, delivered, failed, dead, disabled);
    }

    private async Task<SendOutcome> SendAsync(WebhookSubscription subscription, WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var secrets = new List<string> { subscriptions.Unprotect(subscription.ProtectedSecret) };
        if (subscription.ProtectedPreviousSecret is { } previous && subscription.PreviousSecretExpiresAt > now)
        {
            secrets.Add(subscriptions.Unprotect(previous));
        }
        var timestamp = now.ToUnixTimeSeconds();
        var signature = WebhookSignature.Header(secrets, delivery.MessageId, timestamp, delivery.Body);
        var outcome = await sender.SendAsync(new Uri(subscription.Url), delivery.MessageId, timestamp, signature, delivery.Body, cancellationToken);
        if (!outcome.Delivered)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} to subscription {SubscriptionId} failed (attempt {Attempt}): {Error}",
                delivery.Id, subscription.Id, delivery.Attempts + 1, outcome.Error);
        }
        return outcome;
    }

    /// <summary>Moves the delivery to its new state with the receiver's answer, and adds the attempt to its log.</summary>
    private async Task RecordAsync(Guid id, int attempt, DateTimeOffset at, long started, WebhookDeliveryState state, SendOutcome outcome,
        DateTimeOffset? deliveredAt, CancellationToken cancellationToken)
    {
        await db.Set<WebhookDelivery>().Where(d => d.Id == id).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, state)
            .SetProperty(d => d.LastStatusCode, outcome.StatusCode).SetProperty(d => d.LastError, outcome.Error)
            .SetProperty(d => d.DeliveredAt, deliveredAt), cancellationToken);
        var logged = state switch
        {
            WebhookDeliveryState.Delivered => DeliveryAttemptOutcome.Delivered,
            WebhookDeliveryState.Pending => DeliveryAttemptOutcome.Failed,
            _ => DeliveryAttemptOutcome.DeadLettered,
        };
        await DeliveryLog.RecordAsync(db, DeliveryLog.WebhookChannel, id, attempt, at, started, logged, outcome.StatusCode, outcome.Error,
            notificationOptions.Value.Delivery.AttemptsKeptPerDelivery, cancellationToken);
    }

    /// <summary>
    /// Counts a dead letter against its subscription; at <see cref="WebhookOptions.DisableAfterDeadLetters"/> in a row the
    /// subscription is disabled, audited, and every Admin is told, all in one transaction. True when it was disabled.
    /// </summary>
    private async Task<bool> CountDeadLetterAsync(Guid subscriptionId, SendOutcome outcome, CancellationToken cancellationToken)
    {
        await db.Set<WebhookSubscription>().Where(s => s.Id == subscriptionId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.DeadLettersInARow, s => s.DeadLettersInARow + 1), cancellationToken);
        var subscription = await db.Set<WebhookSubscription>().SingleAsync(s => s.Id == subscriptionId, cancellationToken);
        if (!subscription.Enabled || subscription.DeadLettersInARow < options.Value.DisableAfterDeadLetters)
        {
            db.ChangeTracker.Clear();
            return false;
        }
        subscription.Enabled = false;
        subscription.DisabledAt = clock.GetUtcNow();
        subscription.DisabledReason = Clip($"{subscription.DeadLettersInARow} deliveries in a row failed; the last: {outcome.Error}", 1000);
        subscription.Revision = Guid.NewGuid();
        db.Audit.Record(WebhookSubscriptions.DisabledAction, subscription, new { reason = subscription.DisabledReason }, AuditActor.System);
        var admins = await notifier.PeopleWithRoleAsync(Roles.Admin, cancellationToken);
        notifier.Send(admins.Select(a => a.Username), new NotificationMessage("webhook.disabled", $"Webhook disabled: {subscription.Url}",
            $"The webhook subscription to {subscription.Url} ({subscription.Description}) was disabled. {subscription.DisabledReason} " +
            "Its deliveries wait until an Admin enables it again.", $"/admin/webhooks/{subscription.Id}"));
        var saved = await db.TrySaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return saved;
    }

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

/// <summary>Stages and sends webhook deliveries every minute (ADR-029).</summary>
public sealed class WebhookDeliveryJob(WebhookDispatcher dispatcher) : Jobs.IPortalJob
{
    public const string Id = "webhook-delivery";

    public Task RunAsync(CancellationToken cancellationToken) => dispatcher.RunAsync(cancellationToken);
}
