using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GovernancePortal.Audit;

/// <summary>A signed Merkle root over the first <see cref="TreeSize"/> events. Append-only like the events.</summary>
public sealed class AuditCheckpoint
{
    public long TreeSize { get; init; }
    public required string RootHash { get; init; }
    public required string HeadHash { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    /// <summary>ECDSA P-256 over the checkpoint statement, IEEE P1363, base64.</summary>
    public required string Signature { get; init; }
    /// <summary>SHA-256 of the signing key's SubjectPublicKeyInfo, so rotated keys stay identifiable.</summary>
    public required string KeyId { get; init; }
    /// <summary>
    /// The hashes of the events this checkpoint added (raw 32 bytes each, those after the previous checkpoint), so that
    /// verification can name the first event rewritten inside its range. Null on checkpoints older than this column.
    /// </summary>
    public byte[]? EventHashes { get; init; }
    /// <summary>
    /// The compact Merkle tree at <see cref="TreeSize"/> (its perfect subtrees' roots, largest first), from which
    /// verification and the next checkpoint go on without reading the events before it. Trusted only when it folds to
    /// <see cref="RootHash"/>. Null on checkpoints older than this column.
    /// </summary>
    public byte[]? Frontier { get; init; }

    public SignedCheckpoint ToSigned() => new(TreeSize, RootHash, HeadHash, Timestamp, Signature);
}

internal sealed class AuditCheckpointConfiguration : IEntityTypeConfiguration<AuditCheckpoint>
{
    public void Configure(EntityTypeBuilder<AuditCheckpoint> builder)
    {
        builder.HasKey(c => c.TreeSize);
        builder.Property(c => c.TreeSize).ValueGeneratedNever();
        builder.Property(c => c.RootHash).HasMaxLength(64).IsFixedLength();
        builder.Property(c => c.HeadHash).HasMaxLength(64).IsFixedLength();
        builder.Property(c => c.Signature).HasMaxLength(200);
        builder.Property(c => c.KeyId).HasMaxLength(64);
    }
}
