using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Registry;

/// <summary>A named, owned machine-learning product; its versions are the registered builds.</summary>
public sealed class Model
{
    public const int KeyMaxLength = 64;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    /// <summary>Stable, URL-safe identifier pipelines use (e.g. <c>credit-default-pd</c>).</summary>
    public required string Key { get; init; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    /// <summary>Username of the owning model owner.</summary>
    public required string Owner { get; set; }
    public string BusinessOwner { get; set; } = "";
    public required string Team { get; set; }
    public string UseCase { get; set; } = "";
    public RiskTier RiskTier { get; set; }
    public DataCategories DataCategories { get; set; }
    /// <summary>The model's data subjects include people in the EU (GDPR's territorial scope).</summary>
    public bool EuDataSubjects { get; set; }
    /// <summary>The model makes solely automated decisions with legal or similarly significant effects (GDPR Art. 22).</summary>
    public bool AutomatedLegalEffect { get; set; }
    /// <summary>Comma-separated, lower-case.</summary>
    public string Tags { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    /// <summary>Optimistic concurrency: every change to the model moves this on, so an edit made on an older state is refused.</summary>
    public int Revision { get; set; }

    public List<ModelVersion> Versions { get; init; } = [];

    public IReadOnlyList<string> TagList => Tags.Length == 0 ? [] : Tags.Split(',');

    /// <summary>What checklist applicability rules ask about this model.</summary>
    public Compliance.ModelAttributes ComplianceAttributes() => new(RiskTier, DataCategories, EuDataSubjects, AutomatedLegalEffect);
}

internal sealed class ModelConfiguration : IEntityTypeConfiguration<Model>
{
    public void Configure(EntityTypeBuilder<Model> builder)
    {
        builder.HasKey(m => m.Id);
        builder.HasIndex(m => m.Key).IsUnique();
        builder.Property(m => m.Key).HasMaxLength(Model.KeyMaxLength);
        builder.Property(m => m.Name).HasMaxLength(200);
        builder.Property(m => m.Description).HasMaxLength(4000);
        builder.Property(m => m.Owner).HasMaxLength(256);
        builder.Property(m => m.BusinessOwner).HasMaxLength(256);
        builder.Property(m => m.Team).HasMaxLength(128);
        builder.Property(m => m.UseCase).HasMaxLength(1000);
        builder.Property(m => m.Tags).HasMaxLength(1000);
        builder.Property(m => m.RiskTier).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.CreatedBy).HasMaxLength(256);
        builder.Property(m => m.Revision).IsConcurrencyToken();
        // The catalogue sorts and pages by name (bench/catalogue: a 10,000-model page query from 19.5 ms to 0.1 ms on SQLite).
        builder.HasIndex(m => m.Name);
        builder.HasIndex(m => m.Team);
        builder.HasIndex(m => m.Owner);
        builder.Ignore(m => m.TagList);
        builder.HasMany(m => m.Versions).WithOne(v => v.Model).HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Restrict);
    }
}
