using System.Text;
using Dapper;
using RiskWatch.Detector.Jobs;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>Backfills through the real CLI, shadow mode, corrected feeds, catch-up and overlapping passes (issue 6, SQLite).</summary>
public sealed class BackfillTests(DistrictFixture district)
{
    private static readonly DateOnly RunDate = DistrictFixture.RunDate;

    [Fact]
    public async Task Backfill_rerun_over_same_range_adds_no_cases()
    {
        var (home, store) = await district.NewHomeAsync();
        store.Dispose();
        var first = await CliProcess.RunAsync(home, "backfill", "--from", "2026-11-19", "--to", "2026-11-22");
        var before = await CasesAsync(home);

        var again = await CliProcess.RunAsync(home, "backfill", "--from", "2026-11-19", "--to", "2026-11-22", "--mode", "all");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("4 partitions done", first.Out, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("4 unchanged", again.Out, StringComparison.Ordinal);
        Assert.NotEmpty(before);
        Assert.Equal(before, await CasesAsync(home));
    }

    [Fact]
    public async Task Dry_run_lists_the_partitions_and_runs_nothing()
    {
        var (home, store) = await district.NewHomeAsync();
        store.Dispose();

        var result = await CliProcess.RunAsync(home, "backfill", "--from", "2026-11-20", "--to", "2026-11-22", "--dongs-per-partition", "1", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("9 of 9 partitions would run", result.Out, StringComparison.Ordinal);
        Assert.Empty(await CasesAsync(home));
    }

    [Fact]
    public async Task Shadow_backfill_pushes_nothing_and_reports_shadow_against_live()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            await DistrictFixture.NewPass(store, home).RunAsync(RunDate, CancellationToken.None);
        }

        var before = await CasesAsync(home);
        var result = await CliProcess.RunAsync(home, "backfill", "--from", "2026-11-21", "--to", "2026-11-22", "--shadow");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, await CasesAsync(home));
        var report = Assert.Single(Directory.GetFiles(Path.Combine(home, "reports"), "shadow-*.md"));
        var text = await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken);
        Assert.Contains("| 2026-11-22 |", text, StringComparison.Ordinal);
        Assert.Contains("Jaccard", text, StringComparison.Ordinal);
        await using var connection = await OpenAsync(home);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM shadow_run WHERE status = 'done'"));
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM run_list WHERE mode = 'shadow'") > 0);
    }

    [Fact]
    public async Task Corrected_feed_resent_and_backfilled_updates_exactly_the_affected_case()
    {
        var (home, store) = await district.NewHomeAsync();
        var keys = KeyRing.LoadOrCreate(home).Pseudonymizer;
        using (store)
        {
            await DistrictFixture.NewPass(store, home).RunAsync(RunDate, CancellationToken.None);
        }

        var before = await CasesAsync(home);
        // A lone death the flatline lane caught: the corrected meter reading shows the home lived in on the last day.
        var dead = district.Truth.Households.First(h => h is { LivesAlone: true, DeathDate: { } d, HasSmartMeter: true } && d <= RunDate.AddDays(-3)
                                                        && (h.DiscoveredOn is null || h.DiscoveredOn > RunDate));
        var key = keys.HouseholdKey(dead.HouseholdId);
        Assert.Contains(before, c => c.Contains(key[..12], StringComparison.Ordinal) && c.Contains("flatline", StringComparison.Ordinal));
        var inbox = Path.Combine(home, "corrections");
        Directory.CreateDirectory(inbox);
        var original = await File.ReadAllLinesAsync(Path.Combine(district.Inbox, "usage_electricity_20261122.csv"), TestContext.Current.CancellationToken);
        var corrected = original.Select(line => line.StartsWith(dead.HouseholdId + ",", StringComparison.Ordinal)
            ? $"{dead.HouseholdId},2026-11-22,9.500,11,measured"
            : line);
        await File.WriteAllLinesAsync(Path.Combine(inbox, "usage_electricity_20261122.v2.csv"), corrected, new UTF8Encoding(false), TestContext.Current.CancellationToken);

        Assert.Equal(0, (await CliProcess.RunAsync(home, "ingest", "--inbox", inbox)).ExitCode);
        var backfill = await CliProcess.RunAsync(home, "backfill", "--from", "2026-11-22", "--to", "2026-11-22", "--mode", "all");

        Assert.Equal(0, backfill.ExitCode);
        Assert.Contains("1 partitions done", backfill.Out, StringComparison.Ordinal);
        var after = await CasesAsync(home);
        var dong = dead.DongCode;
        bool Corrected(string c) => c.Contains(key[..12], StringComparison.Ordinal);
        bool InDong(string c) => c.Contains("|" + dong + "|", StringComparison.Ordinal);

        // Other dongs are untouched; in the household's own dong the only other change allowed is a normal case that the
        // corrected household, now in the capacity-bound model lane instead of the urgent one, displaced.
        Assert.Equal(before.Where(c => !InDong(c)), after.Where(c => !InDong(c)));
        Assert.DoesNotContain(after, c => Corrected(c) && c.Contains("flatline", StringComparison.Ordinal));
        Assert.Empty(after.Where(c => !Corrected(c)).Except(before));
        Assert.True(before.Where(c => !Corrected(c)).Except(after).Count() <= 1);
    }

    [Fact]
    public async Task Catch_up_runs_the_missed_nights_in_order()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var pass = DistrictFixture.NewPass(store, home);
            await pass.RunAsync(RunDate.AddDays(-3), CancellationToken.None);
            var job = new NightlyJob(() => pass, store);

            Assert.Equal([RunDate.AddDays(-2), RunDate.AddDays(-1), RunDate], await job.MissedNightsAsync(RunDate, CancellationToken.None));
            await job.CatchUpAsync(pass, RunDate, CancellationToken.None);

            Assert.Empty(await job.MissedNightsAsync(RunDate, CancellationToken.None));
            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            var order = (await connection.QueryAsync<string>("SELECT run_date FROM nightly_run WHERE status = 'done' ORDER BY finished_at")).ToList();
            Assert.Equal(["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"], order);
        }
    }

    [Fact]
    public async Task Two_overlapping_passes_for_the_same_night_write_once()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var results = await Task.WhenAll(
                Task.Run(() => DistrictFixture.NewPass(store, home).RunPartitionAsync(PassRequest.Live(RunDate), CancellationToken.None)),
                Task.Run(() => DistrictFixture.NewPass(store, home).RunPartitionAsync(PassRequest.Live(RunDate), CancellationToken.None)));

            Assert.Single(results, r => !r.AlreadyDone);
            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            Assert.Equal(results.Single(r => !r.AlreadyDone).Opened, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM risk_case"));
        }
    }

    [Fact]
    public async Task Backfill_goes_on_past_a_failed_partition_and_reports_it()
    {
        var (home, store) = await district.NewHomeAsync();
        store.Dispose();
        var firstDay = RunDate.AddDays(1 - DistrictFixture.District.Days);

        var result = await CliProcess.RunAsync(home, "backfill", "--from", $"{firstDay.AddDays(-1):yyyy-MM-dd}", "--to", $"{firstDay:yyyy-MM-dd}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1 partitions done", result.Out, StringComparison.Ordinal);
        Assert.Contains($"{firstDay.AddDays(-1):yyyy-MM-dd} district failed: No usage_electricity feed", result.Error, StringComparison.Ordinal);
    }

    private static async Task<List<string>> CasesAsync(string home)
    {
        await using var connection = await OpenAsync(home);
        var rows = await connection.QueryAsync<string>(
            "SELECT case_id || '|' || dong_code || '|' || priority || '|' || lane || '|' || last_flagged_on || '|' || reasons_json || '|' || crisis_score FROM risk_case ORDER BY case_id");
        return rows.ToList();
    }

    private static async Task<System.Data.Common.DbConnection> OpenAsync(string home)
    {
        var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(home, "riskwatch.db")), CancellationToken.None);
        return await store.OpenConnectionAsync(CancellationToken.None);
    }
}
