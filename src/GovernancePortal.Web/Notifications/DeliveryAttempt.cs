using System.Diagnostics;
using GovernancePortal.Audit;
using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Notifications;

public enum DeliveryAttemptOutcome
{
    Delivered,
    /// <summary>It failed and will be tried again.</summary>
    Failed,
    /// <summary>It failed for the last time: the delivery moved to the dead-letter list.</summary>
    DeadLettered,
}

/// <summary>
/// One attempt at sending an e-mail (<see cref="OutboxMessage"/>) or a webhook delivery: when, how it ended, the
/// receiver's status code or the error, how long it took. Kept for the delivery log Admins read (issue 17, item 6);
/// <see cref="DeliveryLog"/> keeps the newest few per delivery. Exempt from auditing like the rows it describes.
/// </summary>
[AuditExempt]
public sealed class DeliveryAttempt
{
    /// <summary>Generated in insertion order, so the log reads in the order the attempts were made.</summary>
    public long Id { get; init; }
    /// <summary>The outbox message's or the webhook delivery's id.</summary>
    public Guid DeliveryId { get; init; }
    /// <summary><see cref="EmailChannel.Name"/> or <see cref="DeliveryLog.WebhookChannel"/>.</summary>
    public required string Channel { get; init; }
    /// <summary>The delivery's attempt count after this attempt (an Admin's redelivery starts again at 1).</summary>
    public int Number { get; init; }
    public DateTimeOffset At { get; init; }
    public DeliveryAttemptOutcome Outcome { get; init; }
    public int? StatusCode { get; init; }
    public string? Error { get; init; }
    public int DurationMilliseconds { get; init; }
}

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> builder)
    {
        builder.ToTable("DeliveryAttempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedOnAdd();
        builder.Property(a => a.Channel).HasMaxLength(32);
        builder.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Error).HasMaxLength(2000);
        builder.HasIndex(a => new { a.DeliveryId, a.Id });
        // The admin page's "recent failures" per channel.
        builder.HasIndex(a => new { a.Channel, a.Outcome, a.Id });
    }
}

/// <summary>Writes and reads <see cref="DeliveryAttempt"/>s; each delivery keeps its newest <c>Notifications:Delivery:AttemptsKeptPerDelivery</c>.</summary>
public static class DeliveryLog
{
    public const string WebhookChannel = "webhook";

    /// <summary>Starts timing an attempt; <see cref="RecordAsync"/> reads the elapsed time from it.</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    public static async Task RecordAsync(GovernanceDbContext db, string channel, Guid deliveryId, int number, DateTimeOffset at, long started,
        DeliveryAttemptOutcome outcome, int? statusCode, string? error, int keep, CancellationToken cancellationToken)
    {
        var attempts = db.Set<DeliveryAttempt>();
        var attempt = new DeliveryAttempt
        {
            DeliveryId = deliveryId,
            Channel = channel,
            Number = number,
            At = at,
            Outcome = outcome,
            StatusCode = statusCode,
            Error = error is { Length: > 2000 } ? error[..2000] : error,
            DurationMilliseconds = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(started).TotalMilliseconds),
        };
        attempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(attempt).State = EntityState.Detached;
        // Bounded: a delivery an Admin redelivers again and again keeps only its newest attempts.
        var oldestKept = await attempts.Where(a => a.DeliveryId == deliveryId).OrderByDescending(a => a.Id).Skip(Math.Max(1, keep) - 1)
            .Select(a => (long?)a.Id).FirstOrDefaultAsync(cancellationToken);
        if (oldestKept is { } id)
        {
            await attempts.Where(a => a.DeliveryId == deliveryId && a.Id < id).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>The attempts of these deliveries, oldest first within each.</summary>
    public static async Task<ILookup<Guid, DeliveryAttempt>> OfAsync(GovernanceDbContext db, IReadOnlyCollection<Guid> deliveryIds,
        CancellationToken cancellationToken = default)
    {
        var ids = deliveryIds.ToList();
        var attempts = await db.Set<DeliveryAttempt>().AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return attempts.ToLookup(a => a.DeliveryId);
    }
}
