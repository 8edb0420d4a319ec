using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Registry;

/// <summary>One saved state of a version's model card. Revisions are never changed; the newest is the card.</summary>
public sealed class ModelCardRevision
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid VersionId { get; init; }
    public int Number { get; init; }
    /// <summary>The card as JSON.</summary>
    public required string Content { get; init; }
    /// <summary>The section this revision changed; null when the whole card was replaced (API, import).</summary>
    public ModelCardSection? Section { get; init; }
    public int Completeness { get; init; }
    public DateTimeOffset SavedAt { get; init; }
    public required string SavedBy { get; init; }

    public ModelCard Card => JsonSerializer.Deserialize<ModelCard>(Content, Json) ?? ModelCard.Empty;

    public static string Serialize(ModelCard card) => JsonSerializer.Serialize(card, Json);

    /// <summary>A revision of <paramref name="card"/>, its completeness scored as of the save.</summary>
    public static ModelCardRevision Of(ModelVersion version, int number, ModelCard card, ModelCardSection? section, DateTimeOffset savedAt, string savedBy) => new()
    {
        VersionId = version.Id,
        Number = number,
        Content = Serialize(card),
        Section = section,
        Completeness = ModelCardCompleteness.Score(card, version.Metrics.Count).Score,
        SavedAt = savedAt,
        SavedBy = savedBy,
    };
}

internal sealed class ModelCardRevisionConfiguration : IEntityTypeConfiguration<ModelCardRevision>
{
    public void Configure(EntityTypeBuilder<ModelCardRevision> builder)
    {
        builder.HasKey(r => r.Id);
        // Two editors saving at once both aim for the same number; the index lets exactly one win.
        builder.HasIndex(r => new { r.VersionId, r.Number }).IsUnique();
        builder.Property(r => r.Section).HasConversion<string>().HasMaxLength(40);
        builder.Property(r => r.SavedBy).HasMaxLength(256);
        builder.HasOne<ModelVersion>().WithMany().HasForeignKey(r => r.VersionId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(r => r.Card);
    }
}
