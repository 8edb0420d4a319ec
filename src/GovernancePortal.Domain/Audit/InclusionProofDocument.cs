using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovernancePortal.Audit;

/// <summary>
/// Everything needed to check offline that one audit event is part of the log a signed checkpoint commits to:
/// the event's content and hashes, its RFC 9162 inclusion path, the checkpoint and the signing public key.
/// </summary>
/// <param name="Version">Document format version, currently 1.</param>
/// <param name="Event">The event's hashed content; its hash is recomputed from this and <paramref name="PreviousHash"/>.</param>
/// <param name="PreviousHash">The predecessor hash the event is chained to.</param>
/// <param name="Hash">The event's stored hash; the Merkle leaf is its 32 decoded bytes.</param>
/// <param name="LeafIndex">The event's leaf index, its sequence minus one.</param>
/// <param name="Checkpoint">The signed checkpoint whose root the path leads to.</param>
/// <param name="Proof">PATH(LeafIndex, D[TreeSize]) as lowercase hex, nearest the leaf first.</param>
/// <param name="PublicKey">The checkpoint signing key as a SubjectPublicKeyInfo PEM.</param>
public sealed record InclusionProofDocument(
    int Version,
    AuditRecord Event,
    string PreviousHash,
    string Hash,
    long LeafIndex,
    SignedCheckpoint Checkpoint,
    IReadOnlyList<string> Proof,
    string PublicKey)
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions _jsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        // A downloaded file, never inlined into HTML: keep PEM, base64 and payload text readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new MicrosecondUtcConverter() },
    };

    /// <summary>Builds the document for <paramref name="auditEvent"/> and the checkpoint <paramref name="proof"/> leads to.</summary>
    /// <param name="proof">From <see cref="MerkleTree.InclusionProof"/> over the first <c>checkpoint.TreeSize</c> event leaves.</param>
    public static InclusionProofDocument Create(
        StoredAuditEvent auditEvent,
        SignedCheckpoint checkpoint,
        IReadOnlyList<byte[]> proof,
        string publicKeyPem)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentException.ThrowIfNullOrWhiteSpace(publicKeyPem);
        var record = auditEvent.Record;
        if (record.Sequence < 1 || record.Sequence > checkpoint.TreeSize)
        {
            throw new ArgumentException(
                $"Event {record.Sequence} is not covered by a checkpoint of {checkpoint.TreeSize} events.", nameof(checkpoint));
        }
        var path = new string[proof.Count];
        for (var i = 0; i < path.Length; i++)
        {
            MerkleTree.CheckLength(proof[i]);
            path[i] = Convert.ToHexStringLower(proof[i]);
        }
        return new InclusionProofDocument(
            CurrentVersion,
            record with { Timestamp = AuditRecord.Normalize(record.Timestamp) },
            auditEvent.PreviousHash,
            auditEvent.Hash,
            record.Sequence - 1,
            checkpoint,
            path,
            publicKeyPem);
    }

    /// <summary>Indented camelCase JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, _jsonOptions);

    /// <summary>Parses a document; throws <see cref="JsonException"/> when it is malformed or a required member is missing.</summary>
    public static InclusionProofDocument FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<InclusionProofDocument>(json, _jsonOptions)
            ?? throw new JsonException("An inclusion proof document cannot be null.");
    }

    /// <summary>
    /// Checks the document: the event's hash against its content, the inclusion path against the checkpoint root, and
    /// the checkpoint signature against <paramref name="trustedKey"/>, or against the embedded key when none is given
    /// (which proves consistency only; the embedded key must still be compared with the portal's published one).
    /// </summary>
    public static (bool Ok, string Reason) Verify(InclusionProofDocument doc, ECDsa? trustedKey)
    {
        if (doc is null)
        {
            return (false, "no document");
        }
        if (doc.Version != CurrentVersion)
        {
            return (false, $"unsupported document version {doc.Version}");
        }
        // FromJson already rejects missing members; a document built in code may still lack some.
        if (!IsComplete(doc))
        {
            return (false, "document is incomplete");
        }
        var sequence = doc.Event.Sequence;
        var label = $"event {sequence.ToString(CultureInfo.InvariantCulture)}";
        if (!string.Equals(doc.Event.ComputeHash(doc.PreviousHash), doc.Hash, StringComparison.Ordinal))
        {
            return (false, $"{label}: payload altered (stored hash does not match its content)");
        }

        var checkpoint = doc.Checkpoint;
        var size = checkpoint.TreeSize;
        if (doc.LeafIndex != sequence - 1 || doc.LeafIndex < 0 || doc.LeafIndex >= size)
        {
            return (false, $"{label}: leaf index {doc.LeafIndex} does not fit a checkpoint of {size} events");
        }
        if (!TryDecode(doc.Hash, out var raw) || !TryDecode(checkpoint.RootHash, out var root))
        {
            return (false, $"{label}: malformed hash");
        }
        var path = new byte[doc.Proof.Count][];
        for (var i = 0; i < path.Length; i++)
        {
            if (!TryDecode(doc.Proof[i], out path[i]))
            {
                return (false, $"{label}: malformed proof node {i}");
            }
        }
        if (!MerkleTree.VerifyInclusion(MerkleTree.LeafHash(raw), doc.LeafIndex, size, path, root))
        {
            return (false, $"{label}: inclusion proof does not lead to the checkpoint root");
        }
        if (doc.LeafIndex == size - 1 && !string.Equals(doc.Hash, checkpoint.HeadHash, StringComparison.Ordinal))
        {
            return (false, $"{label} is the checkpoint's last event, but its hash is not the checkpoint's head hash");
        }

        ECDsa? embedded = null;
        try
        {
            if (trustedKey is null)
            {
                try
                {
                    embedded = CheckpointSigner.LoadKeyFromPem(doc.PublicKey);
                }
                catch (Exception e) when (e is ArgumentException or CryptographicException)
                {
                    return (false, "the embedded public key cannot be read as a P-256 key");
                }
            }
            if (!CheckpointSigner.Verify(trustedKey ?? embedded!, checkpoint))
            {
                return (false, trustedKey is null
                    ? "checkpoint signature does not verify under the embedded key"
                    : "checkpoint signature does not verify under the trusted key");
            }
        }
        finally
        {
            embedded?.Dispose();
        }

        var signedAt = CheckpointSigner.FormatTimestamp(checkpoint.Timestamp);
        return (true, trustedKey is null
            ? $"{label} is included in the checkpoint of {size} events signed at {signedAt}, checked against the document's own key (compare it with the portal's published key)"
            : $"{label} is included in the checkpoint of {size} events signed at {signedAt} by the trusted key");
    }

    private static bool IsComplete(InclusionProofDocument doc) =>
        doc is
        {
            Event: { Actor: { Oid: not null, Username: not null, Roles: not null }, Action: not null, EntityType: not null, EntityId: not null, Payload: not null },
            PreviousHash: not null,
            Hash: not null,
            Checkpoint: { RootHash: not null, HeadHash: not null, Signature: not null },
            Proof: not null,
        }
        && doc.Event.Actor.Roles.All(r => r is not null) && doc.Proof.All(p => p is not null);

    internal static bool TryDecode(string? hex, out byte[] bytes)
    {
        bytes = new byte[MerkleTree.HashSize];
        return hex is { Length: 2 * MerkleTree.HashSize }
            && Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == MerkleTree.HashSize;
    }

    // Timestamps appear exactly as in the hashed and signed texts, so other tools can rebuild those texts verbatim.
    private sealed class MicrosecondUtcConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(CheckpointSigner.FormatTimestamp(value));
    }
}
