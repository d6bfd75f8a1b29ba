using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// The row a prepared SQLite statement is on, its columns read through SQLite's C functions with the statement's own
/// pointer. The night reads ~60M columns (persons, households, events, subject keys, the new day's usage rows), and the
/// wrapper's statement handle is reference-counted around every native call: a profile of the 1M night put that
/// counting at ~8% of all its CPU, more than SQLite's own work on those columns.
/// </summary>
/// <remarks>
/// Valid only while the statement is open and on this row, like the values SQLite hands out; the caller keeps the
/// <see cref="sqlite3_stmt"/> it came from alive (a <c>using</c> around the stepping loop).
/// </remarks>
public readonly partial struct SqliteRow
{
    private readonly IntPtr _statement;

    private SqliteRow(IntPtr statement) => _statement = statement;

    /// <summary>The current row of <paramref name="statement"/>, which the caller keeps open while it reads it.</summary>
    public static SqliteRow Of(sqlite3_stmt statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return new SqliteRow(statement.DangerousGetHandle());
    }

    public long Int64(int column) => Native.sqlite3_column_int64(_statement, column);

    public double Double(int column) => Native.sqlite3_column_double(_statement, column);

    public bool IsNull(int column) => Native.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    /// <summary>The column's bytes where SQLite holds them (a TEXT column's UTF-8, unconverted); empty for NULL.</summary>
    public unsafe ReadOnlySpan<byte> Bytes(int column)
    {
        // SQLite's order: the pointer first, then the length of what it points at.
        var pointer = Native.sqlite3_column_blob(_statement, column);
        var length = Native.sqlite3_column_bytes(_statement, column);
        return pointer == IntPtr.Zero ? default : new ReadOnlySpan<byte>((void*)pointer, length);
    }

    /// <summary>A TEXT column as a new string.</summary>
    public string Text(int column) => Encoding.UTF8.GetString(Bytes(column));

    /// <summary>
    /// The library SQLitePCLRaw's bundle loads, called directly. The column functions neither block nor call back (the
    /// store runs SQLite in multi-thread mode, so they take no mutex): they skip the runtime's GC transition too.
    /// </summary>
    private static partial class Native
    {
        private const string Library = "e_sqlite3";

        [LibraryImport(Library)]
        [SuppressGCTransition]
        internal static partial long sqlite3_column_int64(IntPtr statement, int column);

        [LibraryImport(Library)]
        [SuppressGCTransition]
        internal static partial double sqlite3_column_double(IntPtr statement, int column);

        [LibraryImport(Library)]
        [SuppressGCTransition]
        internal static partial int sqlite3_column_type(IntPtr statement, int column);

        [LibraryImport(Library)]
        [SuppressGCTransition]
        internal static partial IntPtr sqlite3_column_blob(IntPtr statement, int column);

        [LibraryImport(Library)]
        [SuppressGCTransition]
        internal static partial int sqlite3_column_bytes(IntPtr statement, int column);
    }
}
