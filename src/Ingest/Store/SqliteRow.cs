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
/// Valid only while the statement is open and on this row, like the values SQLite hands out (hence a ref struct: it
/// cannot be kept past the callback it is handed to). The calls are <see cref="SqliteNative"/>'s.
/// </remarks>
public readonly ref struct SqliteRow
{
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _pointer;

    private SqliteRow(sqlite3_stmt statement)
    {
        _statement = statement;
        _pointer = statement.DangerousGetHandle();
    }

    /// <summary>The current row of <paramref name="statement"/>, which the caller keeps open while it reads it.</summary>
    public static SqliteRow Of(sqlite3_stmt statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return new SqliteRow(statement);
    }

    public long Int64(int column) => SqliteNative.Direct ? SqliteNative.sqlite3_column_int64(_pointer, column) : raw.sqlite3_column_int64(_statement, column);

    public double Double(int column) => SqliteNative.Direct ? SqliteNative.sqlite3_column_double(_pointer, column) : raw.sqlite3_column_double(_statement, column);

    public bool IsNull(int column) =>
        (SqliteNative.Direct ? SqliteNative.sqlite3_column_type(_pointer, column) : raw.sqlite3_column_type(_statement, column)) == raw.SQLITE_NULL;

    /// <summary>The column's bytes where SQLite holds them (a TEXT column's UTF-8, unconverted); empty for NULL.</summary>
    public unsafe ReadOnlySpan<byte> Bytes(int column)
    {
        if (!SqliteNative.Direct)
        {
            return raw.sqlite3_column_blob(_statement, column);
        }

        // SQLite's order: the pointer first, then the length of what it points at.
        var pointer = SqliteNative.sqlite3_column_blob(_pointer, column);
        var length = SqliteNative.sqlite3_column_bytes(_pointer, column);
        return pointer == IntPtr.Zero ? default : new ReadOnlySpan<byte>((void*)pointer, length);
    }

    /// <summary>A TEXT column as a new string.</summary>
    public string Text(int column) => Encoding.UTF8.GetString(Bytes(column));
}
