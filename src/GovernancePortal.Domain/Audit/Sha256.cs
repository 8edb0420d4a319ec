using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace GovernancePortal.Audit;

/// <summary>
/// SHA-256 for the audit trail's hot paths: every event hash, Merkle leaf and Merkle node while verifying a million
/// events. On Linux .NET reaches OpenSSL through its EVP interface, whose per-call setup dominates short inputs
/// (about 650 ns for a 33-byte leaf against 64 ns through OpenSSL's own <c>SHA256_Init/Update/Final</c>, which use
/// the CPU's SHA extensions just the same; measured in bench/README.md). Those functions are called directly when
/// the process's libcrypto exports them and they agree with <see cref="SHA256"/> on a self-test; otherwise (another
/// OS, a libcrypto built without the deprecated digest API) every call goes to <see cref="SHA256"/>. ADR-015.
/// </summary>
public static unsafe class Sha256
{
    public const int Size = 32;

    // Longer inputs go to .NET: the call's setup no longer matters there, and a native call that suppresses the GC
    // transition must stay short.
    private const int DirectMaxLength = 16 * 1024;

    // SHA256_CTX is 112 bytes in every OpenSSL since 0.9.8; room to spare, 8-byte aligned.
    private const int ContextLongs = 24;

    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, int> Init;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, byte*, nuint, int> Update;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, ulong*, int> Final;

    [ThreadStatic]
    private static IncrementalHash? _fallback;

    static Sha256()
    {
        if (Environment.GetEnvironmentVariable("GOVERNANCE_SHA256_DIRECT") == "0" || !TryBind(out var init, out var update, out var final))
        {
            return;
        }
        Init = init;
        Update = update;
        Final = final;
        UsesOpenSslDirectly = SelfTestPasses();
    }

    /// <summary>True when hashes are computed by OpenSSL's digest functions directly, false when by <see cref="SHA256"/>.</summary>
    public static bool UsesOpenSslDirectly { get; }

    /// <summary>SHA-256 of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination);
        if (UsesOpenSslDirectly && data.Length <= DirectMaxLength)
        {
            Direct(data, default, default, destination);
        }
        else
        {
            SHA256.HashData(data, destination);
        }
    }

    /// <summary>SHA-256 of <paramref name="prefix"/> ‖ <paramref name="first"/> ‖ <paramref name="second"/> (a Merkle leaf or node) into <paramref name="destination"/>, which may overlap the inputs.</summary>
    public static void Hash(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        CheckDestination(destination);
        ReadOnlySpan<byte> head = [prefix];
        if (UsesOpenSslDirectly && first.Length + second.Length < DirectMaxLength)
        {
            Direct(head, first, second, destination);
            return;
        }
        HashWithDotNet(prefix, first, second, destination);
    }

    /// <summary>The fallback of <see cref="Hash(byte, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>, through .NET only (tests compare both).</summary>
    internal static void HashWithDotNet(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        var sha = _fallback ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([prefix]);
        sha.AppendData(first);
        sha.AppendData(second);
        // Every use appends and finalizes with nothing in between that can throw, so no state leaks between hashes.
        sha.GetHashAndReset(destination);
    }

    private static void Direct(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c, Span<byte> destination)
    {
        var context = stackalloc ulong[ContextLongs];
        Span<byte> digest = stackalloc byte[Size];
        fixed (byte* pa = a, pb = b, pc = c, pd = digest)
        {
            var ok = Init(context) == 1 && Update(context, pa, (nuint)a.Length) == 1;
            ok = ok && (b.IsEmpty || Update(context, pb, (nuint)b.Length) == 1);
            ok = ok && (c.IsEmpty || Update(context, pc, (nuint)c.Length) == 1);
            if (!(ok && Final(pd, context) == 1))
            {
                // OpenSSL's digest functions only fail on a null argument; never hand back an unfinished hash.
                throw new CryptographicException("OpenSSL's SHA-256 failed.");
            }
        }
        // Written last, so destination may alias an input.
        digest.CopyTo(destination);
    }

    private static bool TryBind(
        out delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, int> init,
        out delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, byte*, nuint, int> update,
        out delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, ulong*, int> final)
    {
        init = null;
        update = null;
        final = null;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        foreach (var name in (string[])["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"])
        {
            if (NativeLibrary.TryLoad(name, out var library)
                && NativeLibrary.TryGetExport(library, "SHA256_Init", out var i)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var u)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var f))
            {
                init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, int>)i;
                update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<ulong*, byte*, nuint, int>)u;
                final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, ulong*, int>)f;
                return true;
            }
        }
        return false;
    }

    // Lengths around the 64-byte block boundaries and a long input, split across the three parts.
    private static bool SelfTestPasses()
    {
        var data = new byte[5000];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i * 31 + 7);
        }
        Span<byte> expected = stackalloc byte[Size];
        Span<byte> actual = stackalloc byte[Size];
        foreach (var length in (int[])[0, 1, 33, 55, 56, 63, 64, 65, 119, 120, 128, 732, 5000])
        {
            var input = data.AsSpan(0, length);
            SHA256.HashData(input, expected);
            var third = length / 3;
            try
            {
                Direct(input[..third], input[third..(2 * third)], input[(2 * third)..], actual);
            }
            catch (CryptographicException)
            {
                return false;
            }
            if (!actual.SequenceEqual(expected))
            {
                return false;
            }
        }
        return true;
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length != Size)
        {
            throw new ArgumentException($"A SHA-256 hash is {Size} bytes.", nameof(destination));
        }
    }
}
