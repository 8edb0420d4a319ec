using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Audit;

/// <summary>
/// What one verification run covered and found: the events it read (all, or those after the checkpoint an incremental run
/// started from), the checkpoint it reached, and its outcome. Append-only: the next incremental run starts from the
/// latest valid one's checkpoint (ADR-025).
/// </summary>
public sealed class AuditVerification
{
    public long Id { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    /// <summary>True when every event was read; false for a run from a checkpoint verified earlier.</summary>
    public bool Full { get; init; }
    /// <summary>The first event read (1 for a full run).</summary>
    public long FromSequence { get; init; }
    /// <summary>The last event read, the head the run ended at.</summary>
    public long ToSequence { get; init; }
    /// <summary>The checkpoint an incremental run started from (null for a full run).</summary>
    public long? StartCheckpoint { get; init; }
    /// <summary>The largest checkpoint that verified, where the next incremental run may start.</summary>
    public long? LatestCheckpoint { get; init; }
    public bool Valid { get; init; }
    public string? Fault { get; init; }
    public long? FirstInvalidSequence { get; init; }
    public required string Reason { get; init; }
    /// <summary>Who asked: the daily job, a person on the page, the command line, the API.</summary>
    public required string Trigger { get; init; }
}

internal sealed class AuditVerificationConfiguration : IEntityTypeConfiguration<AuditVerification>
{
    public void Configure(EntityTypeBuilder<AuditVerification> builder)
    {
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Fault).HasMaxLength(32);
        builder.Property(v => v.Reason).HasMaxLength(1000);
        builder.Property(v => v.Trigger).HasMaxLength(64);
        builder.HasIndex(v => new { v.Valid, v.Id });
    }
}
