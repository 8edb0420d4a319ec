using System.Reflection;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace GovernancePortal.Audit.Storage;

/// <summary>
/// Column access on a stepped SQLite statement straight through the engine's exported functions, without the
/// provider's safe-handle marshalling and GC transition per call. Verification asks for eleven columns of a million
/// rows, and those calls, not the bytes, were most of its reading time (bench/README.md). The functions only return a
/// pointer or a number from the current row, so suppressing the GC transition is safe for them; stepping still goes
/// through SQLitePCLRaw. When the engine library cannot be found by name, these calls go through SQLitePCLRaw's own.
/// </summary>
internal static unsafe class SqliteColumns
{
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*> ColumnBlob;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> ColumnBytes;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> ColumnType;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long> ColumnInt64;

    static SqliteColumns()
    {
        // The same library SQLitePCLRaw's provider imports, resolved the same way, so the same loaded copy.
        var provider = typeof(SQLite3Provider_e_sqlite3).Assembly;
        if (!NativeLibrary.TryLoad("e_sqlite3", provider, null, out var library)
            || !NativeLibrary.TryGetExport(library, "sqlite3_column_blob", out var blob)
            || !NativeLibrary.TryGetExport(library, "sqlite3_column_bytes", out var bytes)
            || !NativeLibrary.TryGetExport(library, "sqlite3_column_type", out var type)
            || !NativeLibrary.TryGetExport(library, "sqlite3_column_int64", out var int64))
        {
            return;
        }
        ColumnBlob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*>)blob;
        ColumnBytes = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)bytes;
        ColumnType = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)type;
        ColumnInt64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long>)int64;
        Available = true;
    }

    private static bool Available { get; }

    /// <summary>The column's bytes (text as UTF-8), valid until the statement steps again; empty for NULL and empty values.</summary>
    public static ReadOnlySpan<byte> Bytes(sqlite3_stmt statement, int column)
    {
        if (!Available)
        {
            return raw.sqlite3_column_blob(statement, column);
        }
        // SQLite's rule: ask for the pointer first, then its length.
        var handle = statement.DangerousGetHandle();
        var value = ColumnBlob(handle, column);
        return new ReadOnlySpan<byte>(value, ColumnBytes(handle, column));
    }

    public static bool IsNull(sqlite3_stmt statement, int column) =>
        (Available ? ColumnType(statement.DangerousGetHandle(), column) : raw.sqlite3_column_type(statement, column)) == raw.SQLITE_NULL;

    public static long Int64(sqlite3_stmt statement, int column) =>
        Available ? ColumnInt64(statement.DangerousGetHandle(), column) : raw.sqlite3_column_int64(statement, column);
}
