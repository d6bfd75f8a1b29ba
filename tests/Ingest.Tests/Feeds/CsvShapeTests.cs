using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Feeds;

/// <summary>RFC 4180 as SPEC allows it: BOM, CRLF, quoting, free column order, unknown columns, and exact line numbers.</summary>
public abstract class CsvShapeTests
{
    private const string ElectricityHeader = "household_id,date,kwh,active_hours,quality";

    [Fact]
    public async Task Byte_order_mark_is_ignored()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", $"{ElectricityHeader}\nH1,2026-09-14,1.5,3,measured\n", bom: true);

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 0), (result.Status, result.RowsLoaded, result.RowsQuarantined));
    }

    [Fact]
    public async Task Crlf_line_ends_are_read_like_lf()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", $"{ElectricityHeader}\r\nH1,2026-09-14,1.5,3,measured\r\nH2,2026-09-14,,,missing\r\nH3,2026-09-14,x,3,measured\r\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 2, 1), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal((4, "kwh"), (await harness.QuarantineAsync()).Select(q => (q.Line, q.Column)).Single());
        Assert.Equal(["measured", "missing"], await harness.QueryAsync<string>("SELECT quality FROM usage_electricity ORDER BY household_no"));
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_quotes_and_line_breaks()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "residents_20260914.csv",
            "rrn,household_id,name,birth_date,sex,dong_code,address,phone,household_size,relation,housing_type,status,status_date\r\n" +
            "\"6806122842950\",\"H1\",\"김 \"\"영희\"\"\",1968-06-12,F,2824551000,\"인천광역시 계양구, 510로 2\r\n(반지하)\",,1,head,basement,active,\r\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 0), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        var (name, address) = Assert.Single(await harness.QueryAsync<(byte[], byte[])>("SELECT name_enc, address_enc FROM identity"));
        Assert.Equal("김 \"영희\"", harness.Keys.Vault.Open(name));
        Assert.Equal("인천광역시 계양구, 510로 2\r\n(반지하)", harness.Keys.Vault.Open(address));
        Assert.Equal(0, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM identity WHERE phone_enc IS NOT NULL"));
    }

    [Fact]
    public async Task Columns_in_any_order_with_unknown_extra_columns_are_read_by_name()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "usage_electricity_20260914.csv",
            "quality,meter_serial,kwh,household_id,active_hours,date,comment\nmeasured,SN-1,12.345,H7,9,2026-09-14,\"ok, fine\"\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 0), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal(
            [(12.345, 9L, "measured", "2026-09-14")],
            await harness.QueryAsync<(double, long, string, string)>("SELECT kwh, active_hours, quality, date FROM usage_electricity"));
    }

    [Fact]
    public async Task Line_numbers_are_physical_lines_counting_quoted_line_breaks_and_empty_lines()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "reports_20261009.csv",
            "report_id,household_id,rrn,channel,reported_at,note\n" +
            "R1,H1,,neighbor,2026-10-09T10:00:00+09:00,\"two\nlines\"\n" +
            "\n" +
            "R2,H2,,pigeon,2026-10-09T10:00:00+09:00,\n" +
            "R3,H3,,landlord,2026-10-09T10:00:00,\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 2), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal([(5, "channel"), (6, "reported_at")], (await harness.QuarantineAsync()).Select(q => (q.Line, q.Column)));
    }

    [Fact]
    public async Task Row_with_more_or_fewer_fields_than_the_header_is_quarantined()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "usage_electricity_20260914.csv",
            $"{ElectricityHeader}\nH1,2026-09-14,1.5,3,measured,extra\nH2,2026-09-14,1.5,3\nH3,2026-09-14,1.5,3,measured\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 2), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal(
            [(2, "(row)", "the row has 6 fields, the header has 5"), (3, "(row)", "the row has 4 fields, the header has 5")],
            (await harness.QuarantineAsync()).Select(q => (q.Line, q.Column, q.Reason)));
    }

    [Fact]
    public async Task Stray_quote_quarantines_its_row_only()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", $"{ElectricityHeader}\nH1,2026-09-14,1\"5,3,measured\nH2,2026-09-14,1.5,3,measured\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 1), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        var quarantined = Assert.Single(await harness.QuarantineAsync());
        Assert.Equal((2, "(row)"), (quarantined.Line, quarantined.Column));
        Assert.StartsWith("malformed quoting", quarantined.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unclosed_quote_quarantines_the_rest_of_the_file_as_one_row_and_keeps_the_rows_before()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "usage_electricity_20260914.csv",
            $"{ElectricityHeader}\nH1,2026-09-14,1.5,3,measured\nH2,2026-09-14,\"1.5,3,measured\nH3,2026-09-14,1.5,3,measured\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 1), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        var quarantined = Assert.Single(await harness.QuarantineAsync());
        Assert.Equal((3, "(row)"), (quarantined.Line, quarantined.Column));
        Assert.Contains("never closed", quarantined.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unclosed_quote_swallowing_megabytes_rejects_the_file_instead_of_buffering_it()
    {
        using var harness = await NewHarnessAsync();
        var rows = string.Concat(Enumerable.Range(1, 60_000).Select(i => $"H{i},2026-09-14,1.5,3,measured\n"));
        harness.AddFile("usage_electricity_20260914.csv", $"{ElectricityHeader}\nH0,2026-09-14,\"1.5,3,measured\n{rows}");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("rejected", 0), (result.Status, result.RowsLoaded));
        Assert.Equal("usage_electricity_20260914.csv: not readable as CSV near line 2", result.Error);
        Assert.Equal(0, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM usage_electricity"));
        Assert.Equal(0, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM household"));
    }

    [Fact]
    public async Task Empty_file_is_rejected()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("welfare_20261119.csv", string.Empty);

        var result = await harness.IngestOneAsync();

        Assert.Equal(("rejected", "welfare_20261119.csv: the file is empty (no header row)"), (result.Status, result.Error));
    }

    [Fact]
    public async Task Header_only_file_loads_no_rows()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("welfare_20261119.csv", "rrn,event,event_date\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 0, 0), (result.Status, result.RowsLoaded, result.RowsQuarantined));
    }

    [Fact]
    public async Task Several_missing_columns_are_named_in_one_error()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_telecom_20260914.csv", "rrn,date,calls_in\n6806122842950,2026-09-14,1\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(
            "usage_telecom_20260914.csv: missing required columns 'calls_out', 'sms_out', 'data_mb'",
            result.Error);
    }

    [Theory]
    [InlineData("readme.txt")]
    [InlineData("usage_electricity_2026-09-14.csv")]
    [InlineData("usage_electricity_20260914.CSV")]
    [InlineData("usage_electricity_20260914.v2.csv.tmp")]
    public async Task File_whose_name_does_not_follow_spec_is_reported_as_rejected(string fileName)
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(fileName, $"{ElectricityHeader}\nH1,2026-09-14,1.5,3,measured\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal((fileName, "rejected", (string?)null), (result.File, result.Status, result.Feed));
        Assert.Contains("{feed}_{YYYYMMDD}.csv", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM usage_electricity"));
    }

    [Theory]
    [InlineData("heating_20261025.csv", "unknown feed 'heating'")]
    [InlineData("usage_electricity_20260231.csv", "is not a date")]
    public async Task File_of_unknown_feed_or_impossible_date_is_rejected(string fileName, string error)
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(fileName, "a,b\n1,2\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal("rejected", result.Status);
        Assert.Contains(error, result.Error, StringComparison.Ordinal);
    }

    private protected abstract StoreLocation Locate(string folder);

    private protected Task<IngestHarness> NewHarnessAsync() => IngestHarness.CreateAsync(Locate);
}

public sealed class SqliteCsvShapeTests : CsvShapeTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}

public sealed class PostgresCsvShapeTests : CsvShapeTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
