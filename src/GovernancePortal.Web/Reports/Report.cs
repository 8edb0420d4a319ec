using GovernancePortal.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Reports;

public enum ReportKind
{
    VersionDossier,
    AnnexIv,
    Portfolio,
    AuditTrail,
}

public enum ReportStatus
{
    Queued,
    Running,
    Ready,
    Failed,
}

/// <summary>
/// A report request and, once printed, the facts of its file. Its meaningful moments (requested, generated, failed,
/// downloaded) are recorded as audit events explicitly; progress while it runs is housekeeping, saved without one.
/// </summary>
[AuditExempt]
public sealed class Report
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public ReportKind Kind { get; init; }
    /// <summary>What the report is about, as its header prints it: "credit-scoring 1.2.0", "Production as of 2026-12-01".</summary>
    public required string Subject { get; init; }
    /// <summary>The request as sent (model, version, asOf, from, to), JSON.</summary>
    public required string Parameters { get; init; }
    public ReportStatus Status { get; set; }
    public int Progress { get; set; }
    public required string RequestedBy { get; init; }
    public DateTimeOffset RequestedAt { get; init; }
    public DateTimeOffset? GeneratedAt { get; set; }
    public string? Sha256 { get; set; }
    public long? AuditHeadSequence { get; set; }
    public string? AuditHeadHash { get; set; }
    public string? Failure { get; set; }
}

/// <summary>The printed PDF. Written once with its report's generation event; the database refuses UPDATE and DELETE.</summary>
public sealed class ReportFile
{
    public Guid ReportId { get; init; }
    public required byte[] Content { get; init; }
    public required string Sha256 { get; init; }
}

internal sealed class ReportConfiguration : IEntityTypeConfiguration<Report>
{
    public void Configure(EntityTypeBuilder<Report> builder)
    {
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Subject).HasMaxLength(300);
        builder.Property(r => r.Parameters).HasMaxLength(2000);
        builder.Property(r => r.RequestedBy).HasMaxLength(256);
        builder.Property(r => r.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.AuditHeadHash).HasMaxLength(64).IsFixedLength();
        builder.Property(r => r.Failure).HasMaxLength(2000);
        builder.HasIndex(r => r.Sha256);
        builder.HasIndex(r => new { r.Kind, r.RequestedAt });
        builder.HasIndex(r => r.Status);
    }
}

internal sealed class ReportFileConfiguration : IEntityTypeConfiguration<ReportFile>
{
    public void Configure(EntityTypeBuilder<ReportFile> builder)
    {
        builder.HasKey(f => f.ReportId);
        builder.Property(f => f.ReportId).ValueGeneratedNever();
        builder.Property(f => f.Sha256).HasMaxLength(64).IsFixedLength();
        builder.HasOne<Report>().WithOne().HasForeignKey<ReportFile>(f => f.ReportId).OnDelete(DeleteBehavior.Restrict);
    }
}
