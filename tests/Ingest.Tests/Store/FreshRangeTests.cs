using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

/// <summary>
/// When a server's bulk writer may skip staging and merging. The decision is the same for PostgreSQL (also exercised
/// for real in <see cref="PostgresBulkLoadTests"/>) and SQL Server (which cannot run here: this is its test).
/// </summary>
public sealed class FreshRangeTests
{
    private static readonly TableSpec Usage = new("usage_electricity", ["date", "household_no", "kwh", "file_id"], ["date", "household_no"])
    {
        KeyUniqueInFile = true,
        FreshRangeColumn = "date",
    };

    [Fact]
    public void A_batch_of_days_with_no_stored_rows_goes_straight_in_after_one_probe()
    {
        var fresh = new FreshRange(Usage);
        var probes = new List<IReadOnlyList<object>>();

        var direct = fresh.AllowsDirectInsert(["2026-07-01", "2026-07-01", "2026-07-02"], Probe(probes));

        Assert.True(direct);
        Assert.Equal(["2026-07-01", "2026-07-02"], Assert.Single(probes));
    }

    [Fact]
    public void Days_this_file_already_wrote_are_not_probed_again()
    {
        var fresh = new FreshRange(Usage);
        var probes = new List<IReadOnlyList<object>>();
        fresh.AllowsDirectInsert(["2026-07-01", "2026-07-02"], Probe(probes));

        // The next batch continues 07-02 (its rows are this file's, and unique) and starts 07-03.
        var direct = fresh.AllowsDirectInsert(["2026-07-02", "2026-07-03"], Probe(probes, stored: "2026-07-02"));

        Assert.True(direct);
        Assert.Equal(["2026-07-03"], probes[1]);
    }

    [Fact]
    public void A_batch_touching_a_stored_day_is_merged_and_its_fresh_days_become_the_files_own()
    {
        var fresh = new FreshRange(Usage);
        var probes = new List<IReadOnlyList<object>>();

        var first = fresh.AllowsDirectInsert(["2026-07-01", "2026-07-02"], Probe(probes, stored: "2026-07-01"));
        var second = fresh.AllowsDirectInsert(["2026-07-02"], Probe(probes));
        var third = fresh.AllowsDirectInsert(["2026-07-01"], Probe(probes, stored: "2026-07-01"));

        Assert.False(first);
        Assert.True(second);
        Assert.False(third);
        Assert.Equal(2, probes.Count); // 07-02 was not probed again; 07-01 was, since other files' rows are there
    }

    [Fact]
    public void Keyless_tables_always_go_straight_in_and_keyed_tables_without_a_fresh_column_always_merge()
    {
        var keyless = new FreshRange(new TableSpec("household", ["household_no", "household_key"], []));
        var keyed = new FreshRange(Usage with { FreshRangeColumn = null });
        var notUnique = new FreshRange(Usage with { KeyUniqueInFile = false });
        var probes = new List<IReadOnlyList<object>>();

        Assert.True(keyless.AllowsDirectInsert([1L, 2L], Probe(probes)));
        Assert.False(keyed.AllowsDirectInsert(["2026-07-01"], Probe(probes)));
        Assert.False(notUnique.AllowsDirectInsert(["2026-07-01"], Probe(probes)));
        Assert.Empty(probes);
    }

    [Fact]
    public void A_null_in_the_fresh_column_merges()
    {
        var fresh = new FreshRange(Usage);

        Assert.False(fresh.AllowsDirectInsert(["2026-07-01", null], Probe([])));
    }

    private static Func<IReadOnlyList<object>, IReadOnlyCollection<object>> Probe(List<IReadOnlyList<object>> probes, params object[] stored) =>
        values =>
        {
            probes.Add([.. values]);
            return values.Where(stored.Contains).ToList();
        };
}
