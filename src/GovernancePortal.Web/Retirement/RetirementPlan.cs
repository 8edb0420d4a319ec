using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Retirement;

/// <summary>
/// The retirement plan of one version (issue 15, item 1): one row per version, changed in place and audited with the
/// plan before and after; a cancelled plan is planned again on the same row.
/// </summary>
public sealed class RetirementPlan
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid VersionId { get; init; }
    public ModelVersion Version { get; init; } = null!;
    public DateOnly PlannedDate { get; set; }
    public RetirementReason Reason { get; set; }
    public Guid? SuccessorVersionId { get; set; }
    public ModelVersion? Successor { get; set; }
    public string? NoSuccessorReason { get; set; }
    public string Note { get; set; } = "";
    /// <summary>Usernames told besides the owner and the business owner, comma-separated.</summary>
    public string Notify { get; set; } = "";
    public RetirementState State { get; set; }
    public string? CancelReason { get; set; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public DateOnly? RetentionUntil { get; set; }
    public string? RetentionBasis { get; set; }
    /// <summary>Optimistic concurrency: two edits, or an edit and a decommission, cannot both win.</summary>
    public int Revision { get; set; }

    public IReadOnlyList<string> NotifyList => Notify.Length == 0 ? [] : Notify.Split(',');
}

/// <summary>
/// A reminder sent for a plan. The key (plan, planned date, kind) is what makes it go once: the row is inserted in the
/// notification's transaction, so a second instance or a rerun after a restart collides here and sends nothing.
/// </summary>
public sealed class RetirementReminderSent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PlanId { get; init; }
    public DateOnly PlannedDate { get; init; }
    public required string Kind { get; init; }
    public DateTimeOffset SentAt { get; init; }
    public required string Recipients { get; init; }
}

internal sealed class RetirementPlanConfiguration : IEntityTypeConfiguration<RetirementPlan>
{
    public void Configure(EntityTypeBuilder<RetirementPlan> builder)
    {
        builder.HasKey(p => p.Id);
        builder.HasIndex(p => p.VersionId).IsUnique();
        builder.HasIndex(p => new { p.State, p.PlannedDate });
        builder.Property(p => p.Reason).HasConversion<string>().HasMaxLength(32);
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.NoSuccessorReason).HasMaxLength(RetirementRules.MaxReasonLength);
        builder.Property(p => p.Note).HasMaxLength(RetirementRules.MaxNoteLength);
        builder.Property(p => p.Notify).HasMaxLength(6000);
        builder.Property(p => p.CancelReason).HasMaxLength(RetirementRules.MaxReasonLength);
        builder.Property(p => p.CreatedBy).HasMaxLength(256);
        builder.Property(p => p.UpdatedBy).HasMaxLength(256);
        builder.Property(p => p.RetentionBasis).HasMaxLength(200);
        builder.Property(p => p.Revision).IsConcurrencyToken();
        builder.Ignore(p => p.NotifyList);
        builder.HasOne(p => p.Version).WithMany().HasForeignKey(p => p.VersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(p => p.Successor).WithMany().HasForeignKey(p => p.SuccessorVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RetirementReminderSentConfiguration : IEntityTypeConfiguration<RetirementReminderSent>
{
    public void Configure(EntityTypeBuilder<RetirementReminderSent> builder)
    {
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.PlanId, r.PlannedDate, r.Kind }).IsUnique();
        builder.Property(r => r.Kind).HasMaxLength(32);
        builder.Property(r => r.Recipients).HasMaxLength(6000);
        builder.HasOne<RetirementPlan>().WithMany().HasForeignKey(r => r.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}
