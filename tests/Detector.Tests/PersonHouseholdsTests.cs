using Dapper;
using Microsoft.Data.Sqlite;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Histories;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Tests;

/// <summary>The events joined to their households in memory on SQLite, against SQLite's own joins (the other stores' read).</summary>
public sealed class PersonHouseholdsTests(DistrictFixture district)
{
    [Fact]
    public async Task Events_joined_in_memory_are_the_rows_the_store_joins_in_the_same_order()
    {
        var (_, store) = await district.NewHomeAsync();
        using (store)
        {
            await using var connection = (SqliteConnection)await store.OpenConnectionAsync(CancellationToken.None);
            var joined = new RecordingSink();
            await HistoryLoader.ReadEventRowsAsync(connection, "9999-12-31", joined, CancellationToken.None);
            var inMemory = new RecordingSink();
            HistoryLoader.ReadEventsInPlace(
                connection, DateOnly.MaxValue, PersonHouseholds.Read(connection, CancellationToken.None), inMemory, CancellationToken.None);

            Assert.Contains(joined.Rows, r => r.StartsWith("arrears", StringComparison.Ordinal));
            Assert.Contains(joined.Rows, r => r.StartsWith("welfare", StringComparison.Ordinal));
            Assert.Contains(joined.Rows, r => r.StartsWith("report", StringComparison.Ordinal));
            Assert.Equal(joined.Rows, inMemory.Rows);

            // A day inside the district's history cuts both reads at the same rows.
            var cut = DistrictFixture.RunDate.AddDays(-30);
            var joinedBefore = new RecordingSink();
            await HistoryLoader.ReadEventRowsAsync(connection, IsoDate.Text(cut), joinedBefore, CancellationToken.None);
            var inMemoryBefore = new RecordingSink();
            HistoryLoader.ReadEventsInPlace(
                connection, cut, PersonHouseholds.Read(connection, CancellationToken.None), inMemoryBefore, CancellationToken.None);
            Assert.InRange(joinedBefore.Rows.Count, 1, joined.Rows.Count - 1);
            Assert.Equal(joinedBefore.Rows, inMemoryBefore.Rows);
        }
    }

    [Fact]
    public async Task The_telecom_plan_is_the_chunk_and_range_pairs_of_the_registered_persons()
    {
        var (_, store) = await district.NewHomeAsync();
        using (store)
        {
            await using var connection = (SqliteConnection)await store.OpenConnectionAsync(CancellationToken.None);
            var expected = await connection.QueryAsync<(long, long)>(
                $"""
                SELECT DISTINCT household_no - (household_no % {UsageSlabs.Span}), person_no - (person_no % {UsageSlabs.Span})
                FROM person WHERE household_no IS NOT NULL
                """);

            var plan = PersonHouseholds.Read(connection, CancellationToken.None).TelecomPlan();

            Assert.NotEmpty(plan);
            Assert.True(plan.SetEquals(expected));
        }
    }

    [Fact]
    public void Persons_numbered_far_apart_and_persons_without_a_household_are_told_apart()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        connection.Execute("CREATE TABLE person (person_no INTEGER PRIMARY KEY, household_no INTEGER NULL)");
        connection.Execute("CREATE INDEX ix_person_household ON person (household_no)");
        connection.Execute("INSERT INTO person VALUES (1, 10), (2, NULL), (3, 12), (5000000000, 11), (7, 10)");

        var persons = PersonHouseholds.Read(connection, CancellationToken.None);

        Assert.Equal(4, persons.Count);
        Assert.True(persons.TryGet(1, out var one) && one == 10);
        Assert.True(persons.TryGet(7, out var seven) && seven == 10);
        Assert.True(persons.TryGet(5_000_000_000, out var far) && far == 11);
        Assert.False(persons.TryGet(2, out _));
        Assert.False(persons.TryGet(4, out _));
        Assert.False(persons.TryGet(-1, out _));
        Assert.Equal(
            [(0L, 0L), (0L, 4_999_970_816L)],
            persons.TelecomPlan().Order());
    }

    /// <summary>Every event a reader hands over, as text, in order.</summary>
    private sealed class RecordingSink : HistoryLoader.IEventSink
    {
        public List<string> Rows { get; } = [];

        public void AddArrears(long householdNo, ArrearsObservation arrears) => Rows.Add($"arrears {householdNo} {arrears}");

        public void AddWelfare(long householdNo, WelfareObservation welfare) => Rows.Add($"welfare {householdNo} {welfare}");

        public void AddReport(long householdNo, DateOnly reportedOn) => Rows.Add($"report {householdNo} {reportedOn:yyyy-MM-dd}");
    }
}
