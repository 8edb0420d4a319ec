using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Approvals;

/// <summary>A request to move a version to a stage, judged under the policy version it records.</summary>
public sealed class Promotion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid VersionId { get; init; }
    public ModelVersion Version { get; init; } = null!;
    public Stage FromStage { get; init; }
    public Stage TargetStage { get; init; }
    public required string Requester { get; init; }
    public required string Justification { get; init; }
    public PromotionRequestState State { get; set; }
    public int PolicyVersion { get; init; }
    /// <summary>The policy as it was when the request was made, so a later policy edit cannot change the judgement.</summary>
    public required string PolicyJson { get; init; }
    /// <summary>The gate results that held at the last transition.</summary>
    public required string GatesJson { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? DecidedAt { get; set; }
    public List<PromotionDecisionRecord> Decisions { get; init; } = [];
    /// <summary>Optimistic concurrency: two decisions, or a decision and a withdrawal, cannot both win.</summary>
    public int Revision { get; set; }
}

public sealed class PromotionDecisionRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PromotionId { get; init; }
    public required string Approver { get; init; }
    public required string Role { get; init; }
    public Verdict Verdict { get; init; }
    public string? Comment { get; init; }
    public DateTimeOffset At { get; init; }
}

internal sealed class PromotionConfiguration : IEntityTypeConfiguration<Promotion>
{
    public void Configure(EntityTypeBuilder<Promotion> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.FromStage).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.TargetStage).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.Requester).HasMaxLength(256);
        builder.Property(p => p.Justification).HasMaxLength(4000);
        builder.Property(p => p.Revision).IsConcurrencyToken();
        builder.HasIndex(p => new { p.State, p.CreatedAt });
        builder.HasIndex(p => p.VersionId);
        // One open request per version: two requests made at once both pass the service's check, so the database decides.
        builder.HasIndex(p => p.VersionId, "IX_Promotions_VersionId_Pending").IsUnique().HasFilter("\"State\" = 'Pending'");
        builder.HasOne(p => p.Version).WithMany().HasForeignKey(p => p.VersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Decisions).WithOne().HasForeignKey(d => d.PromotionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromotionDecisionConfiguration : IEntityTypeConfiguration<PromotionDecisionRecord>
{
    public void Configure(EntityTypeBuilder<PromotionDecisionRecord> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Approver).HasMaxLength(256);
        builder.Property(d => d.Role).HasMaxLength(64);
        builder.Property(d => d.Verdict).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.Comment).HasMaxLength(4000);
        // One person fills one slot: the database backs the workflow rule.
        builder.HasIndex(d => new { d.PromotionId, d.Approver }).IsUnique();
    }
}
