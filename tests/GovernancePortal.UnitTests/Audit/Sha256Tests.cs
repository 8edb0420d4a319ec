using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public class Sha256Tests
{
    private static byte[] Data(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        return data;
    }

    public static TheoryData<int> Lengths()
    {
        var lengths = new TheoryData<int>();
        // Every length up to five blocks (padding crosses a block at 56), the audit sizes, and past the direct limit.
        for (var n = 0; n <= 320; n++)
        {
            lengths.Add(n);
        }
        foreach (var n in (int[])[732, 4096, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 100_000])
        {
            lengths.Add(n);
        }
        return lengths;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Hash_equals_dotnets_sha256(int length)
    {
        var data = Data(length);
        var actual = new byte[Sha256.Size];
        Sha256.Hash(data, actual);
        Assert.Equal(SHA256.HashData(data), actual);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Prefixed_hash_equals_the_hash_of_the_concatenation_both_ways(int length)
    {
        var data = Data(length);
        var split = length / 3;
        var expected = SHA256.HashData([0x01, .. data]);
        var direct = new byte[Sha256.Size];
        var dotNet = new byte[Sha256.Size];
        Sha256.Hash(0x01, data.AsSpan(0, split), data.AsSpan(split), direct);
        Sha256.HashWithDotNet(0x01, data.AsSpan(0, split), data.AsSpan(split), dotNet);
        Assert.Equal(expected, direct);
        Assert.Equal(expected, dotNet);
    }

    [Fact]
    public void Destination_may_be_an_input()
    {
        var left = Data(32);
        var right = Data(33)[1..];
        var expected = SHA256.HashData([0x01, .. left, .. right]);
        Sha256.Hash(0x01, left, right, right);
        Assert.Equal(expected, right);
    }

    [Fact]
    public void A_destination_of_the_wrong_size_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Sha256.Hash([1, 2, 3], new byte[31]));
        Assert.Throws<ArgumentException>(() => Sha256.Hash(0, [1], [2], new byte[33]));
    }

    [Fact]
    public void Hashes_agree_across_threads()
    {
        var inputs = Enumerable.Range(0, 2000).Select(i => Data(i % 900)).ToArray();
        var expected = inputs.Select(SHA256.HashData).ToArray();
        var actual = new byte[inputs.Length][];
        Parallel.For(0, inputs.Length, i =>
        {
            actual[i] = new byte[Sha256.Size];
            Sha256.Hash(inputs[i], actual[i]);
        });
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void On_linux_the_direct_path_is_taken()
    {
        // The verification benchmark's aim depends on it; if a machine's libcrypto lacks the digest API, say so here.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        Assert.True(Sha256.UsesOpenSslDirectly, "libcrypto's SHA256_Init/Update/Final were not found or failed the self-test.");
    }
}
