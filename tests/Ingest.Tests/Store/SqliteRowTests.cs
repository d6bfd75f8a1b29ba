using System.Text;
using Microsoft.Data.Sqlite;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SqliteRowTests
{
    [Fact]
    public void The_bundled_SQLite_is_read_through_its_own_functions()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var value = 0L;
        SqliteRows.ForEach(connection, "SELECT 42", _ => { }, row => value = row.Int64(0), CancellationToken.None);

        // Otherwise the rows are still read (through the wrapper), but the night loses what the direct calls save.
        Assert.Equal(42, value);
        Assert.True(SqliteNative.Direct);
    }

    [Fact]
    public void A_row_gives_each_column_as_SQLite_holds_it()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        var rows = new List<string>();

        SqliteRows.ForEach(
            connection,
            "SELECT 9007199254740993, -0.25, NULL, '관심 2026-12-04', x'00ff10', '' UNION ALL SELECT -1, 3, 7, 'b', NULL, NULL",
            _ => { },
            row => rows.Add(string.Join(
                '|',
                row.Int64(0),
                row.Double(1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                row.IsNull(2),
                row.Text(3),
                Convert.ToHexString(row.Bytes(4)),
                row.IsNull(5),
                row.Bytes(5).Length)),
            CancellationToken.None);

        Assert.Equal(
            [
                "9007199254740993|-0.25|True|관심 2026-12-04|00FF10|False|0",
                "-1|3|False|b||True|0",
            ],
            rows);
    }

    [Fact]
    public void Text_bytes_are_the_stored_UTF8_unconverted()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        byte[]? bytes = null;

        SqliteRows.ForEach(connection, "SELECT '고독사'", _ => { }, row => bytes = row.Bytes(0).ToArray(), CancellationToken.None);

        Assert.Equal(Encoding.UTF8.GetBytes("고독사"), bytes);
    }
}
