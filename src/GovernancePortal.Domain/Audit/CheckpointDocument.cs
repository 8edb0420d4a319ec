using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovernancePortal.Audit;

/// <summary>
/// A signed checkpoint as published to the witness and as read by the offline commands: the signed fields, the key id
/// and the event hashes the checkpoint added (base64 of raw 32-byte hashes, the events after the previous checkpoint).
/// </summary>
public sealed record CheckpointDocument(
    long TreeSize,
    string RootHash,
    string HeadHash,
    DateTimeOffset Timestamp,
    string Signature,
    string KeyId,
    string? EventHashes)
{
    private static readonly JsonSerializerOptions _jsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static CheckpointDocument From(SignedCheckpoint checkpoint, string keyId, byte[]? eventHashes)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return new(checkpoint.TreeSize, checkpoint.RootHash, checkpoint.HeadHash, checkpoint.Timestamp, checkpoint.Signature, keyId,
            eventHashes is null ? null : Convert.ToBase64String(eventHashes));
    }

    public SignedCheckpoint ToSigned() => new(TreeSize, RootHash, HeadHash, Timestamp, Signature);

    public byte[]? EventHashBytes() => EventHashes is null ? null : Convert.FromBase64String(EventHashes);

    public string ToJson() => JsonSerializer.Serialize(this, _jsonOptions);

    /// <summary>Parses a document; throws <see cref="JsonException"/> or <see cref="FormatException"/> when it is malformed.</summary>
    public static CheckpointDocument FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = JsonSerializer.Deserialize<CheckpointDocument>(json, _jsonOptions)
            ?? throw new JsonException("A checkpoint document cannot be null.");
        _ = document.EventHashBytes();
        return document;
    }
}
