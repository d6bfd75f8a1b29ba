using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// A query run through an open SQLite connection's own handle, each row handed over where SQLite holds it: for the
/// reads of millions of rows a night (subject keys, persons, events), where the ADO.NET reader's string per text column
/// and per-column checks cost more than SQLite's own step. Statements on the connection join its open transaction.
/// </summary>
public static class SqliteRows
{
    /// <summary>Prepares <paramref name="sql"/>, lets <paramref name="bind"/> set its parameters, calls <paramref name="onRow"/> per row.</summary>
    public static void ForEach(
        SqliteConnection connection, string sql, Action<sqlite3_stmt> bind, Action<SqliteRow> onRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(onRow);
        var database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(database, sql, out var statement);
        using (statement)
        {
            SqliteException.ThrowExceptionForRC(rc, database);
            bind(statement);
            var row = SqliteRow.Of(statement);
            while ((rc = Step(statement)) == raw.SQLITE_ROW)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onRow(row);
            }

            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, database);
            }
        }
    }

    /// <summary>sqlite3_step, through <see cref="SqliteNative"/>: for a loop over millions of rows on an open statement.</summary>
    public static int Step(sqlite3_stmt statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return SqliteNative.Step(statement);
    }

    /// <summary>Binds a 1-based parameter, throwing SQLite's error if it is refused.</summary>
    public static void Bind(sqlite3_stmt statement, int index, long value) =>
        SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_int64(statement, index, value), null);

    /// <inheritdoc cref="Bind(sqlite3_stmt, int, long)"/>
    public static void Bind(sqlite3_stmt statement, int index, string value) =>
        SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, index, value), null);
}
