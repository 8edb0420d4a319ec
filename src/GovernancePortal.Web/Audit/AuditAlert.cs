using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Audit;

/// <summary>Raised when scheduled verification finds the audit log damaged; stays open until someone resolves it.</summary>
public sealed class AuditAlert
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public DateTimeOffset RaisedAt { get; init; }
    public required string Fault { get; init; }
    public long? FirstInvalidSequence { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? Resolution { get; set; }
}

internal sealed class AuditAlertConfiguration : IEntityTypeConfiguration<AuditAlert>
{
    public void Configure(EntityTypeBuilder<AuditAlert> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Fault).HasMaxLength(32);
        builder.Property(a => a.Reason).HasMaxLength(1000);
        builder.Property(a => a.ResolvedBy).HasMaxLength(256);
        builder.Property(a => a.Resolution).HasMaxLength(2000);
        builder.HasIndex(a => a.ResolvedAt);
    }
}
