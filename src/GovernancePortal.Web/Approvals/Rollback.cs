using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Approvals;

/// <summary>
/// An emergency rollback: started by one person with a reason, confirmed by a second from the other side
/// (<see cref="RollbackRules"/>); on confirmation <see cref="FromVersion"/> leaves Production and <see cref="ToVersion"/>
/// returns. The record is what justifies those two stage changes.
/// </summary>
public sealed class Rollback
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid ModelId { get; init; }
    public Model Model { get; init; } = null!;
    public required Guid FromVersionId { get; init; }
    public ModelVersion FromVersion { get; init; } = null!;
    public required Guid ToVersionId { get; init; }
    public ModelVersion ToVersion { get; init; } = null!;
    public required string Reason { get; init; }
    public required string StartedBy { get; init; }
    /// <summary>The side the starter took: ModelOwner or ComplianceOfficer.</summary>
    public required string StartedRole { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public RollbackState State { get; set; }
    /// <summary>Who confirmed or cancelled.</summary>
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    /// <summary>Optimistic concurrency: two confirmations, or a confirmation and a cancellation, cannot both win.</summary>
    public int Revision { get; set; }
}

/// <summary>Opened by every confirmed rollback; stays in the approvals inbox until a ComplianceOfficer closes it with findings.</summary>
public sealed class RetrospectiveReview
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid RollbackId { get; init; }
    public Rollback Rollback { get; init; } = null!;
    public DateTimeOffset OpenedAt { get; init; }
    public ReviewState State { get; set; }
    public string? Findings { get; set; }
    public string? ClosedBy { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int Revision { get; set; }
}

internal sealed class RollbackConfiguration : IEntityTypeConfiguration<Rollback>
{
    public void Configure(EntityTypeBuilder<Rollback> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Reason).HasMaxLength(RollbackRules.ReasonMaxLength);
        builder.Property(r => r.StartedBy).HasMaxLength(256);
        builder.Property(r => r.StartedRole).HasMaxLength(64);
        builder.Property(r => r.DecidedBy).HasMaxLength(256);
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Revision).IsConcurrencyToken();
        builder.HasIndex(r => new { r.ModelId, r.State });
        builder.HasIndex(r => new { r.State, r.StartedAt });
        builder.HasOne(r => r.Model).WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.FromVersion).WithMany().HasForeignKey(r => r.FromVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(r => r.ToVersion).WithMany().HasForeignKey(r => r.ToVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RetrospectiveReviewConfiguration : IEntityTypeConfiguration<RetrospectiveReview>
{
    public void Configure(EntityTypeBuilder<RetrospectiveReview> builder)
    {
        builder.HasKey(r => r.Id);
        // One retrospective per rollback, even if two confirmations raced past the application's checks.
        builder.HasIndex(r => r.RollbackId).IsUnique();
        builder.HasIndex(r => new { r.State, r.OpenedAt });
        builder.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Findings).HasMaxLength(RollbackRules.ReasonMaxLength);
        builder.Property(r => r.ClosedBy).HasMaxLength(256);
        builder.Property(r => r.Revision).IsConcurrencyToken();
        builder.HasOne(r => r.Rollback).WithMany().HasForeignKey(r => r.RollbackId).OnDelete(DeleteBehavior.Restrict);
    }
}
