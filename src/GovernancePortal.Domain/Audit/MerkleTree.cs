using System.Numerics;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace GovernancePortal.Audit;

/// <summary>
/// The Merkle Tree Hash of RFC 9162 (Certificate Transparency v2) §2.1 over SHA-256, with inclusion proofs.
/// For the audit log a leaf's data is the 32 raw bytes of an event's hash.
/// </summary>
public static class MerkleTree
{
    /// <summary>Length in bytes of every leaf, node and root hash.</summary>
    public const int HashSize = 32;

    private const byte LeafPrefix = 0x00;
    private const byte NodePrefix = 0x01;

    // Ranges spanning at least two perfect subtrees of this height (32,768 leaves) hash them on all cores.
    private const int ParallelSubtreeHeight = 14;

    /// <summary>The root of a tree with no leaves: SHA-256 of the empty string.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 ‖ <paramref name="data"/>).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashSize];
        LeafHash(data, hash);
        return hash;
    }

    /// <summary>SHA-256(0x00 ‖ <paramref name="data"/>) written to <paramref name="destination"/>.</summary>
    public static void LeafHash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        Sha256.Hash(LeafPrefix, data, default, destination);
    }

    /// <summary>The leaf hash of an audit event: its hex hash decoded to 32 bytes, then <see cref="LeafHash(ReadOnlySpan{byte})"/>.</summary>
    public static byte[] EventLeafHash(string eventHash)
    {
        Span<byte> raw = stackalloc byte[HashSize];
        DecodeHash(eventHash, raw);
        return LeafHash(raw);
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        NodeHash(left, right, hash);
        return hash;
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right) written to <paramref name="destination"/>, which may overlap either input.</summary>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        CheckDestination(destination);
        Sha256.Hash(NodePrefix, left, right, destination);
    }

    /// <summary>MTH(D[n]) of RFC 9162 §2.1.1 over already computed leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        return RangeRoot(leafHashes, 0, leafHashes.Count);
    }

    /// <summary>
    /// PATH(m, D[n]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf at <paramref name="index"/> up to the root,
    /// nearest the leaf first.
    /// </summary>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, int index)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, leafHashes.Count);
        CheckLength(leafHashes[index]);

        // The recursion of §2.1.3.1 unrolled from the top: split at the largest power of two below n, keep the
        // root of the half without the leaf, descend into the other.
        var path = new List<byte[]>();
        var start = 0;
        var end = leafHashes.Count;
        var m = index;
        while (end - start > 1)
        {
            var k = 1 << BitOperations.Log2((uint)(end - start - 1));
            if (m < k)
            {
                path.Add(RangeRoot(leafHashes, start + k, end));
                end = start + k;
            }
            else
            {
                path.Add(RangeRoot(leafHashes, start, start + k));
                start += k;
                m -= k;
            }
        }
        path.Reverse();
        return path;
    }

    /// <summary>
    /// Verifies an inclusion proof by the algorithm of RFC 9162 §2.1.3.2.
    /// Returns false, never throws, for a malformed proof, index or hash.
    /// </summary>
    public static bool VerifyInclusion(byte[] leafHash, long index, long treeSize, IReadOnlyList<byte[]> proof, byte[] root)
    {
        if (leafHash is not { Length: HashSize } || root is not { Length: HashSize } || proof is null
            || index < 0 || index >= treeSize)
        {
            return false;
        }
        var fn = index;
        var sn = treeSize - 1;
        Span<byte> r = stackalloc byte[HashSize];
        leafHash.CopyTo(r);
        for (var i = 0; i < proof.Count; i++)
        {
            var p = proof[i];
            if (p is not { Length: HashSize } || sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(p, r, r);
                // On the right edge of an unbalanced tree: climb past the levels where this node had no sibling.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                NodeHash(r, p, r);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>
    /// PROOF(m, D[n]) of RFC 9162 §2.1.4.1: the nodes that show the tree of the first <paramref name="oldSize"/> leaves is a
    /// prefix of the tree of all of <paramref name="leafHashes"/>. Empty when the sizes are equal or the old tree is empty.
    /// </summary>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, int oldSize)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, leafHashes.Count);
        var path = new List<byte[]>();
        if (oldSize == 0 || oldSize == leafHashes.Count)
        {
            return path;
        }
        // SUBPROOF(m, D[start:end], b) unrolled from the top: each step adds the root of the half it does not descend
        // into, which the recursion appends after the deeper nodes, so the list is reversed at the end.
        var start = 0;
        var end = leafHashes.Count;
        var m = oldSize;
        var whole = true;
        while (m != end - start)
        {
            var k = 1 << BitOperations.Log2((uint)(end - start - 1));
            if (m <= k)
            {
                path.Add(RangeRoot(leafHashes, start + k, end));
                end = start + k;
            }
            else
            {
                path.Add(RangeRoot(leafHashes, start, start + k));
                start += k;
                m -= k;
                whole = false;
            }
        }
        if (!whole)
        {
            path.Add(RangeRoot(leafHashes, start, end));
        }
        path.Reverse();
        return path;
    }

    /// <summary>
    /// Verifies a consistency proof by the algorithm of RFC 9162 §2.1.4.2: the tree of <paramref name="oldSize"/> leaves
    /// with root <paramref name="oldRoot"/> is a prefix of the tree of <paramref name="newSize"/> leaves with root
    /// <paramref name="newRoot"/>. Returns false, never throws, for a malformed proof, size or hash.
    /// </summary>
    public static bool VerifyConsistency(long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, IReadOnlyList<byte[]> proof)
    {
        if (oldRoot is not { Length: HashSize } || newRoot is not { Length: HashSize } || proof is null
            || oldSize < 0 || newSize < oldSize || proof.Any(p => p is not { Length: HashSize }))
        {
            return false;
        }
        if (oldSize == newSize)
        {
            return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(oldRoot, newRoot);
        }
        if (oldSize == 0)
        {
            // Every tree extends the empty one; its root is fixed.
            return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(oldRoot, EmptyRoot());
        }
        if (proof.Count == 0)
        {
            return false;
        }
        var path = proof;
        if (BitOperations.IsPow2(oldSize))
        {
            path = [oldRoot, .. proof];
        }
        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        Span<byte> fr = stackalloc byte[HashSize];
        Span<byte> sr = stackalloc byte[HashSize];
        path[0].CopyTo(fr);
        path[0].CopyTo(sr);
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                NodeHash(c, fr, fr);
                NodeHash(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                NodeHash(sr, c, sr);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, oldRoot) && CryptographicOperations.FixedTimeEquals(sr, newRoot);
    }

    internal static void DecodeHash(string hex, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(hex);
        if (hex.Length != 2 * HashSize
            || Convert.FromHexString(hex, destination, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != HashSize)
        {
            throw new FormatException("A hash must be 64 hexadecimal characters.");
        }
    }

    /// <summary>Parallel.For that rethrows a worker's exception as itself rather than wrapped.</summary>
    internal static void ParallelFor(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException($"The destination must hold {HashSize} bytes.", nameof(destination));
        }
    }

    internal static void CheckLength(byte[] hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (hash.Length != HashSize)
        {
            throw new ArgumentException($"Merkle tree hashes are {HashSize} bytes.", nameof(hash));
        }
    }

    // MTH(D[start:end]). Large ranges hash their leading perfect subtrees in parallel and join them as single nodes.
    private static byte[] RangeRoot(IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        var tree = new CompactMerkleTree();
        var subtrees = (end - start) >> ParallelSubtreeHeight;
        if (subtrees >= 2)
        {
            var roots = new byte[subtrees][];
            ParallelFor(subtrees, s =>
            {
                var first = start + (s << ParallelSubtreeHeight);
                roots[s] = SequentialRoot(leafHashes, first, first + (1 << ParallelSubtreeHeight));
            });
            foreach (var root in roots)
            {
                tree.AppendSubtree(root, ParallelSubtreeHeight);
            }
        }
        for (var i = start + (int)tree.Size; i < end; i++)
        {
            tree.Append(leafHashes[i]);
        }
        return tree.Root();
    }

    private static byte[] SequentialRoot(IReadOnlyList<byte[]> leafHashes, int start, int end)
    {
        var tree = new CompactMerkleTree();
        for (var i = start; i < end; i++)
        {
            tree.Append(leafHashes[i]);
        }
        return tree.Root();
    }
}

/// <summary>
/// An append-only RFC 9162 tree that keeps only the roots of its perfect subtrees (one per set bit of the size),
/// so leaves can be streamed and the root taken at any size in O(log n) memory.
/// </summary>
public sealed class CompactMerkleTree
{
    // At most 63 perfect subtrees for a size held in a long; the largest (leftmost) comes first.
    private readonly byte[] _frontier = new byte[63 * MerkleTree.HashSize];
    private int _depth;

    /// <summary>Number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>Appends one leaf hash (already SHA-256(0x00 ‖ data)).</summary>
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException($"Merkle tree hashes are {MerkleTree.HashSize} bytes.", nameof(leafHash));
        }
        AppendSubtree(leafHash, 0);
    }

    /// <summary>Appends the leaf for <paramref name="leafData"/>, hashing it as a leaf first.</summary>
    public void AppendLeafData(ReadOnlySpan<byte> leafData)
    {
        Span<byte> leaf = stackalloc byte[MerkleTree.HashSize];
        MerkleTree.LeafHash(leafData, leaf);
        Append(leaf);
    }

    /// <summary>
    /// Appends 2^<paramref name="height"/> leaves at once, given the root of their perfect subtree.
    /// The current size must be a multiple of 2^<paramref name="height"/>.
    /// </summary>
    public void AppendSubtree(ReadOnlySpan<byte> root, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 62);
        var leaves = 1L << height;
        if (root.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException($"Merkle tree hashes are {MerkleTree.HashSize} bytes.", nameof(root));
        }
        if (Size % leaves != 0)
        {
            throw new InvalidOperationException("A subtree can only be appended at a multiple of its size.");
        }
        Span<byte> node = stackalloc byte[MerkleTree.HashSize];
        root.CopyTo(node);
        // Each trailing one bit of the size (in units of the subtree) is a perfect subtree of the new node's
        // height, sitting last in the frontier: merge them.
        for (var size = Size >> height; (size & 1) == 1; size >>= 1)
        {
            _depth--;
            MerkleTree.NodeHash(Slot(_depth), node, node);
        }
        node.CopyTo(Slot(_depth));
        _depth++;
        Size += leaves;
    }

    /// <summary>The roots of its perfect subtrees, largest first (32 bytes each, one per set bit of <see cref="Size"/>): all it keeps.</summary>
    public byte[] Frontier() => _frontier.AsSpan(0, _depth * MerkleTree.HashSize).ToArray();

    /// <summary>The tree of <paramref name="size"/> leaves whose <see cref="Frontier"/> this is, or null when the frontier cannot be one of that size.</summary>
    public static CompactMerkleTree? FromFrontier(long size, ReadOnlySpan<byte> frontier)
    {
        var depth = System.Numerics.BitOperations.PopCount((ulong)size);
        if (size < 0 || frontier.Length != depth * MerkleTree.HashSize)
        {
            return null;
        }
        var tree = new CompactMerkleTree { Size = size, _depth = depth };
        frontier.CopyTo(tree._frontier);
        return tree;
    }

    /// <summary>An independent copy at the same size.</summary>
    public CompactMerkleTree Clone()
    {
        var copy = new CompactMerkleTree { Size = Size, _depth = _depth };
        _frontier.AsSpan(0, _depth * MerkleTree.HashSize).CopyTo(copy._frontier);
        return copy;
    }

    /// <summary>MTH of the leaves appended so far.</summary>
    public byte[] Root()
    {
        if (_depth == 0)
        {
            return MerkleTree.EmptyRoot();
        }
        // MTH splits at the largest power of two, so the root folds the subtrees from the right.
        var root = Slot(_depth - 1).ToArray();
        for (var i = _depth - 2; i >= 0; i--)
        {
            MerkleTree.NodeHash(Slot(i), root, root);
        }
        return root;
    }

    private Span<byte> Slot(int i) => _frontier.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize);
}
