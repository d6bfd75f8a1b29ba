using System.Text.RegularExpressions;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

/// <summary>
/// The SQL the server dialects generate. PostgreSQL also runs for real in every store test; SQL Server cannot run on the
/// build machines, so these and the migration checks are what keeps its dialect honest.
/// </summary>
public sealed partial class ServerDialectTests
{
    private static readonly TableSpec Water = new("usage_water", ["date", "household_no", "liters", "file_id"], ["date", "household_no"]);

    private static readonly TableSpec Outcome = new(
        "outcome", ["household_no", "visited_on", "outcome", "origin"], ["household_no", "visited_on", "outcome"], "outcome.origin = 'feed'");

    [Fact]
    public void Postgres_merge_keeps_the_last_staged_row_of_a_key_and_updates_on_conflict()
    {
        var sql = PostgresDialect.MergeSql(Water, "stage");

        Assert.Equal(
            "INSERT INTO usage_water (date, household_no, liters, file_id) SELECT date, household_no, liters, file_id FROM " +
            "(SELECT DISTINCT ON (date, household_no) date, household_no, liters, file_id FROM stage ORDER BY date, household_no, rw_seq DESC) AS staged " +
            "ON CONFLICT (date, household_no) DO UPDATE SET liters = excluded.liters, file_id = excluded.file_id",
            sql);
    }

    [Fact]
    public void Merge_of_rows_whose_keys_the_loader_already_made_unique_skips_picking_the_last()
    {
        var unique = Water with { KeyUniqueInFile = true };

        Assert.Equal(
            "INSERT INTO usage_water (date, household_no, liters, file_id) SELECT date, household_no, liters, file_id FROM stage " +
            "ON CONFLICT (date, household_no) DO UPDATE SET liters = excluded.liters, file_id = excluded.file_id",
            PostgresDialect.MergeSql(unique, "stage"));
        Assert.StartsWith(
            "MERGE INTO usage_water WITH (HOLDLOCK) USING (SELECT date, household_no, liters, file_id FROM #rw_stage_usage_water) AS source",
            SqlServerDialect.MergeSql(unique),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_merge_with_a_condition_updates_only_rows_that_meet_it()
    {
        Assert.EndsWith(
            "DO UPDATE SET origin = excluded.origin WHERE outcome.origin = 'feed'",
            PostgresDialect.MergeSql(Outcome, "stage"),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_staging_table_copies_the_target_columns_and_drops_at_commit()
    {
        Assert.Equal(
            "CREATE TEMPORARY TABLE s ON COMMIT DROP AS SELECT date, household_no, liters, file_id, 0::bigint AS rw_seq FROM usage_water WITH NO DATA",
            PostgresDialect.CreateStagingSql(Water, "s"));
    }

    [Fact]
    public void Fresh_range_probes_look_up_each_value_by_the_key_index()
    {
        var usage = Water with { KeyUniqueInFile = true, FreshRangeColumn = "date" };

        Assert.Equal(
            "SELECT v FROM unnest(@values) AS v WHERE EXISTS (SELECT 1 FROM usage_water WHERE date = v)",
            PostgresDialect.FreshRangeProbeSql(usage));
        Assert.Equal(
            "SELECT v FROM (VALUES (@v0), (@v1)) AS probe(v) WHERE EXISTS (SELECT 1 FROM usage_water WHERE usage_water.date = probe.v)",
            SqlServerDialect.FreshRangeProbeSql(usage, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SqlServerDialect.FreshRangeProbeSql(usage, SqlServerDialect.FreshRangeProbeValues + 1));
    }

    [Fact]
    public void Sqlserver_merge_numbers_staged_rows_and_matches_on_the_key()
    {
        var sql = SqlServerDialect.MergeSql(Water);

        Assert.Equal(
            "MERGE INTO usage_water WITH (HOLDLOCK) USING (SELECT date, household_no, liters, file_id FROM (SELECT date, household_no, liters, file_id, " +
            "ROW_NUMBER() OVER (PARTITION BY date, household_no ORDER BY rw_seq DESC) AS rw_last FROM #rw_stage_usage_water) AS numbered WHERE rw_last = 1) AS source " +
            "ON usage_water.date = source.date AND usage_water.household_no = source.household_no " +
            "WHEN MATCHED THEN UPDATE SET liters = source.liters, file_id = source.file_id " +
            "WHEN NOT MATCHED THEN INSERT (date, household_no, liters, file_id) VALUES (source.date, source.household_no, source.liters, source.file_id);",
            sql);
    }

    [Fact]
    public void Sqlserver_upsert_of_one_row_is_a_merge_with_the_condition_on_the_existing_row()
    {
        var sql = new SqlServerDialect().UpsertSql(Outcome);

        Assert.StartsWith(
            "MERGE INTO outcome WITH (HOLDLOCK) USING (SELECT @household_no AS household_no, @visited_on AS visited_on, @outcome AS outcome, @origin AS origin) AS source",
            sql,
            StringComparison.Ordinal);
        Assert.Contains("WHEN MATCHED AND outcome.origin = 'feed' THEN UPDATE SET origin = source.origin", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlserver_insert_returns_the_generated_key_with_output()
    {
        Assert.Equal(
            "INSERT INTO ingest_file (file_name, feed) OUTPUT INSERTED.file_id VALUES (@file_name, @feed)",
            new SqlServerDialect().InsertReturningSql("ingest_file", ["file_name", "feed"], "file_id"));
    }

    [Fact]
    public void Keyless_tables_are_plain_inserts_in_file_order()
    {
        var quarantine = new TableSpec("household", ["household_no", "household_key"], []);

        Assert.Equal(
            "INSERT INTO household (household_no, household_key) SELECT household_no, household_key FROM s ORDER BY rw_seq",
            PostgresDialect.MergeSql(quarantine, "s"));
        Assert.Equal(
            "INSERT INTO household (household_no, household_key) SELECT household_no, household_key FROM #rw_stage_household ORDER BY rw_seq",
            SqlServerDialect.MergeSql(quarantine));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlserver")]
    public void Every_dialect_migrates_the_same_tables_and_columns_as_sqlite(string folder)
    {
        var expected = Columns("sqlite");

        var actual = Columns(folder);

        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (table, columns) in expected)
        {
            Assert.Equal(columns, actual[table]);
        }
    }

    [Fact]
    public void Sqlserver_store_uri_opens_a_sqlserver_dialect_without_connecting()
    {
        var location = StoreLocation.Parse("sqlserver://rw:pw@db.local:1444/riskwatch");

        Assert.Contains("Data Source=db.local,1444", location.ConnectionString, StringComparison.Ordinal);
        Assert.Contains("Initial Catalog=riskwatch", location.ConnectionString, StringComparison.Ordinal);
        Assert.Equal(
            SchemaMigrator.Discover("sqlite").Select(m => m.Name),
            SchemaMigrator.Discover(new SqlServerDialect().MigrationFolder).Select(m => m.Name));
    }

    /// <summary>Table → column names, in order, of a dialect's migrations.</summary>
    private static SortedDictionary<string, List<string>> Columns(string folder)
    {
        var tables = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var migration in SchemaMigrator.Discover(folder))
        {
            foreach (Match table in CreateTable().Matches(migration.Sql))
            {
                tables[table.Groups["name"].Value] = table.Groups["body"].Value.Split('\n')
                    .Select(line => line.Trim())
                    .Where(line => line.Length > 0 && !line.StartsWith("PRIMARY KEY", StringComparison.Ordinal) && !line.StartsWith("--", StringComparison.Ordinal))
                    .Select(line => line.Split(' ', 2)[0])
                    .ToList();
            }
        }

        return tables;
    }

    [GeneratedRegex(@"CREATE TABLE (?<name>\w+) \((?<body>.*?)\n\)", RegexOptions.Singleline)]
    private static partial Regex CreateTable();
}
