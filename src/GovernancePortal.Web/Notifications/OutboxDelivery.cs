using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace GovernancePortal.Notifications;

public sealed record DeliveryRun(int Sent, int Failed, int DeadLettered, int Held = 0, int Suppressed = 0);

/// <summary>A failed attempt at an e-mail, for the admin page: the attempt, whom it was for, and where the message stands now.</summary>
public sealed record FailedAttempt(DeliveryAttempt Attempt, string Recipient, string Title, OutboxState State);

/// <summary>For the admin page: whether e-mail is on, through which server, and how much waits.</summary>
public sealed record DeliveryStatus(bool EmailEnabled, string Server, int Pending);

/// <summary>
/// Sends what the outbox holds after the causing transaction committed: each message is claimed (its attempt counted and
/// its next try scheduled) before it is sent, so two runs never send one message twice; a failure waits twice as long as
/// the one before, and after the last attempt the message moves to the dead-letter list. Nothing here can fail the action
/// that caused the message: that committed long before.
/// </summary>
public sealed class OutboxDelivery(GovernanceDbContext db, SmtpMailer mailer, NotificationPreferences preferences, IOptions<NotificationOptions> options,
    TimeProvider clock, ILogger<OutboxDelivery> logger)
{
    public const string RedeliveryAction = "notification.redelivery-requested";

    public bool EmailEnabled => options.Value.EmailEnabled;

    /// <summary>The wait after the <paramref name="attempt"/>-th failed attempt: the first delay, doubled each time.</summary>
    public static TimeSpan Backoff(TimeSpan first, int attempt) => first * Math.Pow(2, Math.Clamp(attempt - 1, 0, 20));

    public async Task<DeliveryRun> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        if (!EmailEnabled)
        {
            return new DeliveryRun(0, 0, 0); // what was staged waits until a host is configured again
        }
        var delivery = options.Value.Delivery;
        var now = clock.GetUtcNow();
        var due = await db.Outbox.AsNoTracking()
            .Where(m => m.State == OutboxState.Pending && m.Channel == EmailChannel.Name && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt).Take(delivery.BatchSize).ToListAsync(cancellationToken);
        var chosen = await preferences.ForAsync(due.Select(m => m.Recipient), cancellationToken);
        int sent = 0, failed = 0, dead = 0, held = 0, suppressed = 0;
        foreach (var message in due)
        {
            // The recipient's choice for this kind, read when it is due: a digest waits for the digest job, "off" is not sent.
            var mode = message.Kind == NotificationKinds.Digest ? DeliveryMode.Immediately
                : chosen.TryGetValue(message.Recipient, out var preference) ? preference.ModeFor(message.Kind) : NotificationKinds.DefaultFor(message.Kind);
            if (mode != DeliveryMode.Immediately)
            {
                var state = mode == DeliveryMode.Digest ? OutboxState.Held : OutboxState.Suppressed;
                var moved = await db.Outbox.Where(m => m.Id == message.Id && m.State == OutboxState.Pending && m.Attempts == message.Attempts)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.State, state), cancellationToken);
                held += mode == DeliveryMode.Digest ? moved : 0;
                suppressed += mode == DeliveryMode.Off ? moved : 0;
                continue;
            }
            var attempt = message.Attempts + 1;
            var next = now + Backoff(delivery.FirstRetryDelay, attempt);
            var claimed = await db.Outbox
                .Where(m => m.Id == message.Id && m.State == OutboxState.Pending && m.Attempts == message.Attempts)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Attempts, attempt).SetProperty(m => m.LastAttemptAt, now)
                    .SetProperty(m => m.NextAttemptAt, next), cancellationToken);
            if (claimed == 0)
            {
                continue; // another run has it
            }
            var started = DeliveryLog.Start();
            var error = await TrySendAsync(message, cancellationToken);
            DeliveryAttemptOutcome outcome;
            if (error is null)
            {
                await SetAsync(message.Id, OutboxState.Sent, null, now, cancellationToken);
                (outcome, sent) = (DeliveryAttemptOutcome.Delivered, sent + 1);
            }
            else if (error.Permanent || attempt >= delivery.MaxAttempts)
            {
                await SetAsync(message.Id, OutboxState.DeadLettered, error.Message, null, cancellationToken);
                (outcome, dead) = (DeliveryAttemptOutcome.DeadLettered, dead + 1);
            }
            else
            {
                await SetAsync(message.Id, OutboxState.Pending, error.Message, null, cancellationToken);
                (outcome, failed) = (DeliveryAttemptOutcome.Failed, failed + 1);
            }
            await DeliveryLog.RecordAsync(db, EmailChannel.Name, message.Id, attempt, now, started, outcome, error?.StatusCode, error?.Message,
                delivery.AttemptsKeptPerDelivery, cancellationToken);
        }
        return new DeliveryRun(sent, failed, dead, held, suppressed);
    }

    /// <summary>Why a send failed; the SMTP reply code when the server answered with one.</summary>
    private sealed record SendError(string Message, bool Permanent, int? StatusCode = null);

    private async Task<SendError?> TrySendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var person = await db.Users.AsNoTracking().Where(u => u.Username == message.Recipient)
            .Select(u => new { u.Email, u.DisplayName }).SingleOrDefaultAsync(cancellationToken);
        var address = string.IsNullOrWhiteSpace(person?.Email) ? message.Recipient : person.Email;
        if (!address.Contains('@') || !MailboxAddress.TryParse(address, out _))
        {
            return new SendError($"{message.Recipient} has no e-mail address (no e-mail claim, and the username is not an address).", true);
        }
        try
        {
            await mailer.SendAsync(mailer.Compose(address, person?.DisplayName ?? "", message), cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "E-mail {MessageId} to {Recipient} failed (attempt {Attempt})", message.Id, message.Recipient, message.Attempts + 1);
            var text = $"{e.GetType().Name}: {e.Message}";
            return new SendError(text.Length <= 2000 ? text : text[..2000], false, e is MailKit.Net.Smtp.SmtpCommandException command ? (int)command.StatusCode : null);
        }
    }

    private Task<int> SetAsync(Guid id, OutboxState state, string? error, DateTimeOffset? sentAt, CancellationToken cancellationToken) =>
        db.Outbox.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.State, state).SetProperty(m => m.LastError, error)
            .SetProperty(m => m.SentAt, sentAt), cancellationToken);

    public async Task<DeliveryStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var smtp = options.Value.Smtp;
        var pending = await db.Outbox.CountAsync(m => m.State == OutboxState.Pending, cancellationToken);
        var pinned = string.IsNullOrWhiteSpace(smtp.ServerCertificateThumbprint) ? "" : $", certificate pinned to SHA-256 {smtp.ServerCertificateThumbprint}";
        return new DeliveryStatus(EmailEnabled, $"{smtp.Host}:{smtp.Port} ({smtp.Security}{pinned}), from {smtp.From}", pending);
    }

    /// <summary>What kept failing, newest first.</summary>
    public Task<List<OutboxMessage>> DeadLettersAsync(CancellationToken cancellationToken = default) =>
        db.Outbox.AsNoTracking().Where(m => m.State == OutboxState.DeadLettered).OrderByDescending(m => m.Id).Take(500).ToListAsync(cancellationToken);

    /// <summary>The newest failed e-mail attempts (retried or dead-lettered), with the message each was for, newest first.</summary>
    public async Task<List<FailedAttempt>> RecentFailuresAsync(int count = 20, CancellationToken cancellationToken = default) =>
        await (from a in db.Set<DeliveryAttempt>().AsNoTracking()
               join m in db.Outbox.AsNoTracking() on a.DeliveryId equals m.Id
               where a.Channel == EmailChannel.Name && a.Outcome != DeliveryAttemptOutcome.Delivered
               orderby a.Id descending
               select new FailedAttempt(a, m.Recipient, m.Title, m.State)).Take(count).ToListAsync(cancellationToken);

    /// <summary>The attempts of these messages, oldest first within each.</summary>
    public Task<ILookup<Guid, DeliveryAttempt>> AttemptsAsync(IReadOnlyCollection<Guid> messages, CancellationToken cancellationToken = default) =>
        DeliveryLog.OfAsync(db, messages, cancellationToken);

    /// <summary>
    /// Puts a dead letter back in line with fresh attempts, audited in the same SaveChanges. False when it is no longer a
    /// dead letter (another Admin retried it meanwhile) or does not exist.
    /// </summary>
    public async Task<bool> RetryAsync(Guid id, AuditActor actor, CancellationToken cancellationToken = default)
    {
        var message = await db.Outbox.SingleOrDefaultAsync(m => m.Id == id && m.State == OutboxState.DeadLettered, cancellationToken);
        if (message is null)
        {
            return false;
        }
        db.Audit.Record(RedeliveryAction, nameof(OutboxMessage), id.ToString(), new
        {
            channel = message.Channel, recipient = message.Recipient, kind = message.Kind, attempts = message.Attempts, lastError = message.LastError,
        }, actor);
        message.State = OutboxState.Pending;
        message.Attempts = 0;
        message.NextAttemptAt = clock.GetUtcNow();
        return await db.TrySaveChangesAsync(cancellationToken);
    }
}

/// <summary>Sends due outbox messages every minute (ADR-028).</summary>
public sealed class NotificationDeliveryJob(OutboxDelivery delivery) : Jobs.IPortalJob
{
    public const string Id = "notification-delivery";

    public Task RunAsync(CancellationToken cancellationToken) => delivery.DeliverDueAsync(cancellationToken);
}
