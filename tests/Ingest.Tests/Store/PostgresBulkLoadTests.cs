using System.Data.Common;
using Dapper;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Store;

/// <summary>
/// The two paths of PostgreSQL's bulk writer, on a real server: days no stored row falls in go by COPY straight into
/// the table; a batch that meets stored days goes through the staging table and ON CONFLICT, as re-sends need.
/// </summary>
public sealed class PostgresBulkLoadTests
{
    // More than one batch of the writer (65,536 rows), so that the second batch continues a day the first one wrote.
    private const int Households = 40_000;

    private static readonly TableSpec Usage = new(
        "usage_electricity", ["date", "household_no", "kwh", "active_hours", "quality", "file_id"], ["date", "household_no"])
    {
        KeyUniqueInFile = true,
        FreshRangeColumn = "date",
    };

    [Fact]
    public async Task Days_with_no_stored_rows_are_copied_straight_into_the_table()
    {
        using var folder = new TempFolder();
        using var store = await RiskStore.OpenAsync(PostgresLocation.In(folder.Path), TestContext.Current.CancellationToken);
        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);

        var staged = await WriteAsync(store, connection, fileId: 1, kwh: 1.5, ["2026-07-01", "2026-07-02"]);

        Assert.False(staged);
        Assert.Equal(
            [("2026-07-01", (long)Households, 1.5 * Households), ("2026-07-02", Households, 1.5 * Households)],
            await DaysAsync(connection));
    }

    [Fact]
    public async Task A_batch_over_a_stored_day_merges_it_and_keeps_the_other_files_rows()
    {
        using var folder = new TempFolder();
        using var store = await RiskStore.OpenAsync(PostgresLocation.In(folder.Path), TestContext.Current.CancellationToken);
        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await WriteAsync(store, connection, fileId: 1, kwh: 1.0, ["2026-07-01"], households: 100);

        // A later file repeats 07-01 for more households (100 of them stored, with other values) and adds 07-02.
        var staged = await WriteAsync(store, connection, fileId: 2, kwh: 2.0, ["2026-07-01", "2026-07-02"]);

        Assert.True(staged);
        Assert.Equal(
            [("2026-07-01", (long)Households, 2.0 * Households), ("2026-07-02", Households, 2.0 * Households)],
            await DaysAsync(connection));
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_electricity WHERE file_id = 1"));
    }

    [Fact]
    public async Task A_direct_copy_that_fails_leaves_nothing_behind()
    {
        using var folder = new TempFolder();
        using var store = await RiskStore.OpenAsync(PostgresLocation.In(folder.Path), TestContext.Current.CancellationToken);
        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);

        await using (var transaction = await store.Dialect.BeginWriteTransactionAsync(connection, TestContext.Current.CancellationToken))
        using (var writer = store.Dialect.CreateBulkWriter(connection, transaction, Usage, buffered: true))
        {
            Add(writer, "2026-07-01", 1, 1.0, fileId: 1);
            Add(writer, "2026-07-01", 2, 1.0, fileId: 1);
            await writer.FlushAsync(TestContext.Current.CancellationToken);
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
        }

        Assert.Empty(await DaysAsync(connection));
    }

    /// <summary>Writes every household on each day in one transaction; true when a staging table was used.</summary>
    private static async Task<bool> WriteAsync(RiskStore store, DbConnection connection, long fileId, double kwh, string[] days, int households = Households)
    {
        await using var transaction = await store.Dialect.BeginWriteTransactionAsync(connection, TestContext.Current.CancellationToken);
        using (var writer = store.Dialect.CreateBulkWriter(connection, transaction, Usage, buffered: true))
        {
            foreach (var day in days)
            {
                for (var household = 1; household <= households; household++)
                {
                    Add(writer, day, household, kwh, fileId);
                }
            }

            await writer.FlushAsync(TestContext.Current.CancellationToken);
        }

        // The staging table is temporary and dropped at commit: look for it before.
        var staged = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relname LIKE 'rw_stage_usage_electricity%'",
            transaction: transaction);
        await transaction.CommitAsync(TestContext.Current.CancellationToken);
        return staged > 0;
    }

    private static void Add(IBulkWriter writer, string day, long household, double kwh, long fileId)
    {
        writer.Set(0, day);
        writer.Set(1, household);
        writer.Set(2, kwh);
        writer.Set(3, 5L);
        writer.Set(4, "measured");
        writer.Set(5, fileId);
        writer.AddRow();
    }

    private static async Task<List<(string Day, long Rows, double Kwh)>> DaysAsync(DbConnection connection) =>
        (await connection.QueryAsync<(string, long, double)>(
            "SELECT date, COUNT(*), SUM(kwh) FROM usage_electricity GROUP BY date ORDER BY date")).AsList();
}
