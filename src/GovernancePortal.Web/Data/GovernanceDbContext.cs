using GovernancePortal.Audit;
using GovernancePortal.Identity;
using GovernancePortal.Registry;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace GovernancePortal.Data;

/// <summary>
/// The portal's one model. Each provider derives from it only so that its migrations set can name a context type
/// of its own (EF's multi-provider layout); the model is the same.
/// </summary>
public abstract class GovernanceDbContext(DbContextOptions options, AuditRecorder auditRecorder)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<UserAccount> Users => Set<UserAccount>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Model> Models => Set<Model>();
    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();
    public DbSet<VersionMetric> VersionMetrics => Set<VersionMetric>();
    public DbSet<ModelCardRevision> ModelCardRevisions => Set<ModelCardRevision>();
    public DbSet<Approvals.Promotion> Promotions => Set<Approvals.Promotion>();
    public DbSet<Approvals.PromotionDecisionRecord> PromotionDecisions => Set<Approvals.PromotionDecisionRecord>();
    public DbSet<Approvals.PromotionPolicyVersion> PromotionPolicyVersions => Set<Approvals.PromotionPolicyVersion>();
    public DbSet<Compliance.ChecklistTemplateVersion> ChecklistTemplateVersions => Set<Compliance.ChecklistTemplateVersion>();
    public DbSet<Compliance.ChecklistTemplateItem> ChecklistTemplateItems => Set<Compliance.ChecklistTemplateItem>();
    public DbSet<Compliance.Assessment> Assessments => Set<Compliance.Assessment>();
    public DbSet<Compliance.AssessmentAnswer> AssessmentAnswers => Set<Compliance.AssessmentAnswer>();
    public DbSet<Compliance.AssessmentEvidence> AssessmentEvidence => Set<Compliance.AssessmentEvidence>();
    public DbSet<Compliance.EvidenceContent> EvidenceContents => Set<Compliance.EvidenceContent>();
    public DbSet<Approvals.Rollback> Rollbacks => Set<Approvals.Rollback>();
    public DbSet<Approvals.RetrospectiveReview> RetrospectiveReviews => Set<Approvals.RetrospectiveReview>();
    public DbSet<Retirement.RetirementPlan> RetirementPlans => Set<Retirement.RetirementPlan>();
    public DbSet<Retirement.RetirementReminderSent> RetirementReminders => Set<Retirement.RetirementReminderSent>();
    public DbSet<Notifications.Notification> Notifications => Set<Notifications.Notification>();
    public DbSet<Reports.Report> Reports => Set<Reports.Report>();
    public DbSet<Reports.ReportFile> ReportFiles => Set<Reports.ReportFile>();
    public DbSet<Notifications.OutboxMessage> Outbox => Set<Notifications.OutboxMessage>();
    public DbSet<Notifications.NotificationPreference> NotificationPreferences => Set<Notifications.NotificationPreference>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditHead> AuditHeads => Set<AuditHead>();
    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();
    public DbSet<AuditAlert> AuditAlerts => Set<AuditAlert>();
    public DbSet<AuditVerification> AuditVerifications => Set<AuditVerification>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Audit events waiting for the next SaveChanges; they are written in its transaction.</summary>
    public AuditRecorder Audit { get; } = auditRecorder;

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GovernanceDbContext).Assembly);

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        Audit.SaveWithAuditAsync(this, acceptAllChangesOnSuccess, (accept, ct) => base.SaveChangesAsync(accept, ct), cancellationToken);
}

public sealed class SqliteGovernanceDbContext(DbContextOptions<SqliteGovernanceDbContext> options, AuditRecorder auditRecorder)
    : GovernanceDbContext(options, auditRecorder)
{
    // SQLite cannot compare or order DateTimeOffset text; as UTC ticks it can, in the same order and at full precision
    // (the audit hash covers the timestamp to the microsecond).
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        value => value.UtcTicks, ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
}

public sealed class PostgreSqlGovernanceDbContext(DbContextOptions<PostgreSqlGovernanceDbContext> options, AuditRecorder auditRecorder)
    : GovernanceDbContext(options, auditRecorder);
