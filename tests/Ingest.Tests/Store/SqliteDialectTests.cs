using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SqliteDialectTests
{
    private readonly SqliteDialect _dialect = new();

    [Fact]
    public void Upsert_updates_every_non_key_column_from_the_excluded_row()
    {
        var sql = _dialect.UpsertSql(new TableSpec("usage_water", ["date", "household_no", "liters", "file_id"], ["date", "household_no"]));

        Assert.Equal(
            "INSERT INTO usage_water (date, household_no, liters, file_id) VALUES (@date, @household_no, @liters, @file_id) " +
            "ON CONFLICT (date, household_no) DO UPDATE SET liters = excluded.liters, file_id = excluded.file_id",
            sql);
    }

    [Fact]
    public void Upsert_with_a_condition_leaves_other_rows_alone()
    {
        var sql = _dialect.UpsertSql(new TableSpec("outcome", ["household_no", "origin"], ["household_no"], "outcome.origin = 'feed'"));

        Assert.EndsWith("DO UPDATE SET origin = excluded.origin WHERE outcome.origin = 'feed'", sql, StringComparison.Ordinal);
    }
}
