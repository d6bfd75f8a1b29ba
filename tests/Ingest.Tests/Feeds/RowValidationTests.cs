using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Feeds;

/// <summary>Every field is checked as SPEC types it; a bad row is quarantined with its column and a reason free of personal data.</summary>
public abstract class RowValidationTests
{
    private const string Rrn = "6806122842950";
    private const string ResidentsHeader = "rrn,household_id,name,birth_date,sex,dong_code,address,phone,household_size,relation,housing_type,status,status_date";

    public static TheoryData<string, string, string, string, string> BadRows { get; } = new()
    {
        // file, header, bad row, column, start of reason
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,2824551000,주소,,1,head,apartment,deceased,", "status_date", "status_date is required unless status is active" },
        { "residents_20260914.csv", ResidentsHeader, "6806129842950,H1,김영희,1968-06-12,F,2824551000,주소,,1,head,apartment,active,", "rrn", "rrn: the 7th digit" },
        { "residents_20260914.csv", ResidentsHeader, "6813322842950,H1,김영희,1968-06-12,F,2824551000,주소,,1,head,apartment,active,", "rrn", "rrn: the first 6 digits are not a valid date" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H_1,김영희,1968-06-12,F,2824551000,주소,,1,head,apartment,active,", "household_id", "household_id must be 1–20 characters" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,,1968-06-12,F,2824551000,주소,,1,head,apartment,active,", "name", "name is required" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-02-30,F,2824551000,주소,,1,head,apartment,active,", "birth_date", "birth_date: day 30 out of range" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,X,2824551000,주소,,1,head,apartment,active,", "sex", "sex: unknown value 'X'" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,282455100,주소,,1,head,apartment,active,", "dong_code", "dong_code must be 10 digits" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,2824551000,주소,,0,head,apartment,active,", "household_size", "household_size must be a whole number" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,2824551000,주소,,1,boss,apartment,active,", "relation", "relation: unknown value 'boss'" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,2824551000,주소,,1,head,castle,active,", "housing_type", "housing_type: unknown value 'castle'" },
        { "residents_20260914.csv", ResidentsHeader, $"{Rrn},H1,김영희,1968-06-12,F,2824551000,주소,,1,head,apartment,{Rrn},", "status", "status: unknown value (expected" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,1.5,,missing", "kwh", "kwh must be empty when quality is missing" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,,5,measured", "kwh", "kwh is required" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,1.2345,5,measured", "kwh", "kwh must be a number ≥ 0 with at most 3 decimals" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,-1,5,measured", "kwh", "kwh must be a number ≥ 0" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,1.5,25,measured", "active_hours", "active_hours must be a whole number 0–24" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,1.5,,measured", "active_hours", "active_hours is required" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-9-14,1.5,5,measured", "date", "date must be a date YYYY-MM-DD" },
        { "usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality", "H1,2026-09-14,1.5,5,guessed", "quality", "quality: unknown value 'guessed'" },
        { "usage_water_20260914.csv", "household_id,date,liters,quality", "H1,2026-09-14,1e3,measured", "liters", "liters must be a number ≥ 0" },
        { "usage_water_20260914.csv", "household_id,date,liters,quality", "H1,2026-09-14,3,missing", "liters", "liters must be empty when quality is missing" },
        { "usage_telecom_20260914.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb", $"{Rrn},2026-09-14,-1,0,0,1.0", "calls_out", "calls_out must be a whole number ≥ 0" },
        { "usage_telecom_20260914.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb", $"{Rrn},2026-09-14,1,0,0,lots", "data_mb", "data_mb must be a number ≥ 0" },
        { "usage_telecom_20260914.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb", "680612284295,2026-09-14,1,0,0,1", "rrn", "rrn must be 13 digits" },
        { "welfare_20261119.csv", "rrn,event,event_date", $"{Rrn},lottery_win,2026-11-19", "event", "event: unknown value 'lottery_win'" },
        { "arrears_20260925.csv", "source,rrn,billing_month,amount_krw,months_overdue,action,reported_on", $"gas,{Rrn},2026-09,100,1.5,none,2026-09-25", "months_overdue", "months_overdue must be a whole number ≥ 0" },
        { "arrears_20260925.csv", "source,rrn,billing_month,amount_krw,months_overdue,action,reported_on", $"gas,{Rrn},2026-09,100,1,evicted,2026-09-25", "action", "action: unknown value 'evicted'" },
        { "arrears_20260925.csv", "source,rrn,billing_month,amount_krw,months_overdue,action,reported_on", $"gas,{Rrn},202609,100,1,none,2026-09-25", "billing_month", "billing_month must be a month YYYY-MM" },
        { "reports_20261009.csv", "report_id,household_id,rrn,channel,reported_at,note", "R1,,,neighbor,2026-10-09T10:00:00+09:00,", "household_id", "household_id or rrn is required" },
        { "reports_20261009.csv", "report_id,household_id,rrn,channel,reported_at,note", "R1,H1,,email,2026-10-09T10:00:00+09:00,", "channel", "channel: unknown value 'email'" },
        { "reports_20261009.csv", "report_id,household_id,rrn,channel,reported_at,note", "R1,H1,,neighbor,2026-10-09 10:00,", "reported_at", "reported_at must be an ISO 8601 timestamp with offset" },
        { "outcomes_20261110.csv", "household_id,visited_on,outcome,discovered_after_days", "H1,2026-11-15,supported,4", "discovered_after_days", "discovered_after_days is only for outcome died_alone" },
        { "outcomes_20261110.csv", "household_id,visited_on,outcome,discovered_after_days", "H1,2026-11-15,died_alone,-4", "discovered_after_days", "discovered_after_days must be a whole number ≥ 0" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public async Task Bad_field_quarantines_the_row_with_its_column_and_a_reason_without_personal_data(
        string file, string header, string badRow, string column, string reason)
    {
        using var harness = await NewHarnessAsync();
        var goodRow = GoodRow(file);
        harness.AddFile(file, $"{header}\n{badRow}\n{goodRow}\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 1, 1), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        var quarantined = Assert.Single(await harness.QuarantineAsync(file));
        Assert.Equal((file, 2, column), (quarantined.File, quarantined.Line, quarantined.Column));
        Assert.StartsWith(reason, quarantined.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Rrn, quarantined.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("김영희", quarantined.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Row_repeated_in_a_file_is_quarantined_on_its_second_line()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "usage_electricity_20260914.csv",
            "household_id,date,kwh,active_hours,quality\nH1,2026-09-14,1.5,3,measured\nH2,2026-09-14,1,3,measured\nH1,2026-09-14,9.5,3,measured\n");

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 2, 1), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal(4, Assert.Single(await harness.QuarantineAsync()).Line);
        Assert.Equal([1.0, 1.5], await harness.QueryAsync<double>("SELECT kwh FROM usage_electricity ORDER BY kwh"));
    }

    [Fact]
    public async Task Telecom_row_repeated_before_a_bad_row_is_quarantined_on_its_own_line_and_persons_keep_the_file_order()
    {
        // The loader resolves a row's subject when the next row comes: a repeat found then still names its own line,
        // and the persons the file creates are numbered in the order the file lists them.
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "usage_telecom_20260914.csv",
            $"""
            rrn,date,calls_out,calls_in,sms_out,data_mb
            {Rrn},2026-09-14,1,0,0,1
            7001011234567,2026-09-14,2,0,0,1
            {Rrn},2026-09-14,9,0,0,1
            8502022345678,2026-09-14,-1,0,0,1
            8502022345678,2026-09-14,3,0,0,1

            """);

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 3, 2), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal(
            [(4, RowError.WholeRow), (5, "calls_out")],
            (await harness.QuarantineAsync()).Select(q => (q.Line, q.Column)));
        Assert.Equal(
            [(1L, 1L), (2L, 2L), (3L, 3L)],
            await harness.QueryAsync<(long, long)>("SELECT calls_out, person_no FROM usage_telecom ORDER BY calls_out"));
    }

    [Fact]
    public async Task Bad_rows_of_a_file_of_several_chunks_keep_their_own_lines_while_the_rest_lands()
    {
        // 3 chunks of the usage loader (65,536 rows each): the chunks are stored on the writer thread while later
        // rows are read, so quarantine entries and new households are written there too, in between.
        const int households = 3_000;
        const int days = 50;
        using var harness = await NewHarnessAsync();
        var text = new System.Text.StringBuilder("household_id,date,kwh,active_hours,quality\n");
        var badLines = new List<int>();
        var line = 1;
        for (var day = 0; day < days; day++)
        {
            var date = new DateOnly(2026, 7, 1).AddDays(day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            for (var h = 0; h < households; h++)
            {
                line++;
                var bad = line % 40_000 == 0;
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"H{h},{date},{(bad ? "-1" : "1.5")},5,measured\n");
                if (bad)
                {
                    badLines.Add(line);
                }
            }
        }

        harness.AddFile("usage_electricity_20260819.csv", text.ToString());

        var result = await harness.IngestOneAsync();

        Assert.Equal(("loaded", (households * days) - badLines.Count, badLines.Count), (result.Status, result.RowsLoaded, result.RowsQuarantined));
        Assert.Equal(badLines, (await harness.QuarantineAsync()).Select(q => q.Line));
        Assert.Equal(households, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM household"));
        Assert.Equal(
            ((long)result.RowsLoaded, 1.5 * result.RowsLoaded),
            (await harness.QueryAsync<(long, double)>("SELECT COUNT(*), SUM(kwh) FROM usage_electricity")).Single());
    }

    [Fact]
    public async Task Missing_electricity_day_stores_no_kwh()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", "household_id,date,kwh,active_hours,quality\nH1,2026-09-14,,,missing\nH2,2026-09-14,2.5,,estimated\n");

        await harness.IngestOneAsync();

        Assert.Equal(
            [(null, null, "missing"), (2.5, null, "estimated")],
            await harness.QueryAsync<(double?, long?, string)>("SELECT kwh, active_hours, quality FROM usage_electricity ORDER BY household_no"));
    }

    [Fact]
    public async Task Rrn_with_dash_is_the_same_person_as_without()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_telecom_20260914.csv", $"rrn,date,calls_out,calls_in,sms_out,data_mb\n{Rrn},2026-09-14,1,2,3,4.5\n680612-2842950,2026-09-13,1,2,3,4.5\n");

        await harness.IngestOneAsync();

        Assert.Equal(1, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM person"));
        Assert.Equal(2, await harness.ScalarAsync<long>("SELECT COUNT(*) FROM usage_telecom"));
    }

    [Fact]
    public async Task Report_note_is_sealed_and_reported_on_is_the_date_in_Seoul()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile(
            "reports_20261010.csv",
            $"report_id,household_id,rrn,channel,reported_at,note\nR1,,{Rrn},delivery,2026-10-09T23:30:00Z,\"문 앞에 택배가 쌓임\"\n");

        await harness.IngestOneAsync();

        var (reportedAt, reportedOn, note, personNo, householdNo) = Assert.Single(
            await harness.QueryAsync<(string, string, byte[], long?, long?)>("SELECT reported_at, reported_on, note_enc, person_no, household_no FROM report"));
        Assert.Equal(("2026-10-09T23:30:00Z", "2026-10-10"), (reportedAt, reportedOn));
        Assert.Equal("문 앞에 택배가 쌓임", harness.Keys.Vault.Open(note));
        Assert.NotNull(personNo);
        Assert.Null(householdNo);
    }

    [Fact]
    public async Task Registry_file_of_an_earlier_date_sent_late_does_not_undo_a_later_one()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("residents_20261013.csv", $"{ResidentsHeader}\n{Rrn},H1,김영희,1968-06-12,F,2824551000,새 주소,,1,head,apartment,deceased,2026-10-11\n");
        await harness.IngestOneAsync();
        harness.ClearInbox().AddFile("residents_20260914.csv", $"{ResidentsHeader}\n{Rrn},H1,김영희,1968-06-12,F,2824551000,옛 주소,,2,head,rowhouse,active,\n");

        await harness.IngestOneAsync();

        Assert.Equal(
            [("deceased", "2026-10-13", 1L, "apartment", "2026-09-14", "2026-10-13")],
            await harness.QueryAsync<(string, string, long, string, string, string)>(
                """
                SELECT p.status, p.reported_on, h.household_size, h.housing_type, h.first_seen_on, h.updated_on
                FROM person p JOIN household h USING (household_no)
                """));
        Assert.Equal("새 주소", harness.Keys.Vault.Open(await harness.ScalarAsync<byte[]>("SELECT address_enc FROM identity")));
    }

    [Fact]
    public async Task Outcome_recorded_by_an_officer_is_not_overwritten_by_the_feed()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("outcomes_20261110.csv", "household_id,visited_on,outcome,discovered_after_days\nH1,2026-11-15,died_alone,\n");
        await harness.IngestOneAsync();
        await using (var connection = await harness.OpenConnectionAsync())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE outcome SET origin = 'officer', discovered_after_days = 9, file_id = NULL";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        harness.ClearInbox().AddFile("outcomes_20261111.csv", "household_id,visited_on,outcome,discovered_after_days\nH1,2026-11-15,died_alone,2\n");
        await harness.IngestOneAsync();

        Assert.Equal([("officer", 9L)], await harness.QueryAsync<(string, long)>("SELECT origin, discovered_after_days FROM outcome"));
    }

    private protected abstract StoreLocation Locate(string folder);

    private protected Task<IngestHarness> NewHarnessAsync() => IngestHarness.CreateAsync(Locate);

    private static string GoodRow(string file) => file[..file.LastIndexOf('_')] switch
    {
        "residents" => "5905212537798,H2,박민지,1959-05-21,F,2824551000,주소,010-0000-0000,1,head,apartment,active,",
        "usage_electricity" => "H2,2026-09-14,1.5,5,measured",
        "usage_water" => "H2,2026-09-14,120.5,measured",
        "usage_telecom" => "5905212537798,2026-09-14,1,0,0,1.0",
        "welfare" => "5905212537798,job_loss,2026-11-19",
        "arrears" => "gas,5905212537798,2026-09,100,1,none,2026-09-25",
        "reports" => "R2,H2,,neighbor,2026-10-09T10:00:00+09:00,",
        "outcomes" => "H2,2026-11-15,died_alone,3",
        _ => throw new ArgumentOutOfRangeException(nameof(file)),
    };
}

public sealed class SqliteRowValidationTests : RowValidationTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}

public sealed class PostgresRowValidationTests : RowValidationTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
