using Dapper;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>The queue rules on a store of their own: capacity, cool-down, the urgent lane's way past both, no doubles.</summary>
public sealed class DongQueueTests : IAsyncLifetime
{
    private const string Dong = "2824551000";
    private RiskStore _store = null!;
    private long[] _households = [];

    public async ValueTask InitializeAsync()
    {
        _store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(TestPaths.NewTempDirectory(), "q.db")), CancellationToken.None);
        await using var connection = await _store.OpenConnectionAsync(CancellationToken.None);
        for (var i = 1; i <= 10; i++)
        {
            await connection.ExecuteAsync(
                "INSERT INTO household (household_no, household_key, dong_code, household_size) VALUES (@i, @key, @dong, 1)",
                new { i, key = new string((char)('a' + i), 64), dong = Dong });
        }

        _households = Enumerable.Range(1, 10).Select(i => (long)i).ToArray();
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Capacity_caps_new_model_cases_but_urgent_ones_always_go_through()
    {
        var policy = new ThresholdPolicy { DailyCapacityPerDong = 3 };
        var drafts = _households.Take(6).Select(h => Draft(h, Lane.Model, Priority.Normal))
            .Concat(_households.Skip(6).Select(h => Draft(h, Lane.Flatline, Priority.Urgent)))
            .ToList();

        var result = await new DongQueue(_store).PushAsync(Stamp(new DateOnly(2026, 11, 1)), drafts, [], policy, CancellationToken.None);

        Assert.Equal(3 + 4, result.Opened);
        Assert.Equal(3, result.HeldByCapacity);
    }

    [Fact]
    public async Task Closed_case_cools_down_unless_the_flatline_lane_fires()
    {
        var queue = new DongQueue(_store);
        var policy = new ThresholdPolicy { CoolDownDays = 30 };
        await queue.PushAsync(Stamp(new DateOnly(2026, 10, 1)), [Draft(1, Lane.Model, Priority.Normal), Draft(2, Lane.Model, Priority.Normal)], [], policy, CancellationToken.None);
        await using (var connection = await _store.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("UPDATE risk_case SET status = 'closed', closed_on = '2026-10-05', outcome = 'no_crisis'");
        }

        var again = await queue.PushAsync(
            Stamp(new DateOnly(2026, 10, 20)), [Draft(1, Lane.Model, Priority.Normal), Draft(2, Lane.Flatline, Priority.Urgent)], [], policy, CancellationToken.None);
        var later = await queue.PushAsync(Stamp(new DateOnly(2026, 11, 10)), [Draft(1, Lane.Model, Priority.Normal)], [], policy, CancellationToken.None);

        Assert.Equal(1, again.HeldByCoolDown);
        Assert.Equal(1, again.Opened);
        Assert.Equal(1, later.Opened);
    }

    [Fact]
    public async Task An_open_case_is_updated_never_doubled()
    {
        var queue = new DongQueue(_store);
        await queue.PushAsync(Stamp(new DateOnly(2026, 11, 1)), [Draft(1, Lane.Model, Priority.Normal)], [], new ThresholdPolicy(), CancellationToken.None);
        var next = await queue.PushAsync(Stamp(new DateOnly(2026, 11, 2)), [Draft(1, Lane.Model | Lane.Flatline, Priority.Urgent)], [], new ThresholdPolicy(), CancellationToken.None);

        var entries = await queue.ReadAsync(Dong, new DateOnly(2026, 11, 2), CancellationToken.None);
        var entry = Assert.Single(entries);
        Assert.Equal(1, next.Updated);
        Assert.Equal("urgent", entry.Priority);
        Assert.Equal("model+flatline", entry.Lane);
        Assert.Equal("2026-11-01", entry.FlaggedOn);
    }

    [Fact]
    public async Task The_database_refuses_a_second_open_case_for_a_household()
    {
        await using var connection = await _store.OpenConnectionAsync(CancellationToken.None);
        const string Insert = """
            INSERT INTO risk_case (case_id, household_no, dong_code, flagged_on, last_flagged_on, priority, lane, crisis_score,
                                   lonely_death_score, reasons_json, model_version, policy_version, status)
            VALUES (@id, 5, '2824551000', '2026-11-01', '2026-11-01', 'normal', 'model', 0.5, 0.1, '[]', 'm', 'p', 'new')
            """;
        await connection.ExecuteAsync(Insert, new { id = "A" });

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync(Insert, new { id = "B" }));
    }

    private static RunStamp Stamp(DateOnly date) => new(date, "district", "crisis-x+lonely_death-y", "policy-test");

    private CaseDraft Draft(long householdNo, Lane lane, Priority priority) =>
        new(householdNo, new string((char)('a' + householdNo), 64), Dong, priority, lane, 0.7, 0.4, () => ["사유 (reason)"]);
}
