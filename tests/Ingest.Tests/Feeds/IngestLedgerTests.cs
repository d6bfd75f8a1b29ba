using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;
using Serilog.Events;

namespace RiskWatch.Ingest.Tests.Feeds;

/// <summary>The ingest ledger as an operator reads it, and the days a daily feed skipped.</summary>
public abstract class IngestLedgerTests
{
    private const string Header = "household_id,date,kwh,active_hours,quality";

    [Fact]
    public async Task Day_missing_between_two_files_of_a_daily_feed_is_reported_and_logged()
    {
        using var harness = await NewHarnessAsync();
        var warnings = new List<string>();
        harness.Logged += e =>
        {
            if (e.Level == LogEventLevel.Warning)
            {
                lock (warnings)
                {
                    warnings.Add(e.MessageTemplate.Text);
                }
            }
        };
        harness
            .AddFile("usage_electricity_20260913.csv", $"{Header}\nH1,2026-09-13,1,1,measured\n")
            .AddFile("usage_electricity_20260915.csv", $"{Header}\nH1,2026-09-15,1,1,measured\n")
            .AddFile("usage_telecom_20260913.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb\n")
            .AddFile("usage_telecom_20260914.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb\n")
            .AddFile("welfare_20260913.csv", "rrn,event,event_date\n")
            .AddFile("welfare_20260915.csv", "rrn,event,event_date\n");

        await harness.IngestAsync();

        Assert.Equal(
            [new MissingFeedDate("usage_electricity", new DateOnly(2026, 9, 14))],
            await IngestHistory.FindMissingDatesAsync(harness.Store, TestContext.Current.CancellationToken));
        Assert.Single(warnings, w => w.StartsWith("No {Feed} file for {Date", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Late_file_closes_the_gap()
    {
        using var harness = await NewHarnessAsync();
        harness
            .AddFile("usage_electricity_20260913.csv", $"{Header}\nH1,2026-09-13,1,1,measured\n")
            .AddFile("usage_electricity_20260915.csv", $"{Header}\nH1,2026-09-15,1,1,measured\n");
        await harness.IngestAsync();
        harness.ClearInbox().AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\n");

        await harness.IngestAsync();

        Assert.Empty(await IngestHistory.FindMissingDatesAsync(harness.Store, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Ledger_lists_each_file_with_version_hash_rows_and_outcome()
    {
        using var harness = await NewHarnessAsync();
        harness
            .AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\nH2,2026-09-14,-1,1,measured\n")
            .AddFile("usage_electricity_20260914.v2.csv", $"{Header}\nH1,2026-09-14,2,1,measured\n")
            .AddFile("usage_water_20260914.csv", "household_id,date,quality\n");
        await harness.IngestAsync();

        var ledger = await IngestHistory.ReadLedgerAsync(harness.Store, TestContext.Current.CancellationToken);

        Assert.Equal(
            [
                ("usage_electricity_20260914.csv", 1L, "superseded", 1L, 1L),
                ("usage_electricity_20260914.v2.csv", 2L, "loaded", 1L, 0L),
                ("usage_water_20260914.csv", 1L, "rejected", 0L, 0L),
            ],
            ledger.Select(f => (f.File, f.Version, f.Status, f.RowsLoaded, f.RowsQuarantined)));
        Assert.All(ledger, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        Assert.All(ledger, f => Assert.True(DateTimeOffset.TryParse(f.IngestedAt, System.Globalization.CultureInfo.InvariantCulture, out _)));
        Assert.Contains("missing required column 'liters'", ledger[2].Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_feeds_and_days_after_the_last_file_are_not_gaps()
    {
        var gaps = IngestHistory.Gaps(
        [
            ("welfare", "2026-09-01"), ("welfare", "2026-09-05"),
            ("usage_water", "2026-09-01"), ("usage_water", "2026-09-02"),
        ]);

        Assert.Empty(gaps);
    }

    private protected abstract StoreLocation Locate(string folder);

    private protected Task<IngestHarness> NewHarnessAsync() => IngestHarness.CreateAsync(Locate);
}

public sealed class SqliteIngestLedgerTests : IngestLedgerTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}

public sealed class PostgresIngestLedgerTests : IngestLedgerTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
