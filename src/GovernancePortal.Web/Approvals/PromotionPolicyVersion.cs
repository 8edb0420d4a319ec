using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Approvals;

/// <summary>
/// One version of the promotion policy for a target stage and risk tier. Rows are never changed: an edit adds the next
/// version, so the history stays complete and the highest version is the one new requests are judged under.
/// </summary>
public sealed class PromotionPolicyVersion
{
    public Stage TargetStage { get; init; }
    public RiskTier RiskTier { get; init; }
    public int Version { get; init; }
    /// <summary>The policy as <see cref="PromotionService.SerializePolicy"/> writes it, the same text a request snapshots.</summary>
    public required string PolicyJson { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string ChangeNote { get; init; }

    /// <summary>The stored policy; its stage, tier and version are the row's, whatever the JSON says.</summary>
    public PromotionPolicy Policy() =>
        PromotionService.DeserializePolicy(PolicyJson) with { TargetStage = TargetStage, RiskTier = RiskTier, Version = Version };

    public static PromotionPolicyVersion Of(PromotionPolicy policy, string createdBy, DateTimeOffset createdAt, string changeNote) => new()
    {
        TargetStage = policy.TargetStage,
        RiskTier = policy.RiskTier,
        Version = policy.Version,
        PolicyJson = PromotionService.SerializePolicy(policy),
        CreatedBy = createdBy,
        CreatedAt = createdAt,
        ChangeNote = changeNote,
    };
}

internal sealed class PromotionPolicyVersionConfiguration : IEntityTypeConfiguration<PromotionPolicyVersion>
{
    public void Configure(EntityTypeBuilder<PromotionPolicyVersion> builder)
    {
        // The natural key: two officers saving version N+1 at once collide here, and only one wins.
        builder.HasKey(p => new { p.TargetStage, p.RiskTier, p.Version });
        builder.Property(p => p.TargetStage).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.RiskTier).HasConversion<string>().HasMaxLength(16);
        builder.Property(p => p.CreatedBy).HasMaxLength(256);
        builder.Property(p => p.ChangeNote).HasMaxLength(PolicyEditing.MaxChangeNoteLength);
        // Immutable rows: EF refuses to write a change to a saved version.
        foreach (var property in builder.Metadata.GetProperties())
        {
            property.SetAfterSaveBehavior(PropertySaveBehavior.Throw);
        }
    }
}
