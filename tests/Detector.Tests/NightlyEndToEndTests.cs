using Dapper;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

public sealed class NightlyEndToEndTests(DistrictFixture district)
{
    private static readonly DateOnly RunDate = DistrictFixture.RunDate;

    [Fact]
    public async Task Every_lone_death_three_or_more_days_old_and_not_yet_found_is_urgent_in_its_dong_queue()
    {
        var dead = district.Truth.Households
            .Where(h => h is { LivesAlone: true, DeathDate: { } died } && died <= RunDate.AddDays(-3)
                        && (h.DiscoveredOn is null || h.DiscoveredOn > RunDate))
            .ToList();
        Assert.NotEmpty(dead); // the fixture's district is built to have some: otherwise this test proves nothing

        var queues = await QueuesAsync();
        var keys = KeyRing.LoadOrCreate(district.Home).Pseudonymizer;
        foreach (var household in dead)
        {
            var key = keys.HouseholdKey(household.HouseholdId);
            var entry = Assert.Single(queues[household.DongCode], e => e.HouseholdKey == key);
            Assert.Equal("urgent", entry.Priority);
            Assert.Contains("flatline", entry.Lane, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task No_household_on_a_trip_is_urgent()
    {
        var keys = KeyRing.LoadOrCreate(district.Home).Pseudonymizer;
        var travelling = district.Truth.Households
            .Where(h => h.DeathDate is null && h.Trips.Any(t => t.Start <= RunDate && t.End >= RunDate.AddDays(-7)))
            .Select(h => keys.HouseholdKey(h.HouseholdId))
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(travelling);

        var urgent = (await QueuesAsync()).Values.SelectMany(q => q).Where(e => e.Priority == "urgent");
        Assert.DoesNotContain(urgent, e => travelling.Contains(e.HouseholdKey));
    }

    [Fact]
    public void A_night_times_each_of_its_stages_in_the_order_they_run()
    {
        Assert.Equal(
            ["ingest", "open", "history", "features", "flatline", "score", "collect", "flag", "push"],
            district.Night.Stages.Select(s => s.Stage));
        Assert.All(district.Night.Stages, s => Assert.True(s.Wall > TimeSpan.Zero, s.Stage));
    }

    [Fact]
    public async Task A_night_without_a_model_fails_after_its_ingest_and_says_to_train_first()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            // The models load beside the ingest: their failure must still be the pass's own, not an aggregate of tasks.
            Directory.Delete(Path.Combine(home, "models"), recursive: true);

            var failure = await Assert.ThrowsAsync<InvalidOperationException>(
                () => DistrictFixture.NewPass(store, home).RunAsync(RunDate, CancellationToken.None));

            Assert.Contains("riskwatch train", failure.Message, StringComparison.Ordinal);
            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM risk_case"));
        }
    }

    [Fact]
    public async Task Second_nightly_for_the_same_date_adds_no_case()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var pass = DistrictFixture.NewPass(store, home);
            var first = await pass.RunAsync(RunDate, CancellationToken.None);
            var before = await CaseRowsAsync(store);

            var second = await pass.RunAsync(RunDate, CancellationToken.None);

            Assert.True(first.Opened > 0);
            Assert.True(second.AlreadyDone);
            Assert.Equal(before, await CaseRowsAsync(store));
        }
    }

    [Fact]
    public async Task Next_night_updates_open_cases_instead_of_opening_them_again()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var pass = DistrictFixture.NewPass(store, home);
            await pass.RunAsync(RunDate.AddDays(-1), CancellationToken.None);
            var next = await pass.RunAsync(RunDate, CancellationToken.None);

            Assert.True(next.Updated > 0);
            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            var doubled = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM (SELECT household_no FROM risk_case WHERE status <> 'closed' GROUP BY household_no HAVING COUNT(*) > 1) d");
            Assert.Equal(0, doubled);
        }
    }

    [Fact]
    public async Task Every_dong_list_is_short_enough_to_act_on_and_names_its_reasons()
    {
        foreach (var (_, entries) in await QueuesAsync())
        {
            var modelOnly = entries.Where(e => e.Lane == "model").ToList();
            Assert.True(modelOnly.Count <= new Policy.ThresholdPolicy().DailyCapacityPerDong);
            Assert.All(entries, e => Assert.NotEmpty(e.Reasons));
            Assert.Equal(entries.Count, entries.Select(e => e.HouseholdKey).Distinct(StringComparer.Ordinal).Count());
        }
    }

    private async Task<Dictionary<string, IReadOnlyList<QueueEntry>>> QueuesAsync()
    {
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + district.Database), CancellationToken.None);
        var queue = new DongQueue(store);
        var result = new Dictionary<string, IReadOnlyList<QueueEntry>>(StringComparer.Ordinal);
        foreach (var dong in await queue.DongsAsync(CancellationToken.None))
        {
            result[dong] = await queue.ReadAsync(dong, RunDate, CancellationToken.None);
        }

        return result;
    }

    private static async Task<List<string>> CaseRowsAsync(RiskStore store)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<string>(
            "SELECT case_id || '|' || priority || '|' || lane || '|' || last_flagged_on || '|' || reasons_json FROM risk_case ORDER BY case_id");
        return rows.ToList();
    }
}
