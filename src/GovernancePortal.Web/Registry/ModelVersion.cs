using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Registry;

/// <summary>An immutable registered build of a model; only its stage (and later its card) change.</summary>
public sealed class ModelVersion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid ModelId { get; init; }
    public Model Model { get; init; } = null!;
    public int Major { get; init; }
    public int Minor { get; init; }
    public int Pipeline { get; init; }
    public ChangeKind ChangeKind { get; init; }
    public required string ChangeReason { get; init; }
    public required string ArtifactUri { get; init; }
    public required string ArtifactSha256 { get; init; }
    public Stage Stage { get; set; }
    public DateTimeOffset StageChangedAt { get; set; }
    public DateTimeOffset RegisteredAt { get; init; }
    public required string RegisteredBy { get; init; }

    public string? CodeRepository { get; init; }
    public string? CodeCommit { get; init; }
    public string? DataSnapshotId { get; init; }
    public string? DataSnapshotHash { get; init; }
    public string? PipelineRunId { get; init; }
    public string? PipelineRunUrl { get; init; }
    public string? ParentVersion { get; init; }
    public string? EnvironmentDigest { get; init; }

    public List<VersionMetric> Metrics { get; init; } = [];

    /// <summary>
    /// The version has a retirement plan that is not cancelled, so checklists that apply when a retirement is planned
    /// (decommission) apply to it. Not stored: read from the plans by <see cref="RegistryQueries.WithRetirementAsync"/>.
    /// </summary>
    public bool RetirementPlanned { get; set; }

    /// <summary>What checklist applicability rules ask about this version: its model's facts and whether its retirement is planned.</summary>
    public Compliance.ModelAttributes ComplianceAttributes() => Model.ComplianceAttributes() with { RetirementPlanned = RetirementPlanned };

    /// <summary>Optimistic concurrency: stage changes racing each other must not both win.</summary>
    public int ConcurrencyStamp { get; set; }

    public VersionNumber Number => new(Major, Minor, Pipeline);
}

internal sealed class ModelVersionConfiguration : IEntityTypeConfiguration<ModelVersion>
{
    public void Configure(EntityTypeBuilder<ModelVersion> builder)
    {
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => new { v.ModelId, v.Major, v.Minor, v.Pipeline }).IsUnique();
        builder.HasIndex(v => v.Stage);
        // "The version in production" of each model, looked up per catalogue row and per promotion.
        builder.HasIndex(v => new { v.ModelId, v.Stage });
        builder.Property(v => v.Stage).HasConversion<string>().HasMaxLength(16);
        builder.Property(v => v.ChangeKind).HasConversion<string>().HasMaxLength(32);
        builder.Property(v => v.ChangeReason).HasMaxLength(2000);
        builder.Property(v => v.ArtifactUri).HasMaxLength(2000);
        builder.Property(v => v.ArtifactSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(v => v.RegisteredBy).HasMaxLength(256);
        builder.Property(v => v.CodeRepository).HasMaxLength(2000);
        builder.Property(v => v.CodeCommit).HasMaxLength(64);
        builder.Property(v => v.DataSnapshotId).HasMaxLength(256);
        builder.Property(v => v.DataSnapshotHash).HasMaxLength(128);
        builder.Property(v => v.PipelineRunId).HasMaxLength(256);
        builder.Property(v => v.PipelineRunUrl).HasMaxLength(2000);
        builder.Property(v => v.ParentVersion).HasMaxLength(32);
        builder.Property(v => v.EnvironmentDigest).HasMaxLength(128);
        builder.Property(v => v.ConcurrencyStamp).IsConcurrencyToken();
        builder.Ignore(v => v.Number);
        builder.Ignore(v => v.RetirementPlanned);
    }
}
