using System.Security.Cryptography;
using System.Text.Json;

namespace GovernancePortal.Audit;

/// <summary>
/// An RFC 9162 §2.1.4 consistency proof between two signed checkpoints: that the log of <c>To.TreeSize</c> events
/// extends the log of <c>From.TreeSize</c> events unchanged, checked without reading any event.
/// </summary>
/// <param name="Version">Document format version, currently 1.</param>
/// <param name="From">The older checkpoint.</param>
/// <param name="To">The newer checkpoint.</param>
/// <param name="Proof">PROOF(From.TreeSize, D[To.TreeSize]) as lowercase hex.</param>
public sealed record ConsistencyProofDocument(int Version, CheckpointDocument From, CheckpointDocument To, IReadOnlyList<string> Proof)
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions _jsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, _jsonOptions);

    public static ConsistencyProofDocument FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<ConsistencyProofDocument>(json, _jsonOptions)
            ?? throw new JsonException("A consistency proof document cannot be null.");
    }

    /// <summary>
    /// Checks that both checkpoints are signed by <paramref name="key"/>, that the proof is about these two, and that it
    /// leads from the older root to the newer one.
    /// </summary>
    public static (bool Ok, string Reason) Verify(SignedCheckpoint older, SignedCheckpoint newer, ConsistencyProofDocument proof, ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(older);
        ArgumentNullException.ThrowIfNull(newer);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(key);
        if (proof.Version != CurrentVersion)
        {
            return (false, $"unsupported document version {proof.Version}");
        }
        if (!CheckpointSigner.Verify(key, older))
        {
            return (false, $"the checkpoint of {older.TreeSize} events is not signed by the trusted key");
        }
        if (!CheckpointSigner.Verify(key, newer))
        {
            return (false, $"the checkpoint of {newer.TreeSize} events is not signed by the trusted key");
        }
        if (proof.From?.TreeSize != older.TreeSize || proof.To?.TreeSize != newer.TreeSize)
        {
            return (false, $"the proof is from {proof.From?.TreeSize} to {proof.To?.TreeSize} events, not from {older.TreeSize} to {newer.TreeSize}");
        }
        var path = new byte[proof.Proof?.Count ?? 0][];
        for (var i = 0; i < path.Length; i++)
        {
            if (!InclusionProofDocument.TryDecode(proof.Proof![i], out path[i]))
            {
                return (false, $"proof node {i} is not a hash");
            }
        }
        if (!InclusionProofDocument.TryDecode(older.RootHash, out var oldRoot) || !InclusionProofDocument.TryDecode(newer.RootHash, out var newRoot)
            || !MerkleTree.VerifyConsistency(older.TreeSize, newer.TreeSize, oldRoot, newRoot, path))
        {
            return (false, $"the log of {newer.TreeSize} events is not an extension of the log of {older.TreeSize} events under this proof");
        }
        return (true, $"the log of {newer.TreeSize} events extends the log of {older.TreeSize} events unchanged; both checkpoints are signed by the trusted key");
    }
}
