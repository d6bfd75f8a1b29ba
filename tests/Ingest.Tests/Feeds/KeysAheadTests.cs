using System.Diagnostics;
using System.Text;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Feeds;

public sealed class KeysAheadTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("riskwatch-keys-ahead-").FullName;
    private readonly Pseudonymizer _pseudonymizer;

    public KeysAheadTests() => _pseudonymizer = KeyRing.LoadOrCreate(_root).Pseudonymizer;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Every_valid_row_of_a_file_longer_than_the_ring_gets_the_key_the_loop_would_hash_and_invalid_rows_none()
    {
        // 40,000 rows: the ring (16k) wraps twice, so the thread waits for the loop and reuses slots on the way.
        var rrns = Enumerable.Range(0, 40_000)
            .Select(i => i % 997 == 5 ? "12345" : i % 3 == 0 ? $"800101-1{i:D6}" : $"8001012{i:D6}")
            .ToList();
        var path = Write("usage_telecom_20261031.csv", "rrn,date,calls_out,calls_in,sms_out,data_mb", rrns.Select(r => $"{r},2026-10-31,1,2,0,3.5"));
        using var hasher = _pseudonymizer.CreateHasher();
        using var ahead = KeysAhead.Start(path, UsageTelecomLoader.Definition, _pseudonymizer)!;
        using var reader = InboxIngestor.OpenCsv(path, malformed: null);
        reader.ReadHeader();
        var digits = new byte[Rrn.DigitCount];
        var taken = 0;
        while (reader.Read())
        {
            ahead.Advance(reader.RowNumber);
            var value = reader.GetSpan(0);
            if (Rrn.Validate(value, digits) != Rrn.Check.Valid)
            {
                Assert.True(PackedIdentifier.TryPack(value, out var raw));
                Assert.False(ahead.TryTake(raw, out _));
                continue;
            }

            Assert.True(PackedIdentifier.TryPack(digits, out var identifier));
            Assert.True(Eventually(() => ahead.TryTake(identifier, out _)), $"no key for row {reader.RowNumber}");
            ahead.TryTake(identifier, out var key);
            Assert.Equal(hasher.Person(digits), key);
            taken++;
        }

        Assert.Equal(rrns.Count(r => r != "12345"), taken);
    }

    [Fact]
    public void A_row_whose_identifier_is_not_the_one_hashed_for_it_gets_no_key()
    {
        var path = Write("usage_electricity_20261031.csv", "household_id,date,kwh", ["H-0001,2026-10-31,3.2", "H-0002,2026-10-31,1.0"]);
        using var ahead = KeysAhead.Start(path, UsageElectricityLoader.Definition, _pseudonymizer)!;
        using var hasher = _pseudonymizer.CreateHasher();
        Assert.False(ahead.IsPerson);

        ahead.Advance(1);
        Assert.True(PackedIdentifier.TryPack("H-0001"u8, out var first));
        Assert.True(PackedIdentifier.TryPack("H-0002"u8, out var second));
        Assert.True(Eventually(() => ahead.TryTake(first, out _)));
        Assert.False(ahead.TryTake(second, out _));
        ahead.Advance(2);
        Assert.True(Eventually(() => ahead.TryTake(second, out _)));
        ahead.TryTake(second, out var key);
        Assert.Equal(hasher.Household("H-0002"u8), key);
    }

    [Fact]
    public void A_file_without_its_subject_column_or_a_feed_without_one_gives_no_keys_and_stops_at_once()
    {
        var path = Write("usage_telecom_20261031.csv", "date,calls_out", ["2026-10-31,1"]);
        using (var ahead = KeysAhead.Start(path, UsageTelecomLoader.Definition, _pseudonymizer)!)
        {
            ahead.Advance(1);
            Assert.True(PackedIdentifier.TryPack("8001011000001"u8, out var identifier));
            Assert.False(ahead.TryTake(identifier, out _));
        }

        Assert.Null(KeysAhead.Start(path, ResidentsLoader.Definition, _pseudonymizer));
    }

    [Fact]
    public async Task A_usage_file_longer_than_the_ring_lands_every_household_under_its_own_key()
    {
        // Through the ingest itself: whatever the hints did (taken, missed, skipped), each household's stored key is the
        // HMAC of its own id, and a second day of the same households creates none.
        using var harness = await IngestHarness.CreateAsync(SqliteLocation.In);
        var ids = Enumerable.Range(0, 20_000).Select(i => $"H-{i:D6}").ToList();
        harness.AddFile("usage_electricity_20261030.csv", "household_id,date,kwh,active_hours,quality\n" + string.Join("", ids.Select(id => $"{id},2026-10-30,2.5,8,measured\n")));
        harness.AddFile("usage_electricity_20261031.csv", "household_id,date,kwh,active_hours,quality\n" + string.Join("", ids.AsEnumerable().Reverse().Select(id => $"{id},2026-10-31,2.5,8,measured\n")));
        var results = await harness.IngestAsync();

        Assert.All(results, r => Assert.Equal(("loaded", 20_000), (r.Status, r.RowsLoaded)));
        var stored = await harness.QueryAsync<string>("SELECT household_key FROM household");
        Assert.Equal(ids.Select(harness.Keys.Pseudonymizer.HouseholdKey).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(40_000, await harness.ScalarAsync<long>(
            "SELECT COUNT(*) FROM usage_electricity u JOIN household h ON h.household_no = u.household_no"));
    }

    private string Write(string name, string header, IEnumerable<string> rows)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, header + "\n" + string.Join("\n", rows) + "\n", Encoding.UTF8);
        return path;
    }

    private static bool Eventually(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return false;
            }

            Thread.Yield();
        }

        return true;
    }
}
