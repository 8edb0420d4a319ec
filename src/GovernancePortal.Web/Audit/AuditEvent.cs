using GovernancePortal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Audit;

/// <summary>One append-only row of the audit trail. The database refuses updates and deletes.</summary>
public sealed class AuditEvent
{
    public long Sequence { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public required string ActorOid { get; init; }
    public required string ActorUsername { get; init; }
    /// <summary>Roles at that moment, comma-separated in the order they were hashed.</summary>
    public required string ActorRoles { get; init; }
    public string? ActorApiKey { get; init; }
    public required string Action { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public required string Payload { get; init; }
    public string? CorrelationId { get; init; }
    public string? ClientAddress { get; init; }
    public required string PreviousHash { get; init; }
    public required string Hash { get; init; }

    public AuditRecord ToRecord() => new(
        Sequence, Timestamp, ActorOf(ActorOid, ActorUsername, ActorRoles, ActorApiKey),
        Action, EntityType, EntityId, Payload, CorrelationId, ClientAddress);

    internal static AuditActor ActorOf(string oid, string username, string roles, string? apiKey) =>
        new(oid, username, roles.Length == 0 ? [] : roles.Split(','), apiKey);

    public static AuditEvent From(AuditRecord record, string previousHash, string hash) => new()
    {
        Sequence = record.Sequence,
        Timestamp = record.Timestamp,
        ActorOid = record.Actor.Oid,
        ActorUsername = record.Actor.Username,
        ActorRoles = string.Join(',', record.Actor.Roles),
        ActorApiKey = record.Actor.ApiKeyLabel,
        Action = record.Action,
        EntityType = record.EntityType,
        EntityId = record.EntityId,
        Payload = record.Payload,
        CorrelationId = record.CorrelationId,
        ClientAddress = record.ClientAddress,
        PreviousHash = previousHash,
        Hash = hash,
    };
}

/// <summary>The chain's head: the one row every append locks, so that concurrent writers cannot fork the chain.</summary>
public sealed class AuditHead
{
    public const int SingletonId = 1;
    public int Id { get; init; } = SingletonId;
    public long Sequence { get; set; }
    public string Hash { get; set; } = AuditRecord.GenesisHash;
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.ActorOid).HasMaxLength(128);
        builder.Property(e => e.ActorUsername).HasMaxLength(256);
        builder.Property(e => e.ActorRoles).HasMaxLength(256);
        builder.Property(e => e.ActorApiKey).HasMaxLength(128);
        builder.Property(e => e.Action).HasMaxLength(128);
        builder.Property(e => e.EntityType).HasMaxLength(128);
        builder.Property(e => e.EntityId).HasMaxLength(256);
        builder.Property(e => e.CorrelationId).HasMaxLength(128);
        builder.Property(e => e.ClientAddress).HasMaxLength(64);
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsFixedLength();
        builder.Property(e => e.Hash).HasMaxLength(64).IsFixedLength();
        // Indexes only for what the portal looks up (time ranges, an entity's history, actions and their list); every
        // audited write pays for each one. The auditor's actor filter matches case-insensitively and scans.
        builder.HasIndex(e => e.Timestamp);
        builder.HasIndex(e => new { e.EntityType, e.EntityId });
        builder.HasIndex(e => e.Action);
    }
}

internal sealed class AuditHeadConfiguration : IEntityTypeConfiguration<AuditHead>
{
    public void Configure(EntityTypeBuilder<AuditHead> builder)
    {
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).ValueGeneratedNever();
        builder.Property(h => h.Hash).HasMaxLength(64).IsFixedLength();
        // An append that did not lock the row moves the head only from the state it expects (AuditRecorder).
        builder.Property(h => h.Sequence).IsConcurrencyToken();
        builder.Property(h => h.Hash).IsConcurrencyToken();
        builder.HasData(new AuditHead { Id = AuditHead.SingletonId, Sequence = 0, Hash = AuditRecord.GenesisHash });
    }
}
