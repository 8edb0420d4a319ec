using System.Text.Json;
using System.Text.Json.Nodes;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public sealed class InclusionProofDocumentTests : IDisposable
{
    private readonly System.Security.Cryptography.ECDsa _key = CheckpointSigner.CreateKey();
    private readonly List<StoredAuditEvent> _events = AuditTestData.Chain(75);

    public void Dispose() => _key.Dispose();

    private InclusionProofDocument Document(int sequence, int treeSize = 70)
    {
        var checkpoint = AuditTestData.Checkpoint(_events, treeSize, _key);
        var proof = MerkleTree.InclusionProof(AuditTestData.Leaves(_events.Take(treeSize)), sequence - 1);
        return InclusionProofDocument.Create(_events[sequence - 1], checkpoint, proof, CheckpointSigner.ExportPublicKeyPem(_key));
    }

    private static string Mutate(string json, Action<JsonNode> change)
    {
        var node = JsonNode.Parse(json)!;
        change(node);
        return node.ToJsonString();
    }

    [Fact]
    public void Document_round_tripped_through_json_verifies_with_the_trusted_key()
    {
        var json = Document(33).ToJson();

        var (ok, reason) = InclusionProofDocument.Verify(InclusionProofDocument.FromJson(json), _key);

        Assert.True(ok, reason);
        Assert.Equal("event 33 is included in the checkpoint of 70 events signed at 2025-03-02T08:01:10.000000Z by the trusted key", reason);
    }

    [Fact]
    public void Document_verifies_with_its_embedded_key_and_says_so()
    {
        var (ok, reason) = InclusionProofDocument.Verify(InclusionProofDocument.FromJson(Document(1).ToJson()), null);

        Assert.True(ok, reason);
        Assert.Contains("document's own key", reason);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 64)]
    [InlineData(70, 70)]
    [InlineData(65, 75)]
    public void Proof_verifies_for_first_last_and_unbalanced_positions(int sequence, int treeSize)
    {
        var (ok, reason) = InclusionProofDocument.Verify(InclusionProofDocument.FromJson(Document(sequence, treeSize).ToJson()), _key);

        Assert.True(ok, reason);
    }

    [Fact]
    public void Json_is_camel_case_with_the_fields_needed_to_recompute_the_hash()
    {
        var json = JsonNode.Parse(Document(3).ToJson())!;

        Assert.Equal(1, (int)json["version"]!);
        Assert.Equal(2, (long)json["leafIndex"]!);
        Assert.Equal(_events[2].Hash, (string)json["hash"]!);
        Assert.Equal(_events[1].Hash, (string)json["previousHash"]!);
        var e = json["event"]!;
        Assert.Equal(3, (long)e["sequence"]!);
        Assert.Equal("2025-03-01T08:00:03.000003Z", (string)e["timestamp"]!);
        Assert.Equal("nightly-build", (string)e["actor"]!["apiKeyLabel"]!);
        Assert.Equal("ModelOwner", (string)e["actor"]!["roles"]![0]!);
        Assert.NotNull(e["entityType"]);
        Assert.NotNull(e["entityId"]);
        Assert.NotNull(e["correlationId"]);
        Assert.NotNull(e["clientAddress"]);
        Assert.Equal(_events[2].Record.Payload, (string)e["payload"]!);
        Assert.Equal(70, (long)json["checkpoint"]!["treeSize"]!);
        Assert.All(json["proof"]!.AsArray(), p => Assert.Matches("^[0-9a-f]{64}$", (string)p!));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", (string)json["publicKey"]!);
    }

    public static TheoryData<string, Action<JsonNode>> Alterations() => new()
    {
        { "payload", n => n["event"]!["payload"] = "{\"n\":1}" },
        { "actor", n => n["event"]!["actor"]!["username"] = "mallory" },
        { "timestamp", n => n["event"]!["timestamp"] = "2025-03-01T08:00:09.000009Z" },
        { "hash", n => n["hash"] = new string('0', 64) },
        { "previousHash", n => n["previousHash"] = new string('1', 64) },
        { "leafIndex", n => n["leafIndex"] = 10 },
        { "proof node", n => n["proof"]![2] = new string('a', 64) },
        { "proof length", n => n["proof"]!.AsArray().RemoveAt(0) },
        { "checkpoint root", n => n["checkpoint"]!["rootHash"] = new string('c', 64) },
        { "checkpoint size", n => n["checkpoint"]!["treeSize"] = 71 },
        { "checkpoint timestamp", n => n["checkpoint"]!["timestamp"] = "2025-03-02T08:01:11.000000Z" },
        { "signature", n => n["checkpoint"]!["signature"] = Convert.ToBase64String(new byte[64]) },
        { "version", n => n["version"] = 2 },
    };

    [Theory]
    [MemberData(nameof(Alterations))]
    public void Altered_document_does_not_verify(string what, Action<JsonNode> change)
    {
        var json = Mutate(Document(10).ToJson(), change);

        var (ok, reason) = InclusionProofDocument.Verify(InclusionProofDocument.FromJson(json), _key);

        Assert.False(ok, $"{what}: {reason}");
    }

    [Fact]
    public void Document_re_signed_with_another_key_fails_against_the_trusted_key()
    {
        using var attacker = CheckpointSigner.CreateKey();
        var genuine = Document(10);
        var forged = genuine with
        {
            Checkpoint = CheckpointSigner.Sign(attacker, genuine.Checkpoint.TreeSize, genuine.Checkpoint.RootHash, genuine.Checkpoint.HeadHash, genuine.Checkpoint.Timestamp),
            PublicKey = CheckpointSigner.ExportPublicKeyPem(attacker),
        };

        Assert.True(InclusionProofDocument.Verify(forged, null).Ok);
        var (ok, reason) = InclusionProofDocument.Verify(forged, _key);
        Assert.False(ok);
        Assert.Equal("checkpoint signature does not verify under the trusted key", reason);
    }

    [Fact]
    public void Altered_payload_is_named_in_the_reason()
    {
        var json = Mutate(Document(10).ToJson(), n => n["event"]!["payload"] = "{}");

        var (_, reason) = InclusionProofDocument.Verify(InclusionProofDocument.FromJson(json), _key);

        Assert.Equal("event 10: payload altered (stored hash does not match its content)", reason);
    }

    [Fact]
    public void Unreadable_embedded_key_fails_without_throwing()
    {
        var doc = Document(10) with { PublicKey = "not a key" };

        Assert.False(InclusionProofDocument.Verify(doc, null).Ok);
        Assert.True(InclusionProofDocument.Verify(doc, _key).Ok);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("event")]
    [InlineData("checkpoint")]
    public void Json_missing_a_required_member_is_rejected(string member)
    {
        var json = Mutate(Document(10).ToJson(), n => n.AsObject().Remove(member));

        Assert.ThrowsAny<JsonException>(() => InclusionProofDocument.FromJson(json));
    }

    [Fact]
    public void Create_refuses_an_event_the_checkpoint_does_not_cover()
    {
        var checkpoint = AuditTestData.Checkpoint(_events, 10, _key);

        Assert.Throws<ArgumentException>(() =>
            InclusionProofDocument.Create(_events[10], checkpoint, [], CheckpointSigner.ExportPublicKeyPem(_key)));
    }
}
