using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Reviews;

/// <summary>
/// One version of the review policy of a risk tier. Rows are never changed: an edit adds the next version, like the
/// promotion policies (ADR-011, ADR-026), so the policy a review was scheduled under stays on record.
/// </summary>
public sealed class ReviewPolicyVersion
{
    public RiskTier RiskTier { get; init; }
    public int Version { get; init; }
    public int? IntervalMonths { get; init; }
    public bool BlocksPromotionsWhenOverdue { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string ChangeNote { get; init; }

    public ReviewPolicy Policy() => new(RiskTier, Version, IntervalMonths, BlocksPromotionsWhenOverdue);
}

/// <summary>
/// The periodic review of a model for one due date: the owner's answers (JSON list of <see cref="ReviewAnswer"/>) and an
/// officer's sign-off or return. Returned answers are answered again on the same row; a signed-off row is settled.
/// </summary>
public sealed class PeriodicReview
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid ModelId { get; init; }
    public Model Model { get; init; } = null!;
    /// <summary>The version in Production when the review was answered: the one it speaks about.</summary>
    public Guid VersionId { get; set; }
    public ModelVersion Version { get; init; } = null!;
    public DateOnly CycleStart { get; init; }
    public DateOnly DueDate { get; init; }
    public int PolicyVersion { get; init; }
    public PeriodicReviewState State { get; set; }
    public required string AnswersJson { get; set; }
    public required string AnsweredBy { get; set; }
    public DateTimeOffset AnsweredAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? DecisionComment { get; set; }
    /// <summary>Optimistic concurrency: an answer and a sign-off, or two sign-offs, cannot both win.</summary>
    public int Revision { get; set; }
}

/// <summary>A reminder sent for a model's review due on a date; its key makes it go once across restarts and instances.</summary>
public sealed class ReviewReminderSent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid ModelId { get; init; }
    public DateOnly DueDate { get; init; }
    public required string Kind { get; init; }
    public DateTimeOffset SentAt { get; init; }
    public required string Recipients { get; init; }
}

internal sealed class ReviewPolicyVersionConfiguration : IEntityTypeConfiguration<ReviewPolicyVersion>
{
    public void Configure(EntityTypeBuilder<ReviewPolicyVersion> builder)
    {
        builder.HasKey(p => new { p.RiskTier, p.Version });
        builder.Property(p => p.RiskTier).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.CreatedBy).HasMaxLength(256);
        builder.Property(p => p.ChangeNote).HasMaxLength(500);
        foreach (var property in builder.Metadata.GetProperties())
        {
            property.SetAfterSaveBehavior(PropertySaveBehavior.Throw);
        }
    }
}

internal sealed class PeriodicReviewConfiguration : IEntityTypeConfiguration<PeriodicReview>
{
    public void Configure(EntityTypeBuilder<PeriodicReview> builder)
    {
        builder.HasKey(r => r.Id);
        // One review per model and due date: two owners answering at once collide here.
        builder.HasIndex(r => new { r.ModelId, r.DueDate }).IsUnique();
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.AnswersJson).HasMaxLength(20000);
        builder.Property(r => r.AnsweredBy).HasMaxLength(256);
        builder.Property(r => r.DecidedBy).HasMaxLength(256);
        builder.Property(r => r.DecisionComment).HasMaxLength(ReviewRules.MaxCommentLength);
        builder.Property(r => r.Revision).IsConcurrencyToken();
        builder.HasOne(r => r.Model).WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.Version).WithMany().HasForeignKey(r => r.VersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ReviewReminderSentConfiguration : IEntityTypeConfiguration<ReviewReminderSent>
{
    public void Configure(EntityTypeBuilder<ReviewReminderSent> builder)
    {
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.ModelId, r.DueDate, r.Kind }).IsUnique();
        builder.Property(r => r.Kind).HasMaxLength(32);
        builder.Property(r => r.Recipients).HasMaxLength(6000);
        builder.HasOne<Model>().WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
    }
}
