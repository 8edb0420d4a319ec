using System.Security.Cryptography;
using GovernancePortal.Audit;

namespace GovernancePortal.UnitTests.Audit;

public class MerkleTreeTests
{
    // Certificate Transparency's reference vectors (RFC 6962 and RFC 9162 share the tree hash).
    private static readonly string[] CtLeafData =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    private static readonly string[] CtRoots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public static TheoryData<int> ReferenceSizes()
    {
        var sizes = new TheoryData<int>();
        for (var n = 0; n <= 70; n++)
        {
            sizes.Add(n);
        }
        foreach (var n in new[] { 127, 128, 129, 255, 256, 257, 1000, 1023, 1025, 4097, 32768, 49153 })
        {
            sizes.Add(n);
        }
        return sizes;
    }

    [Theory]
    [MemberData(nameof(ReferenceSizes))]
    public void Root_equals_the_recursive_RFC_9162_definition(int size)
    {
        var leaves = AuditTestData.RandomLeaves(size, seed: size);

        Assert.Equal(ReferenceRoot(leaves, 0, size), MerkleTree.Root(leaves));
    }

    [Fact]
    public void Root_reproduces_the_certificate_transparency_test_vectors()
    {
        for (var size = 0; size <= CtLeafData.Length; size++)
        {
            var leaves = CtLeafData.Take(size).Select(d => MerkleTree.LeafHash(Convert.FromHexString(d))).ToList();

            Assert.Equal(CtRoots[size], Convert.ToHexStringLower(MerkleTree.Root(leaves)));
        }
    }

    [Fact]
    public void Empty_tree_root_is_the_hash_of_the_empty_string()
    {
        Assert.Equal(SHA256.HashData(ReadOnlySpan<byte>.Empty), MerkleTree.Root([]));
        Assert.Equal(CtRoots[0], Convert.ToHexStringLower(new CompactMerkleTree().Root()));
    }

    [Fact]
    public void Leaf_and_node_hashes_are_domain_separated()
    {
        var a = MerkleTree.LeafHash([1, 2, 3]);
        var b = MerkleTree.LeafHash([4]);

        Assert.Equal(SHA256.HashData([0, 1, 2, 3]), a);
        Assert.Equal(SHA256.HashData([1, .. a, .. b]), MerkleTree.NodeHash(a, b));
        Assert.Equal(MerkleTree.LeafHash(new byte[300]), SHA256.HashData(new byte[301]));
    }

    [Fact]
    public void Too_small_destination_is_refused_without_disturbing_later_hashes()
    {
        var a = MerkleTree.LeafHash([1]);

        Assert.Throws<ArgumentException>(() => MerkleTree.LeafHash([9], new byte[16]));
        Assert.Throws<ArgumentException>(() => MerkleTree.NodeHash(a, a, new byte[31]));
        Assert.Equal(SHA256.HashData([0, 1]), MerkleTree.LeafHash([1]));
        Assert.Equal(SHA256.HashData([1, .. a, .. a]), MerkleTree.NodeHash(a, a));
    }

    [Fact]
    public void Inclusion_proofs_in_a_large_tree_verify()
    {
        var leaves = AuditTestData.RandomLeaves(70_001, seed: 70);
        var root = MerkleTree.Root(leaves);
        foreach (var index in new[] { 0, 1, 16_383, 16_384, 32_768, 65_535, 65_536, 69_999, 70_000 })
        {
            var proof = MerkleTree.InclusionProof(leaves, index);

            Assert.True(MerkleTree.VerifyInclusion(leaves[index], index, leaves.Count, proof, root), $"index {index}");
        }
    }

    [Fact]
    public void Event_leaf_is_the_leaf_hash_of_the_decoded_event_hash()
    {
        var eventHash = AuditTestData.Chain(1)[0].Hash;

        Assert.Equal(MerkleTree.LeafHash(Convert.FromHexString(eventHash)), MerkleTree.EventLeafHash(eventHash));
        Assert.Throws<FormatException>(() => MerkleTree.EventLeafHash("abc"));
    }

    [Fact]
    public void Compact_tree_root_equals_the_full_root_at_every_size()
    {
        var leaves = AuditTestData.RandomLeaves(300, seed: 7);
        var compact = new CompactMerkleTree();
        for (var size = 1; size <= leaves.Count; size++)
        {
            compact.Append(leaves[size - 1]);

            Assert.Equal(size, compact.Size);
            Assert.Equal(ReferenceRoot(leaves, 0, size), compact.Root());
        }
    }

    [Fact]
    public void Compact_tree_accepts_perfect_subtrees_at_aligned_sizes()
    {
        var leaves = AuditTestData.RandomLeaves(1000, seed: 9);
        var compact = new CompactMerkleTree();
        compact.AppendSubtree(ReferenceRoot(leaves, 0, 512), 9);
        compact.AppendSubtree(ReferenceRoot(leaves, 512, 768), 8);
        compact.Append(leaves[768]);

        Assert.Equal(769, compact.Size);
        Assert.Equal(ReferenceRoot(leaves, 0, 769), compact.Root());
        Assert.Throws<InvalidOperationException>(() => compact.AppendSubtree(leaves[0], 1));
    }

    [Fact]
    public void Root_rejects_hashes_of_the_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => MerkleTree.Root([new byte[31]]));
        Assert.Throws<ArgumentException>(() => MerkleTree.InclusionProof([new byte[32], new byte[33]], 0));
    }

    [Fact]
    public void Inclusion_proofs_equal_the_recursive_RFC_9162_PATH()
    {
        for (var size = 1; size <= 70; size++)
        {
            var leaves = AuditTestData.RandomLeaves(size, seed: 1000 + size);
            for (var index = 0; index < size; index++)
            {
                Assert.Equal(ReferencePath(leaves, index, 0, size), MerkleTree.InclusionProof(leaves, index));
            }
        }
    }

    [Theory]
    [InlineData(0, new[]
    {
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    })]
    [InlineData(5, new[]
    {
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    })]
    public void Inclusion_proof_reproduces_the_certificate_transparency_test_vectors(int index, string[] expected)
    {
        var leaves = CtLeafData.Select(d => MerkleTree.LeafHash(Convert.FromHexString(d))).ToList();

        var proof = MerkleTree.InclusionProof(leaves, index);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyInclusion(leaves[index], index, 8, proof, Convert.FromHexString(CtRoots[8])));
    }

    [Fact]
    public void Every_inclusion_proof_of_trees_up_to_33_leaves_verifies()
    {
        for (var size = 1; size <= 33; size++)
        {
            var leaves = AuditTestData.RandomLeaves(size, seed: size);
            var root = MerkleTree.Root(leaves);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(leaves, index);

                Assert.True(MerkleTree.VerifyInclusion(leaves[index], index, size, proof, root), $"size {size}, index {index}");
            }
        }
    }

    [Fact]
    public void Inclusion_proof_fails_when_any_proof_byte_is_altered()
    {
        for (var size = 2; size <= 33; size++)
        {
            var leaves = AuditTestData.RandomLeaves(size, seed: size);
            var root = MerkleTree.Root(leaves);
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(leaves, index).Select(p => p.ToArray()).ToList();
                foreach (var node in proof)
                {
                    for (var b = 0; b < node.Length; b++)
                    {
                        node[b] ^= 0x01;
                        Assert.False(MerkleTree.VerifyInclusion(leaves[index], index, size, proof, root));
                        node[b] ^= 0x01;
                    }
                }
                Assert.True(MerkleTree.VerifyInclusion(leaves[index], index, size, proof, root));
            }
        }
    }

    [Fact]
    public void Inclusion_proof_fails_for_another_index_leaf_or_root()
    {
        for (var size = 1; size <= 33; size++)
        {
            var leaves = AuditTestData.RandomLeaves(size, seed: size);
            var root = MerkleTree.Root(leaves);
            var otherRoot = MerkleTree.Root(AuditTestData.RandomLeaves(size, seed: 5000 + size));
            for (var index = 0; index < size; index++)
            {
                var proof = MerkleTree.InclusionProof(leaves, index);
                for (var other = -1; other <= size; other++)
                {
                    if (other != index)
                    {
                        Assert.False(MerkleTree.VerifyInclusion(leaves[index], other, size, proof, root), $"size {size}, index {index} as {other}");
                    }
                }
                var alteredLeaf = leaves[index].ToArray();
                alteredLeaf[^1] ^= 0x80;
                Assert.False(MerkleTree.VerifyInclusion(alteredLeaf, index, size, proof, root));
                Assert.False(MerkleTree.VerifyInclusion(leaves[index], index, size, proof, otherRoot));
            }
        }
    }

    [Fact]
    public void Inclusion_proof_fails_when_shortened_or_lengthened()
    {
        var leaves = AuditTestData.RandomLeaves(21, seed: 21);
        var root = MerkleTree.Root(leaves);
        for (var index = 0; index < leaves.Count; index++)
        {
            var proof = MerkleTree.InclusionProof(leaves, index);

            Assert.False(MerkleTree.VerifyInclusion(leaves[index], index, 21, proof.Skip(1).ToList(), root));
            Assert.False(MerkleTree.VerifyInclusion(leaves[index], index, 21, proof.Take(proof.Count - 1).ToList(), root));
            Assert.False(MerkleTree.VerifyInclusion(leaves[index], index, 21, [.. proof, leaves[0]], root));
        }
    }

    [Fact]
    public void Verification_rejects_malformed_arguments_without_throwing()
    {
        var leaves = AuditTestData.RandomLeaves(4, seed: 4);
        var root = MerkleTree.Root(leaves);
        var proof = MerkleTree.InclusionProof(leaves, 1);

        Assert.True(MerkleTree.VerifyInclusion(leaves[1], 1, 4, proof, root));
        Assert.False(MerkleTree.VerifyInclusion(leaves[1], 1, 0, proof, root));
        Assert.False(MerkleTree.VerifyInclusion(leaves[1][..31], 1, 4, proof, root));
        Assert.False(MerkleTree.VerifyInclusion(leaves[1], 1, 4, proof, root[..31]));
        Assert.False(MerkleTree.VerifyInclusion(leaves[1], 1, 4, [proof[0], proof[1][..16]], root));
        Assert.True(MerkleTree.VerifyInclusion(leaves[0], 0, 1, [], leaves[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleTree.InclusionProof(leaves, 4));
    }

    // RFC 9162 §2.1.1 exactly as written.
    private static byte[] ReferenceRoot(List<byte[]> leaves, int start, int end)
    {
        var n = end - start;
        if (n == 0)
        {
            return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        }
        if (n == 1)
        {
            return leaves[start];
        }
        var k = LargestPowerOfTwoBelow(n);
        return SHA256.HashData([1, .. ReferenceRoot(leaves, start, start + k), .. ReferenceRoot(leaves, start + k, end)]);
    }

    [Fact]
    public void Consistency_proofs_equal_the_recursive_RFC_9162_PROOF_and_verify_for_every_pair_up_to_64_leaves()
    {
        var leaves = AuditTestData.RandomLeaves(64, seed: 9162);
        for (var n = 1; n <= leaves.Count; n++)
        {
            var tree = leaves.Take(n).ToList();
            var newRoot = MerkleTree.Root(tree);
            for (var m = 1; m <= n; m++)
            {
                var proof = MerkleTree.ConsistencyProof(tree, m);

                Assert.Equal(m == n ? new List<byte[]>() : ReferenceSubproof(tree, m, 0, n, true), proof);
                Assert.True(MerkleTree.VerifyConsistency(m, n, MerkleTree.Root(tree.Take(m).ToList()), newRoot, proof), $"{m} → {n}");
            }
        }
    }

    [Fact]
    public void Consistency_proofs_verify_between_random_sizes_of_large_trees()
    {
        var random = new Random(18);
        var leaves = AuditTestData.RandomLeaves(70_000, seed: 18);
        for (var i = 0; i < 40; i++)
        {
            var n = random.Next(2, leaves.Count + 1);
            var m = random.Next(1, n);
            var tree = leaves.Take(n).ToList();

            var proof = MerkleTree.ConsistencyProof(tree, m);

            Assert.True(MerkleTree.VerifyConsistency(m, n, MerkleTree.Root(tree.Take(m).ToList()), MerkleTree.Root(tree), proof), $"{m} → {n}");
            Assert.False(MerkleTree.VerifyConsistency(m, n, MerkleTree.Root(tree.Take(m - 1).ToList()), MerkleTree.Root(tree), proof), $"{m} → {n}, another old root");
        }
    }

    [Theory]
    [InlineData(1, 8, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(6, 8, new[] { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(2, 5, new[] { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" })]
    public void Consistency_proof_reproduces_the_certificate_transparency_test_vectors(int m, int n, string[] expected)
    {
        var leaves = CtLeafData.Take(n).Select(d => MerkleTree.LeafHash(Convert.FromHexString(d))).ToList();

        var proof = MerkleTree.ConsistencyProof(leaves, m);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyConsistency(m, n, Convert.FromHexString(CtRoots[m]), Convert.FromHexString(CtRoots[n]), proof));
    }

    [Fact]
    public void An_altered_consistency_proof_is_refused()
    {
        var leaves = AuditTestData.RandomLeaves(37, seed: 37);
        var oldRoot = MerkleTree.Root(leaves.Take(13).ToList());
        var newRoot = MerkleTree.Root(leaves);
        var proof = MerkleTree.ConsistencyProof(leaves, 13);
        Assert.True(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, proof));

        for (var node = 0; node < proof.Count; node++)
        {
            for (var bit = 0; bit < 8 * MerkleTree.HashSize; bit += 37)
            {
                var altered = proof.Select(p => (byte[])p.Clone()).ToList();
                altered[node][bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.False(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, altered), $"node {node}, bit {bit}");
            }
        }
        Assert.False(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, proof.Take(proof.Count - 1).ToList()));
        Assert.False(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, [.. proof, proof[0]]));
        Assert.False(MerkleTree.VerifyConsistency(12, 37, oldRoot, newRoot, proof));
        Assert.False(MerkleTree.VerifyConsistency(13, 37, newRoot, oldRoot, proof));
        Assert.False(MerkleTree.VerifyConsistency(37, 13, oldRoot, newRoot, proof));
        Assert.False(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, [.. proof.Take(1), new byte[5]]));
        Assert.False(MerkleTree.VerifyConsistency(13, 37, oldRoot, newRoot, []));
        Assert.True(MerkleTree.VerifyConsistency(37, 37, newRoot, newRoot, []));
        Assert.False(MerkleTree.VerifyConsistency(37, 37, oldRoot, newRoot, []));
    }

    // RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b) exactly as written.
    private static List<byte[]> ReferenceSubproof(List<byte[]> leaves, int m, int start, int end, bool b)
    {
        var n = end - start;
        if (m == n)
        {
            return b ? [] : [ReferenceRoot(leaves, start, end)];
        }
        var k = LargestPowerOfTwoBelow(n);
        return m <= k
            ? [.. ReferenceSubproof(leaves, m, start, start + k, b), ReferenceRoot(leaves, start + k, end)]
            : [.. ReferenceSubproof(leaves, m - k, start + k, end, false), ReferenceRoot(leaves, start, start + k)];
    }

    // RFC 9162 §2.1.3.1 PATH(m, D[n]) exactly as written.
    private static List<byte[]> ReferencePath(List<byte[]> leaves, int m, int start, int end)
    {
        var n = end - start;
        if (n == 1)
        {
            return [];
        }
        var k = LargestPowerOfTwoBelow(n);
        return m < k
            ? [.. ReferencePath(leaves, m, start, start + k), ReferenceRoot(leaves, start + k, end)]
            : [.. ReferencePath(leaves, m - k, start + k, end), ReferenceRoot(leaves, start, start + k)];
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }
        return k;
    }
}
