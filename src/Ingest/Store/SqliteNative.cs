using System.Runtime.InteropServices;
using SQLitePCL;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// SQLite's C functions for the calls made millions of times a night (column reads, steps, binding numbers), on a
/// statement's own pointer. SQLitePCLRaw's wrapper reference-counts the statement's handle around every native call,
/// and at a million households that counting cost more than SQLite's own work on the columns (<see cref="SqliteRow"/>).
/// </summary>
/// <remarks>
/// The direct calls go to the library SQLitePCLRaw's bundle loads, <c>e_sqlite3</c>; where another provider is set up
/// (<see cref="Direct"/> false), callers use the wrapper's own calls instead. With the runtime's usual transition: in
/// SQLite's serialized mode (a host that did not ask for multi-thread mode) even a column read takes the connection's
/// mutex. The caller keeps the statement open (and its handle alive) across each call.
/// </remarks>
internal static partial class SqliteNative
{
    internal const string Library = "e_sqlite3";

    /// <summary>Whether SQLitePCLRaw was set up with the library these calls go to.</summary>
    internal static bool Direct => Provider.Direct;

    [LibraryImport(Library)]
    internal static partial long sqlite3_column_int64(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial double sqlite3_column_double(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial int sqlite3_column_type(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial IntPtr sqlite3_column_blob(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial int sqlite3_column_bytes(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial int sqlite3_step(IntPtr statement);

    [LibraryImport(Library)]
    internal static partial int sqlite3_reset(IntPtr statement);

    [LibraryImport(Library)]
    internal static partial int sqlite3_bind_int64(IntPtr statement, int index, long value);

    [LibraryImport(Library)]
    internal static partial int sqlite3_bind_double(IntPtr statement, int index, double value);

    // The handle's pointer, read without the reference counting the wrapper's calls do (the caller keeps it open).
    internal static int Step(sqlite3_stmt statement) => Direct ? sqlite3_step(statement.DangerousGetHandle()) : raw.sqlite3_step(statement);

    internal static int Reset(sqlite3_stmt statement) => Direct ? sqlite3_reset(statement.DangerousGetHandle()) : raw.sqlite3_reset(statement);

    internal static int BindInt64(sqlite3_stmt statement, int index, long value) =>
        Direct ? sqlite3_bind_int64(statement.DangerousGetHandle(), index, value) : raw.sqlite3_bind_int64(statement, index, value);

    internal static int BindDouble(sqlite3_stmt statement, int index, double value) =>
        Direct ? sqlite3_bind_double(statement.DangerousGetHandle(), index, value) : raw.sqlite3_bind_double(statement, index, value);

    private static class Provider
    {
        internal static readonly bool Direct;

        // Explicit, so that it runs at the first call, once a connection has set the provider up, and not earlier.
        static Provider() => Direct = string.Equals(raw.GetNativeLibraryName(), Library, StringComparison.Ordinal);
    }
}
