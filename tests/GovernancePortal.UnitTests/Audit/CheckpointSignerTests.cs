using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public class CheckpointSignerTests
{
    private static readonly string Root = new('a', 64);
    private static readonly string Head = new('b', 64);
    private static readonly DateTimeOffset At = new(2025, 3, 1, 9, 30, 15, TimeSpan.FromHours(2));

    [Fact]
    public void Statement_is_canonical_json_with_a_utc_microsecond_timestamp()
    {
        var statement = CheckpointSigner.Statement(42, Root, Head, At.AddTicks(1234567));

        Assert.Equal(
            $"{{\"headHash\":\"{Head}\",\"root\":\"{Root}\",\"size\":42,\"ts\":\"2025-03-01T07:30:15.123456Z\",\"v\":1}}",
            statement);
        Assert.Equal(statement, CanonicalJson.Canonicalize(statement));
    }

    [Fact]
    public void Signed_checkpoint_verifies_with_the_exported_public_key()
    {
        using var key = CheckpointSigner.CreateKey();
        var checkpoint = CheckpointSigner.Sign(key, 42, Root, Head, At);
        using var publicKey = CheckpointSigner.LoadKeyFromPem(CheckpointSigner.ExportPublicKeyPem(key));

        Assert.True(CheckpointSigner.Verify(publicKey, checkpoint));
        Assert.Equal(64, Convert.FromBase64String(checkpoint.Signature).Length);
        Assert.Equal(TimeSpan.Zero, checkpoint.Timestamp.Offset);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", CheckpointSigner.ExportPublicKeyPem(key));
    }

    [Fact]
    public void Private_key_loaded_from_pem_signs_verifiable_checkpoints()
    {
        using var original = CheckpointSigner.CreateKey();
        using var loaded = CheckpointSigner.LoadKeyFromPem(original.ExportPkcs8PrivateKeyPem());

        var checkpoint = CheckpointSigner.Sign(loaded, 7, Root, Head, At);

        Assert.True(CheckpointSigner.Verify(original, checkpoint));
    }

    [Fact]
    public void Checkpoint_with_any_field_changed_does_not_verify()
    {
        using var key = CheckpointSigner.CreateKey();
        var checkpoint = CheckpointSigner.Sign(key, 42, Root, Head, At);

        Assert.False(CheckpointSigner.Verify(key, checkpoint with { TreeSize = 43 }));
        Assert.False(CheckpointSigner.Verify(key, checkpoint with { RootHash = new string('c', 64) }));
        Assert.False(CheckpointSigner.Verify(key, checkpoint with { HeadHash = Root }));
        Assert.False(CheckpointSigner.Verify(key, checkpoint with { Timestamp = checkpoint.Timestamp.AddTicks(10) }));
        // Sub-microsecond differences are not part of the statement.
        Assert.True(CheckpointSigner.Verify(key, checkpoint with { Timestamp = checkpoint.Timestamp.AddTicks(3) }));
    }

    [Fact]
    public void Signature_forged_with_another_key_is_rejected()
    {
        using var portalKey = CheckpointSigner.CreateKey();
        using var attackerKey = CheckpointSigner.CreateKey();

        var forged = CheckpointSigner.Sign(attackerKey, 42, Root, Head, At);

        Assert.False(CheckpointSigner.Verify(portalKey, forged));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Malformed_signature_is_rejected(string signature)
    {
        using var key = CheckpointSigner.CreateKey();
        var checkpoint = CheckpointSigner.Sign(key, 42, Root, Head, At);

        Assert.False(CheckpointSigner.Verify(key, checkpoint with { Signature = signature }));
    }

    [Fact]
    public void Signature_with_flipped_bits_or_in_DER_format_is_rejected()
    {
        using var key = CheckpointSigner.CreateKey();
        var checkpoint = CheckpointSigner.Sign(key, 42, Root, Head, At);
        var bytes = Convert.FromBase64String(checkpoint.Signature);
        bytes[10] ^= 0x04;
        var der = key.SignData(
            System.Text.Encoding.UTF8.GetBytes(CheckpointSigner.Statement(checkpoint)),
            HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);

        Assert.False(CheckpointSigner.Verify(key, checkpoint with { Signature = Convert.ToBase64String(bytes) }));
        Assert.False(CheckpointSigner.Verify(key, checkpoint with { Signature = Convert.ToBase64String(der) }));
    }

    [Fact]
    public void Keys_other_than_P256_are_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<CryptographicException>(() => CheckpointSigner.Sign(p384, 1, Root, Head, At));
        Assert.Throws<CryptographicException>(() => CheckpointSigner.LoadKeyFromPem(p384.ExportSubjectPublicKeyInfoPem()));
    }

    [Theory]
    [InlineData("ABCDEF")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public void Signing_refuses_hashes_that_are_not_lowercase_hex(string hash)
    {
        using var key = CheckpointSigner.CreateKey();

        Assert.Throws<ArgumentException>(() => CheckpointSigner.Sign(key, 1, hash, Head, At));
        Assert.Throws<ArgumentException>(() => CheckpointSigner.Sign(key, 1, Root, hash, At));
    }
}
