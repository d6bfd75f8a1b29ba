using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Feeds;

/// <summary>Corrected re-sends (.v2, .v3) and the all-or-nothing application of a file.</summary>
public abstract class FileVersionTests
{
    private const string Header = "household_id,date,kwh,active_hours,quality";

    [Fact]
    public async Task Version_three_replaces_both_earlier_versions_in_one_run()
    {
        using var harness = await NewHarnessAsync();
        harness
            .AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\nH2,2026-09-14,2,2,measured\n")
            .AddFile("usage_electricity_20260914.v2.csv", $"{Header}\nH1,2026-09-14,10,1,measured\nH2,2026-09-14,20,2,measured\n")
            .AddFile("usage_electricity_20260914.v3.csv", $"{Header}\nH1,2026-09-14,100,1,measured\n");

        var results = await harness.IngestAsync();

        Assert.Equal([1, 2, 3], results.Select(r => r.Version ?? 0));
        Assert.Equal([100.0], await harness.QueryAsync<double>("SELECT kwh FROM usage_electricity"));
        Assert.Equal(
            ["superseded", "superseded", "loaded"],
            await harness.QueryAsync<string>("SELECT status FROM ingest_file ORDER BY version"));
    }

    [Fact]
    public async Task Earlier_version_arriving_after_a_later_one_is_rejected()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.v2.csv", $"{Header}\nH1,2026-09-14,10,1,measured\n");
        await harness.IngestOneAsync();
        harness.ClearInbox().AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\n");

        var late = await harness.IngestOneAsync();

        Assert.Equal("rejected", late.Status);
        Assert.Contains("version 2 of usage_electricity 2026-09-14 is already loaded", late.Error, StringComparison.Ordinal);
        Assert.Equal([10.0], await harness.QueryAsync<double>("SELECT kwh FROM usage_electricity"));
    }

    [Fact]
    public async Task Same_version_with_other_content_is_rejected_and_asks_for_the_next_version()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\n");
        await harness.IngestOneAsync();
        harness.ClearInbox().AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,2,1,measured\n");

        var changed = await harness.IngestOneAsync();

        Assert.Equal("rejected", changed.Status);
        Assert.EndsWith("send the correction as usage_electricity_20260914.v2.csv", changed.Error, StringComparison.Ordinal);
        Assert.Equal([1.0], await harness.QueryAsync<double>("SELECT kwh FROM usage_electricity"));
    }

    [Fact]
    public async Task Rows_of_other_files_for_the_same_day_survive_a_correction()
    {
        using var harness = await NewHarnessAsync();
        harness
            .AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\n")
            .AddFile("usage_electricity_20260915.csv", $"{Header}\nH1,2026-09-15,5,1,measured\n");
        await harness.IngestAsync();
        harness.ClearInbox().AddFile("usage_electricity_20260914.v2.csv", $"{Header}\nH2,2026-09-14,2,1,measured\n");

        await harness.IngestOneAsync();

        Assert.Equal(
            [("2026-09-14", 2.0), ("2026-09-15", 5.0)],
            await harness.QueryAsync<(string, double)>("SELECT date, kwh FROM usage_electricity ORDER BY date"));
    }

    [Fact]
    public async Task A_later_file_repeating_stored_days_updates_their_rows_and_adds_its_new_days()
    {
        using var harness = await NewHarnessAsync();
        harness.AddFile("usage_electricity_20260914.csv", $"{Header}\nH1,2026-09-14,1,1,measured\nH2,2026-09-14,2,1,measured\n");
        await harness.IngestOneAsync();

        // A backfill that overlaps what is stored: 09-14 again (H1 changed, H3 new) and a day never stored.
        harness.ClearInbox().AddFile(
            "usage_electricity_20260915.csv",
            $"{Header}\nH1,2026-09-14,10,1,measured\nH3,2026-09-14,3,1,measured\nH1,2026-09-15,5,1,measured\n");
        var overlapping = await harness.IngestOneAsync();

        Assert.Equal(("loaded", 3), (overlapping.Status, overlapping.RowsLoaded));
        Assert.Equal(
            [("2026-09-14", 2.0), ("2026-09-14", 3.0), ("2026-09-14", 10.0), ("2026-09-15", 5.0)],
            await harness.QueryAsync<(string, double)>("SELECT date, kwh FROM usage_electricity ORDER BY date, kwh"));
    }

    [Fact]
    public async Task Interrupted_correction_leaves_the_earlier_version_in_place()
    {
        using var harness = await NewHarnessAsync();
        harness.AddSamples("usage_electricity_20260915.csv");
        await harness.IngestOneAsync();
        var before = await harness.CountRowsAsync();
        harness.ClearInbox().AddSamples("usage_electricity_20260915.v2.csv");

        // Stop the run right after the earlier version's rows were deleted, before the new ones are committed.
        using var stop = new CancellationTokenSource();
        harness.Logged += e =>
        {
            if (e.MessageTemplate.Text.Contains("replaces", StringComparison.Ordinal))
            {
                stop.Cancel();
            }
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.IngestAsync(stop.Token));

        Assert.Equal(before, await harness.CountRowsAsync());
        Assert.Equal([("usage_electricity_20260915.csv", "loaded")], await harness.QueryAsync<(string, string)>("SELECT file_name, status FROM ingest_file"));
        Assert.Equal(8.939, await harness.ScalarAsync<double>(
            "SELECT kwh FROM usage_electricity WHERE household_no = (SELECT household_no FROM household WHERE household_key = @key)",
            new { key = harness.Keys.Pseudonymizer.HouseholdKey("H00000001") }));

        // The next run applies the correction completely.
        var retried = await harness.IngestOneAsync();
        Assert.Equal(("loaded", 150), (retried.Status, retried.RowsLoaded));
    }

    private protected abstract StoreLocation Locate(string folder);

    private protected Task<IngestHarness> NewHarnessAsync() => IngestHarness.CreateAsync(Locate);
}

public sealed class SqliteFileVersionTests : FileVersionTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}

public sealed class PostgresFileVersionTests : FileVersionTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
