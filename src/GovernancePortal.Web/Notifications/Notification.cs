using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Notifications;

/// <summary>
/// An in-app inbox entry for one person. Exempt from auditing: it is written in the same SaveChanges as the audited
/// event that caused it, and marking it read changes nothing anyone governs.
/// </summary>
[AuditExempt]
public sealed class Notification
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Recipient { get; init; }
    /// <summary>What happened, e.g. <c>promotion.needs-approval</c>; channels and filters key on it.</summary>
    public required string Kind { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    /// <summary>A portal path to act from, e.g. <c>/approvals/{id}</c>.</summary>
    public required string Link { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; set; }
    /// <summary>When what it asked for was settled (decided, confirmed, closed, signed off); a done notification is also read.</summary>
    public DateTimeOffset? DoneAt { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Recipient).HasMaxLength(256);
        builder.Property(n => n.Kind).HasMaxLength(64);
        builder.Property(n => n.Title).HasMaxLength(300);
        builder.Property(n => n.Body).HasMaxLength(4000);
        builder.Property(n => n.Link).HasMaxLength(500);
        // The header's unread count and the inbox, newest first, per person.
        builder.HasIndex(n => new { n.Recipient, n.ReadAt });
        builder.HasIndex(n => new { n.Recipient, n.CreatedAt });
    }
}
