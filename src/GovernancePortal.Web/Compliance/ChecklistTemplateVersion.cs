using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Compliance;

/// <summary>
/// One version of a checklist template as stored. Immutable: a change is a new version, so an assessment always shows
/// the wording of the template version it was made against.
/// </summary>
public sealed class ChecklistTemplateVersion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string TemplateId { get; init; }
    public required int Version { get; init; }
    public required string Title { get; init; }
    public required string Authority { get; init; }
    /// <summary>Canonical rule text (see <see cref="ApplicabilityRule.ToString"/>).</summary>
    public required string AppliesWhen { get; init; }
    public required string AppliesBecause { get; init; }
    /// <summary>SHA-256 of the template's content, so a seed file edited without a new version number is noticed.</summary>
    public required string ContentSha256 { get; init; }
    /// <summary>Where it came from: the seed file name, or "portal".</summary>
    public required string Source { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }

    public List<ChecklistTemplateItem> Items { get; init; } = [];

    public ChecklistTemplate ToTemplate() => new(TemplateId, Version, Title, Authority, ApplicabilityRule.Parse(AppliesWhen), AppliesBecause,
        Items.OrderBy(i => i.Position).Select(i => i.ToItem()).ToList());

    public static ChecklistTemplateVersion From(ChecklistTemplate template, string source, DateTimeOffset now, string createdBy)
    {
        var version = new ChecklistTemplateVersion
        {
            TemplateId = template.Id,
            Version = template.Version,
            Title = template.Title,
            Authority = template.Authority,
            AppliesWhen = template.AppliesWhen.ToString(),
            AppliesBecause = template.AppliesBecause,
            ContentSha256 = TemplateContent.Sha256(template),
            Source = source,
            CreatedAt = now,
            CreatedBy = createdBy,
        };
        version.Items.AddRange(template.Items.Select((item, index) => new ChecklistTemplateItem
        {
            TemplateVersionId = version.Id,
            Position = index,
            ItemId = item.Id,
            Text = item.Text,
            Guidance = item.Guidance,
            Citation = item.Citation,
            Evidence = item.Evidence,
            Obligation = item.Obligation,
            AppliesWhen = item.AppliesWhen?.ToString(),
        }));
        return version;
    }
}

public sealed class ChecklistTemplateItem
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid TemplateVersionId { get; init; }
    public int Position { get; init; }
    public required string ItemId { get; init; }
    public required string Text { get; init; }
    public required string Guidance { get; init; }
    public required string Citation { get; init; }
    public EvidenceKind Evidence { get; init; }
    public Obligation? Obligation { get; init; }
    public string? AppliesWhen { get; init; }

    public ChecklistItem ToItem() => new(ItemId, Text, Guidance, Citation, Evidence,
        AppliesWhen is null ? null : ApplicabilityRule.Parse(AppliesWhen), Obligation);
}

internal sealed class ChecklistTemplateVersionConfiguration : IEntityTypeConfiguration<ChecklistTemplateVersion>
{
    public void Configure(EntityTypeBuilder<ChecklistTemplateVersion> builder)
    {
        builder.HasKey(t => t.Id);
        builder.HasIndex(t => new { t.TemplateId, t.Version }).IsUnique();
        builder.Property(t => t.TemplateId).HasMaxLength(128);
        builder.Property(t => t.Title).HasMaxLength(200);
        builder.Property(t => t.Authority).HasMaxLength(1000);
        builder.Property(t => t.AppliesWhen).HasMaxLength(ApplicabilityRule.MaxLength);
        builder.Property(t => t.AppliesBecause).HasMaxLength(1000);
        builder.Property(t => t.ContentSha256).HasMaxLength(64).IsFixedLength();
        builder.Property(t => t.Source).HasMaxLength(200);
        builder.Property(t => t.CreatedBy).HasMaxLength(256);
        builder.HasMany(t => t.Items).WithOne().HasForeignKey(i => i.TemplateVersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ChecklistTemplateItemConfiguration : IEntityTypeConfiguration<ChecklistTemplateItem>
{
    public void Configure(EntityTypeBuilder<ChecklistTemplateItem> builder)
    {
        builder.HasKey(i => i.Id);
        builder.HasIndex(i => new { i.TemplateVersionId, i.ItemId }).IsUnique();
        builder.Property(i => i.ItemId).HasMaxLength(128);
        builder.Property(i => i.Text).HasMaxLength(1000);
        builder.Property(i => i.Guidance).HasMaxLength(4000);
        builder.Property(i => i.Citation).HasMaxLength(500);
        builder.Property(i => i.Evidence).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Obligation).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.AppliesWhen).HasMaxLength(ApplicabilityRule.MaxLength);
    }
}
