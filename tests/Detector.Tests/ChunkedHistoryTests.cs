using System.Globalization;
using System.Text;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Histories;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// The nightly pass's chunked, slab-backed history against the reference reader (every household's rows at once): the
/// same records, features and queues, also after a corrected re-send of a past day inside the window, on SQLite and on
/// PostgreSQL.
/// </summary>
public sealed class ChunkedHistoryTests(DistrictFixture district)
{
    private static readonly DateOnly Start = DistrictFixture.RunDate.AddDays(1 - NightlyPass.WindowDays);

    private static readonly DateOnly ResentDay = DistrictFixture.RunDate.AddDays(-10);

    [Fact]
    public async Task Chunked_history_gives_the_whole_window_readers_households_and_features_even_after_a_resent_day()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            await AssertSameHistoriesAsync(store);

            // The slabs of the re-sent day exist now; a corrected version must replace them, not be shadowed by them.
            var before = await SlabSourceAsync(store, ResentDay);
            await IngestResentDayAsync(store, home);
            await AssertSameHistoriesAsync(store);
            Assert.NotEqual(before, await SlabSourceAsync(store, ResentDay));
        }
    }

    [Fact]
    public async Task A_chunk_read_into_a_block_handed_on_by_a_scored_chunk_equals_one_read_into_a_new_block()
    {
        var (_, store) = await district.NewHomeAsync();
        using (store)
        {
            var expected = (await new HistoryLoader(store).LoadAsync(Start, DistrictFixture.RunDate, dongs: null, CancellationToken.None)).Households;
            await using var reader = await ChunkedHistory.OpenAsync(store, Start, DistrictFixture.RunDate, dongs: null, CancellationToken.None);
            var first = reader.Chunks[0];

            // A scored chunk's block still holds its households' values (here: noise, in every slot) when the next chunk takes it.
            var scored = await reader.LoadChunkAsync(first, CancellationToken.None);
            var noise = new Random(7);
            var block = scored.Usage;
            foreach (var values in new[] { block.Kwh, block.Water, block.DataMb })
            {
                for (var d = 0; d < values.Length; d++)
                {
                    values[d] = noise.NextSingle() * 50;
                }
            }

            noise.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.ActiveHours.AsSpan()));
            foreach (var counts in new[] { block.CallsOut, block.CallsIn, block.SmsOut })
            {
                noise.NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(counts.AsSpan()));
            }

            reader.Recycle(scored);
            var again = await reader.LoadChunkAsync(first, CancellationToken.None);
            var actual = again.Records;

            Assert.Same(block, again.Usage);
            Assert.Equal(scored.Records.Count, actual.Count);
            var byNo = expected.ToDictionary(e => e.HouseholdNo);
            foreach (var a in actual)
            {
                Assert.Equal(Describe(byNo[a.HouseholdNo].History), Describe(a.History));
            }
        }
    }

    [Fact]
    public async Task Chunked_nightly_pushes_the_same_queues_as_the_whole_window_nightly_after_a_resent_day()
    {
        var (referenceHome, reference) = await district.NewHomeAsync();
        var (chunkedHome, chunked) = await district.NewHomeAsync();
        using (reference)
        using (chunked)
        {
            // A night before the re-send builds the slabs the corrected day must replace.
            var before = DistrictFixture.RunDate.AddDays(-1);
            await WholeWindowPass(reference, referenceHome).RunPartitionAsync(PassRequest.Live(before), CancellationToken.None);
            await DistrictFixture.NewPass(chunked, chunkedHome).RunPartitionAsync(PassRequest.Live(before), CancellationToken.None);
            await IngestResentDayAsync(reference, referenceHome);
            await IngestResentDayAsync(chunked, chunkedHome);

            var expected = await WholeWindowPass(reference, referenceHome).RunPartitionAsync(PassRequest.Live(DistrictFixture.RunDate), CancellationToken.None);
            var actual = await DistrictFixture.NewPass(chunked, chunkedHome).RunPartitionAsync(PassRequest.Live(DistrictFixture.RunDate), CancellationToken.None);

            Assert.True(expected.HouseholdsScored > 1000);
            Assert.Equal(expected.HouseholdsScored, actual.HouseholdsScored);
            Assert.Equal(expected.Flagged, actual.Flagged);
            Assert.Equal(await ScoresAsync(reference), await ScoresAsync(chunked));
            var queues = await QueueText.OfAsync(reference);
            Assert.NotEmpty(queues);
            Assert.Equal(queues, await QueueText.OfAsync(chunked));
        }
    }

    [Fact]
    public async Task Nightly_lists_every_household_its_dongs_policy_flags_among_all_the_households_it_scores()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            // The pass keeps the reasons and features of flagged households only: it must pick them by each dong's own
            // thresholds, as the flags do. One dong gets lower thresholds; capacity is high enough to list every flag.
            var history = await new HistoryLoader(store).LoadAsync(Start, DistrictFixture.RunDate, dongs: null, CancellationToken.None);
            var lowered = history.Households.Select(h => h.History.DongCode).Order(StringComparer.Ordinal).First();
            var policy = new ThresholdPolicy
            {
                DailyCapacityPerDong = 100_000,
                ThresholdsByDong = new Dictionary<string, DongThresholds>(StringComparer.Ordinal) { [lowered] = new(0.05, 0.01) },
            };
            var night = await DistrictFixture.NewPass(store, home, policy).RunPartitionAsync(PassRequest.Live(DistrictFixture.RunDate), CancellationToken.None);

            // Every household, read by the reference reader and scored here, through the flags.
            var models = new ModelRegistry(Path.Combine(home, "models"));
            var crisis = models.LoadCurrent(ModelTarget.Crisis)!;
            var lonely = models.LoadCurrent(ModelTarget.LonelyDeath)!;
            var active = history.Households.Where(h => h.ActiveOn(DistrictFixture.RunDate)).ToList();
            var features = active.Select(h => Features(h.History)).ToList();
            var (crisisScores, lonelyScores) = (crisis.Score(features), lonely.Score(features));
            var all = active
                .Select((h, i) => new ScoredHousehold(h, i, crisisScores[i], lonelyScores[i], FlatlineSignal.Compute(h.History, DistrictFixture.RunDate)))
                .ToList();
            var expected = Flagger.Select(all, policy)
                .Select(f => $"{f.Scored.Household.HouseholdNo} {f.DongCode} {LaneText.Of(f.Lane)} {LaneText.Of(f.Priority)}")
                .Order(StringComparer.Ordinal)
                .ToList();

            await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
            var listed = (await connection.QueryAsync<(long No, string Dong, string Lane, string Priority)>(
                    "SELECT household_no, dong_code, lane, priority FROM run_list WHERE run_date = @date AND mode = 'live'",
                    new { date = DistrictFixture.RunDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }))
                .Select(r => $"{r.No} {r.Dong} {r.Lane} {r.Priority}")
                .Order(StringComparer.Ordinal)
                .ToList();

            Assert.Equal(active.Count, night.HouseholdsScored);
            Assert.Equal(expected.Count, night.Flagged);
            Assert.Contains(expected, e => e.Split(' ')[1] == lowered && e.EndsWith(" normal", StringComparison.Ordinal));
            Assert.Contains(expected, e => e.Split(' ')[1] != lowered);
            Assert.Equal(expected, listed);
        }
    }

    [Fact]
    public async Task Chunked_history_on_postgres_gives_the_whole_window_readers_households_even_after_a_resent_day()
    {
        using var postgres = await RiskStore.OpenAsync(StoreLocation.Parse(TestStores.NewPostgresDatabase()), CancellationToken.None);
        var home = TestPaths.NewTempDirectory();
        QueueText.CopyKeysAndModels(district.Home, home);
        await new InboxIngestor(postgres, KeyRing.LoadOrCreate(home), Serilog.Core.Logger.None).IngestAsync(district.Inbox, CancellationToken.None);

        await AssertSameHistoriesAsync(postgres);
        await IngestResentDayAsync(postgres, home);
        await AssertSameHistoriesAsync(postgres);
    }

    [Fact]
    public async Task Slabs_built_for_the_whole_window_in_one_scan_per_feed_equal_slabs_built_one_date_at_a_time()
    {
        var (_, whole) = await district.NewHomeAsync();
        var (_, daily) = await district.NewHomeAsync();
        var (_, batched) = await district.NewHomeAsync();
        using (whole)
        using (daily)
        using (batched)
        {
            // The ingest built each file's own day as it stored the rows; the builds below start from the rows alone.
            var ingested = (await SlabsAsync(whole)).Where(InWindow).ToList();
            foreach (var store in new[] { whole, daily, batched })
            {
                await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
                await connection.ExecuteAsync("DELETE FROM usage_slab");
            }

            // A first night: every slab-day of the window from one scan per feed.
            Assert.Equal(3 * NightlyPass.WindowDays, await new UsageSlabs(whole).EnsureAsync(Start, DistrictFixture.RunDate, CancellationToken.None));

            // One date at a time, as nights after the first build them.
            for (var date = Start; date <= DistrictFixture.RunDate; date = date.AddDays(1))
            {
                Assert.Equal(3, await new UsageSlabs(daily).EnsureAsync(date, date, CancellationToken.None));
            }

            // A budget of one byte: the scan stops after every date and the next batch starts again from there.
            await new UsageSlabs(batched) { BatchBytes = 1 }.EnsureAsync(Start, DistrictFixture.RunDate, CancellationToken.None);

            var expected = await SlabsAsync(daily);
            Assert.Equal(3 * NightlyPass.WindowDays, expected.Count(s => s.StartsWith("usage_", StringComparison.Ordinal) && s.Contains(" -1 ", StringComparison.Ordinal)));
            Assert.Contains(expected, s => s.StartsWith("usage_telecom", StringComparison.Ordinal) && !s.Contains(" -1 ", StringComparison.Ordinal));
            Assert.Equal(expected, await SlabsAsync(whole));
            Assert.Equal(expected, await SlabsAsync(batched));

            // What the ingest wrote of a day is what the pass builds from the table, byte for byte.
            Assert.Equal(expected, ingested);

            // Built slabs are current: nothing is built again.
            Assert.Equal(0, await new UsageSlabs(whole).EnsureAsync(Start, DistrictFixture.RunDate, CancellationToken.None));
        }
    }

    private static NightlyPass WholeWindowPass(RiskStore store, string home) =>
        new(store, KeyRing.LoadOrCreate(home), new Scoring.Models.ModelRegistry(Path.Combine(home, "models")), new Policy.ThresholdPolicy(),
            Path.Combine(home, "no-inbox"), Serilog.Core.Logger.None)
        {
            WholeWindowHistory = true,
        };

    private static async Task AssertSameHistoriesAsync(RiskStore store)
    {
        var expected = (await new HistoryLoader(store).LoadAsync(Start, DistrictFixture.RunDate, dongs: null, CancellationToken.None)).Households;
        await using var reader = await ChunkedHistory.OpenAsync(store, Start, DistrictFixture.RunDate, dongs: null, CancellationToken.None);
        var actual = new List<HouseholdRecord>();
        foreach (var first in reader.Chunks)
        {
            actual.AddRange((await reader.LoadChunkAsync(first, CancellationToken.None)).Records);
        }

        Assert.True(expected.Count > 1000);
        Assert.Equal(expected.Select(r => r.HouseholdNo), actual.Select(r => r.HouseholdNo));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal((e.FirstSeenOn, e.GoneOn), (a.FirstSeenOn, a.GoneOn));
            Assert.Equal(Describe(e.History), Describe(a.History));
            Assert.Equal(Features(e.History), Features(a.History));
            Assert.Equal(FlatlineSignal.Compute(e.History, DistrictFixture.RunDate), FlatlineSignal.Compute(a.History, DistrictFixture.RunDate));
        }
    }

    private static float[] Features(HouseholdHistory history)
    {
        var features = new float[FeatureSchema.Count];
        FeatureBuilder.Build(history, DistrictFixture.RunDate, features);
        return features;
    }

    /// <summary>Everything a history holds as text; floats by their bits, so NaN and -0 compare exactly.</summary>
    private static string Describe(HouseholdHistory h)
    {
        static string Bits(ReadOnlyMemory<float> values) => string.Join(',', values.ToArray().Select(v => BitConverter.SingleToInt32Bits(v)));
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{h.HouseholdKey} {h.DongCode} {h.Profile} {h.Start} lines={h.TelecomLines}")
            .AppendLine(Bits(h.Kwh)).AppendLine(string.Join(',', h.ActiveHours.ToArray())).AppendLine(Bits(h.WaterLiters))
            .AppendLine(string.Join(',', h.CallsOut.ToArray())).AppendLine(string.Join(',', h.CallsIn.ToArray()))
            .AppendLine(string.Join(',', h.SmsOut.ToArray()))
            .AppendLine(Bits(h.DataMb))
            .AppendLine(string.Join(';', h.Arrears)).AppendLine(string.Join(';', h.Welfare)).AppendLine(string.Join(';', h.Reports))
            .ToString();
    }

    /// <summary>
    /// A corrected re-send of the electricity file of a day inside the window: every tenth household's kWh doubled and
    /// its active hours dropped, so features that read that day change.
    /// </summary>
    private async Task IngestResentDayAsync(RiskStore store, string home)
    {
        var name = $"usage_electricity_{ResentDay:yyyyMMdd}";
        var lines = await File.ReadAllLinesAsync(Path.Combine(district.Inbox, name + ".csv"));
        var header = lines[0].Split(',');
        var kwh = Array.IndexOf(header, "kwh");
        var hours = Array.IndexOf(header, "active_hours");
        for (var i = 1; i < lines.Length; i += 10)
        {
            var fields = lines[i].Split(',');
            if (double.TryParse(fields[kwh], CultureInfo.InvariantCulture, out var value))
            {
                fields[kwh] = (value * 2).ToString("0.000", CultureInfo.InvariantCulture);
                fields[hours] = "";
            }

            lines[i] = string.Join(',', fields);
        }

        var inbox = TestPaths.NewTempDirectory();
        await File.WriteAllLinesAsync(Path.Combine(inbox, name + ".v2.csv"), lines);
        var results = await new InboxIngestor(store, KeyRing.LoadOrCreate(home), Serilog.Core.Logger.None).IngestAsync(inbox, CancellationToken.None);
        Assert.Contains(results, r => r.Status == FileIngestResult.Loaded && r.Version == 2);
    }

    private static async Task<string> SlabSourceAsync(RiskStore store, DateOnly date)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<string>(
            "SELECT source FROM usage_slab WHERE feed = 'usage_electricity' AND first_no = -1 AND date = @date",
            new { date = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }) ?? "";
    }

    /// <summary>Every slab row of the store as text (the payload as hex), in key order.</summary>
    private static bool InWindow(string slab) =>
        IsoDate.Parse(slab.Split(' ')[2]) is var date && date >= Start && date <= DistrictFixture.RunDate;

    private static async Task<List<string>> SlabsAsync(RiskStore store)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(string Feed, long FirstNo, string Date, string Source, long Format, byte[] Payload)>(
            "SELECT feed, first_no, date, source, format, payload FROM usage_slab ORDER BY feed, first_no, date");
        return rows.Select(r => $"{r.Feed} {r.FirstNo} {r.Date} {r.Source} {r.Format} {Convert.ToHexString(r.Payload)}").ToList();
    }

    private static async Task<string> ScoresAsync(RiskStore store)
    {
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        var rows = await connection.QueryAsync<(long No, double Crisis, double Lonely)>(
            "SELECT household_no, crisis_score, lonely_death_score FROM run_list WHERE run_date = @date ORDER BY household_no",
            new { date = DistrictFixture.RunDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        return string.Join('\n', rows.Select(r => $"{r.No} {r.Crisis:R} {r.Lonely:R}"));
    }
}
