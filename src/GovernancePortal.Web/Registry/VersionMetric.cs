using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Registry;

/// <summary>A measured quality of a version on a dataset and slice, optionally held to a threshold.</summary>
public sealed class VersionMetric
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid VersionId { get; init; }
    public required string Name { get; init; }
    public double Value { get; init; }
    public required string Dataset { get; init; }
    /// <summary>The population the value holds for; "overall" when not sliced.</summary>
    public required string Slice { get; init; }
    public double? Threshold { get; init; }
    public bool HigherIsBetter { get; init; } = true;

    /// <summary>Null when no threshold is set.</summary>
    public bool? PassesThreshold => Threshold is { } t ? (HigherIsBetter ? Value >= t : Value <= t) : null;

    public MeasuredMetric ToMeasured() => new(Name, Dataset, Slice, Value, Threshold, HigherIsBetter);
}

internal sealed class VersionMetricConfiguration : IEntityTypeConfiguration<VersionMetric>
{
    public void Configure(EntityTypeBuilder<VersionMetric> builder)
    {
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(100);
        builder.Property(m => m.Dataset).HasMaxLength(200);
        builder.Property(m => m.Slice).HasMaxLength(200);
        builder.HasIndex(m => new { m.VersionId, m.Name, m.Dataset, m.Slice }).IsUnique();
        builder.HasOne<ModelVersion>().WithMany(v => v.Metrics).HasForeignKey(m => m.VersionId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(m => m.PassesThreshold);
    }
}
