using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Identity;

/// <summary>A portal-issued key for pipelines. Only its SHA-256 is stored; the key itself is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid UserId { get; init; }
    public UserAccount User { get; init; } = null!;
    public required string Label { get; init; }
    /// <summary>The public part of the key, used to find it; shown in lists.</summary>
    public required string Prefix { get; init; }
    [AuditRedacted]
    public required string SecretHash { get; init; }
    public required string CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }

    public bool IsActive => RevokedAt is null;
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.HasKey(k => k.Id);
        builder.HasIndex(k => k.Prefix).IsUnique();
        builder.Property(k => k.Label).HasMaxLength(100);
        builder.Property(k => k.Prefix).HasMaxLength(32);
        builder.Property(k => k.SecretHash).HasMaxLength(64).IsFixedLength();
        builder.Property(k => k.CreatedBy).HasMaxLength(256);
        builder.Property(k => k.RevokedBy).HasMaxLength(256);
        builder.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(k => k.IsActive);
    }
}
