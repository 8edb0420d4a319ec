using GovernancePortal.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Compliance;

/// <summary>A template version applied to a model version: the owner's answers, their evidence and the officers' review.</summary>
public sealed class Assessment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid VersionId { get; init; }
    public ModelVersion Version { get; init; } = null!;
    public required Guid TemplateVersionId { get; init; }
    public ChecklistTemplateVersion TemplateVersion { get; init; } = null!;
    /// <summary>The template's id, kept here so a version's assessments of one template are found without the join.</summary>
    public required string TemplateId { get; init; }
    public AssessmentStatus Status { get; set; }
    public DateTimeOffset StartedAt { get; init; }
    public required string StartedBy { get; init; }
    /// <summary>The earlier version's assessment whose answers this one started from.</summary>
    public Guid? CarriedOverFrom { get; init; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public string? SubmittedBy { get; set; }
    public DateTimeOffset? SignedOffAt { get; set; }
    public string? SignedOffBy { get; set; }
    /// <summary>The last sign-off an answer change voided, kept so the page can say so.</summary>
    public DateTimeOffset? VoidedAt { get; set; }
    public string? VoidedBy { get; set; }
    public string? VoidReason { get; set; }

    /// <summary>Optimistic concurrency over the whole assessment: every change to it or its items moves this on.</summary>
    public int Revision { get; set; }

    public List<AssessmentAnswer> Answers { get; init; } = [];
    public List<AssessmentEvidence> Evidence { get; init; } = [];
}

public sealed class AssessmentAnswer
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid AssessmentId { get; init; }
    public required string ItemId { get; init; }
    public AnswerValue Answer { get; set; }
    public string? Justification { get; set; }
    public required string AnsweredBy { get; set; }
    public DateTimeOffset AnsweredAt { get; set; }
    /// <summary>Copied from an earlier version's assessment; the owner must confirm it before sign-off.</summary>
    public bool CarriedOver { get; set; }
    public ReviewState Review { get; set; }
    public string? ReviewComment { get; set; }
    public string? ReviewedBy { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
    /// <summary>Moves on with every change, so a review applies to the answer the officer saw.</summary>
    public int Revision { get; set; }
}

public enum EvidenceType
{
    Link = 0,
    File = 1,
}

/// <summary>A link or an uploaded file supporting an item's answer. The file's bytes live in <see cref="EvidenceContent"/>.</summary>
public sealed class AssessmentEvidence
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid AssessmentId { get; init; }
    public required string ItemId { get; init; }
    public EvidenceType Type { get; init; }
    public string? Url { get; init; }
    public string? FileName { get; init; }
    /// <summary>The type the bytes showed when uploaded, not what the browser claimed.</summary>
    public string? ContentType { get; init; }
    public long? SizeBytes { get; init; }
    public string? Sha256 { get; init; }
    /// <summary>Carried-over evidence shares the earlier file's bytes.</summary>
    public Guid? ContentId { get; init; }
    public required string AddedBy { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}

/// <summary>An uploaded evidence file's bytes; its hash, name and type are on the evidence rows that refer to it.</summary>
public sealed class EvidenceContent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required byte[] Bytes { get; init; }
}

internal sealed class AssessmentConfiguration : IEntityTypeConfiguration<Assessment>
{
    public void Configure(EntityTypeBuilder<Assessment> builder)
    {
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.VersionId, a.TemplateVersionId }).IsUnique();
        builder.HasIndex(a => new { a.VersionId, a.TemplateId });
        builder.HasIndex(a => a.Status);
        builder.Property(a => a.TemplateId).HasMaxLength(128);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.StartedBy).HasMaxLength(256);
        builder.Property(a => a.SubmittedBy).HasMaxLength(256);
        builder.Property(a => a.SignedOffBy).HasMaxLength(256);
        builder.Property(a => a.VoidedBy).HasMaxLength(256);
        builder.Property(a => a.VoidReason).HasMaxLength(1000);
        builder.Property(a => a.Revision).IsConcurrencyToken();
        builder.HasOne(a => a.Version).WithMany().HasForeignKey(a => a.VersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.TemplateVersion).WithMany().HasForeignKey(a => a.TemplateVersionId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Assessment>().WithMany().HasForeignKey(a => a.CarriedOverFrom).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(a => a.Answers).WithOne().HasForeignKey(a => a.AssessmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(a => a.Evidence).WithOne().HasForeignKey(e => e.AssessmentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AssessmentAnswerConfiguration : IEntityTypeConfiguration<AssessmentAnswer>
{
    public void Configure(EntityTypeBuilder<AssessmentAnswer> builder)
    {
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.AssessmentId, a.ItemId }).IsUnique();
        builder.Property(a => a.ItemId).HasMaxLength(128);
        builder.Property(a => a.Answer).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Justification).HasMaxLength(AssessmentRules.MaxJustificationLength);
        builder.Property(a => a.AnsweredBy).HasMaxLength(256);
        builder.Property(a => a.Review).HasConversion<string>().HasMaxLength(24);
        builder.Property(a => a.ReviewComment).HasMaxLength(AssessmentRules.MaxCommentLength);
        builder.Property(a => a.ReviewedBy).HasMaxLength(256);
        builder.Property(a => a.Revision).IsConcurrencyToken();
    }
}

internal sealed class AssessmentEvidenceConfiguration : IEntityTypeConfiguration<AssessmentEvidence>
{
    public void Configure(EntityTypeBuilder<AssessmentEvidence> builder)
    {
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.AssessmentId, e.ItemId });
        builder.Property(e => e.ItemId).HasMaxLength(128);
        builder.Property(e => e.Type).HasConversion<string>().HasMaxLength(8);
        builder.Property(e => e.Url).HasMaxLength(AssessmentRules.MaxUrlLength);
        builder.Property(e => e.FileName).HasMaxLength(EvidenceFiles.MaxFileNameLength);
        builder.Property(e => e.ContentType).HasMaxLength(128);
        builder.Property(e => e.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(e => e.AddedBy).HasMaxLength(256);
        builder.HasOne<EvidenceContent>().WithMany().HasForeignKey(e => e.ContentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EvidenceContentConfiguration : IEntityTypeConfiguration<EvidenceContent>
{
    public void Configure(EntityTypeBuilder<EvidenceContent> builder)
    {
        builder.HasKey(c => c.Id);
        builder.ToTable("EvidenceContents");
    }
}
