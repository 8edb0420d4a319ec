using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Notifications;

public enum OutboxState
{
    Pending,
    Sent,
    DeadLettered,
    /// <summary>Its recipient wants this kind in their daily digest: it waits for the digest job.</summary>
    Held,
    /// <summary>Listed in a digest that was staged for sending (the digest is an outbox row of its own).</summary>
    Digested,
    /// <summary>Its recipient turned e-mail off for this kind; the in-app notification is all they get.</summary>
    Suppressed,
}

/// <summary>
/// One message for one recipient over one channel, written in the transaction of the event that caused it and sent by
/// the delivery job afterwards. Exempt from auditing like <see cref="Notification"/>: the causing event is audited, and a
/// redelivery an Admin asks for is audited on its own.
/// </summary>
[AuditExempt]
public sealed class OutboxMessage
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    /// <summary>Event, channel and recipient: unique, so one event reaches one person over one channel at most once.</summary>
    public required string IdempotencyKey { get; init; }
    public required string Channel { get; init; }
    public required string Recipient { get; init; }
    public required string Kind { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    public required string Link { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public OutboxState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => m.IdempotencyKey).IsUnique();
        builder.Property(m => m.IdempotencyKey).HasMaxLength(400);
        builder.Property(m => m.Channel).HasMaxLength(32);
        builder.Property(m => m.Recipient).HasMaxLength(256);
        builder.Property(m => m.Kind).HasMaxLength(64);
        builder.Property(m => m.Title).HasMaxLength(300);
        builder.Property(m => m.Body).HasMaxLength(4000);
        builder.Property(m => m.Link).HasMaxLength(500);
        // Two Admins retrying one dead letter at once: one wins, one is told it already moved.
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        builder.Property(m => m.LastError).HasMaxLength(2000);
        // The job's "what is due" and the admin's dead-letter list.
        builder.HasIndex(m => new { m.State, m.NextAttemptAt });
    }
}
