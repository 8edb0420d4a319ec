using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Webhooks;

/// <summary>
/// An Admin's subscription: which events go to which URL, signed with its secret (Standard Webhooks). Creating, rotating,
/// disabling and deleting it are audited in the same transaction; the secrets never enter the trail.
/// </summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Url { get; set; }
    /// <summary>Event types, comma-separated; <c>*</c> for all.</summary>
    public required string Events { get; set; }
    public string Description { get; set; } = "";
    /// <summary>The current secret (<c>whsec_…</c>), encrypted with the portal's data-protection keys.</summary>
    [AuditRedacted]
    public required string ProtectedSecret { get; set; }
    /// <summary>The secret before the latest rotation, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    [AuditRedacted]
    public string? ProtectedPreviousSecret { get; set; }
    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The audit head when it was created: only later events are delivered.</summary>
    public long StartsAfterSequence { get; init; }
    public bool Enabled { get; set; } = true;
    public DateTimeOffset? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }
    /// <summary>Deliveries dead-lettered since the last one that arrived; at the configured count the subscription is disabled.</summary>
    public int DeadLettersInARow { get; set; }
    /// <summary>Deleted subscriptions keep their delivery log but receive nothing.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>Changed on every save, so two Admins (or an Admin and the delivery job) cannot overwrite each other.</summary>
    public Guid Revision { get; set; } = Guid.NewGuid();

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string eventType) => EventList.Any(e => e == WebhookEvents.All || e == eventType);
}

public enum WebhookDeliveryState
{
    Pending,
    Delivered,
    DeadLettered,
}

/// <summary>
/// One event for one subscription: unique per subscription and audit sequence, so an event reaches a subscription at most
/// once whatever the number of portal instances. Its body is fixed when it is written; every attempt signs it anew.
/// Exempt from auditing like outbox rows: the event it carries is audited, and a redelivery an Admin asks for is audited on its own.
/// </summary>
[AuditExempt]
public sealed class WebhookDelivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SubscriptionId { get; init; }
    public long AuditSequence { get; init; }
    public required string EventType { get; init; }
    public required string Body { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public WebhookDeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>The <c>webhook-id</c> header: the same for every attempt, so a receiver can drop a repeat.</summary>
    public string MessageId => $"msg_{Id:N}";
}

/// <summary>How far the dispatcher has read the audit trail: one row, moved on only by the run that wrote the deliveries.</summary>
[AuditExempt]
public sealed class WebhookCursor
{
    public const int SingletonId = 1;
    public int Id { get; init; } = SingletonId;
    public long Sequence { get; set; }
}

internal sealed class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.ToTable("WebhookSubscriptions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Url).HasMaxLength(WebhookRules.MaxUrlLength);
        builder.Property(s => s.Events).HasMaxLength(1000);
        builder.Property(s => s.Description).HasMaxLength(WebhookRules.MaxDescriptionLength);
        builder.Property(s => s.ProtectedSecret).HasMaxLength(1000);
        builder.Property(s => s.ProtectedPreviousSecret).HasMaxLength(1000);
        builder.Property(s => s.CreatedBy).HasMaxLength(256);
        builder.Property(s => s.DisabledReason).HasMaxLength(1000);
        builder.Property(s => s.Revision).IsConcurrencyToken();
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.HasKey(d => d.Id);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(d => new { d.SubscriptionId, d.AuditSequence }).IsUnique();
        builder.Property(d => d.EventType).HasMaxLength(64);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(2000);
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        builder.Ignore(d => d.MessageId);
    }
}

internal sealed class WebhookCursorConfiguration : IEntityTypeConfiguration<WebhookCursor>
{
    public void Configure(EntityTypeBuilder<WebhookCursor> builder)
    {
        builder.ToTable("WebhookCursors");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.HasData(new WebhookCursor { Sequence = 0 });
    }
}
