using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Benchmarks;

/// <summary>
/// Queue merge: one night's push of flagged households into the dong queues of a SQLite store (<see cref="DongQueue.PushAsync"/>:
/// every household's scores, the open cases updated, cool-down and per-dong capacity applied, new cases inserted, the
/// run list and ledger written) — 100,000 households scored and 600 flagged in 12 dongs, as the 100k macro night. Each
/// iteration pushes onto a fresh copy of a store where three earlier nights left open cases (which the night updates)
/// and closed ones still cooling down (which it holds), so every iteration does the same work.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 8)]
public class QueueMergeBenchmarks
{
    private const int Households = 100_000;
    private const int FlaggedPerNight = 600;
    private static readonly DateOnly Night = new(2026, 10, 31);
    private static readonly ThresholdPolicy Policy = new();
    private static readonly IReadOnlyList<string> Reasons = ["전기 사용이 3일째 평소의 10% 미만", "통화 발신 없음 14일", "1인 가구, 78세"];
    private string _root = "";
    private string _template = "";
    private RiskStore? _store;
    private IReadOnlyList<CaseDraft> _drafts = [];
    private IReadOnlyList<ScoreRow> _scores = [];

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "riskwatch-bench-queue-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_root);
        _template = Path.Combine(_root, "template.db");
        using (var store = Open(_template))
        {
            // Three earlier nights, then some of their cases closed inside the cool-down window.
            for (var back = 3; back >= 1; back--)
            {
                var date = Night.AddDays(-back);
                Push(store, date, Drafts(seed: back), Scores(seed: back));
            }

            using var connection = store.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE risk_case SET status = 'closed', closed_on = '2026-10-30' WHERE household_no % 3 = 0";
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [IterationSetup]
    public void FreshCopy()
    {
        _store?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var work = Path.Combine(_root, "work.db");
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(work + suffix);
        }

        File.Copy(_template, work);
        _store = Open(work);
        _drafts = Drafts(seed: 0);
        _scores = Scores(seed: 0);
    }

    [Benchmark]
    public int PushNight() => Push(_store!, Night, _drafts, _scores).Opened;

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private static RiskStore Open(string path) =>
        RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + path), CancellationToken.None).GetAwaiter().GetResult();

    private static PushResult Push(RiskStore store, DateOnly date, IReadOnlyList<CaseDraft> drafts, IReadOnlyList<ScoreRow> scores)
    {
        var stamp = new RunStamp(date, Partition.District.Key, "crisis-bench+lonely_death-bench", Policy.Version)
        {
            InputHash = "bench-" + IsoDate(date),
        };
        return new DongQueue(store).PushAsync(stamp, drafts, scores, Policy, CancellationToken.None).GetAwaiter().GetResult();
    }

    private static string IsoDate(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A night's flags in the pass's order (urgent first, then by score); a tenth are flatline (urgent), the rest model.</summary>
    private static List<CaseDraft> Drafts(int seed)
    {
        // Households drawn from the first fifth, so successive nights overlap (updates of open cases) as real ones do.
        var random = new Random(seed);
        var picked = new HashSet<long>();
        while (picked.Count < FlaggedPerNight)
        {
            picked.Add(random.Next(0, Households / 5));
        }

        return picked
            .Select(no => (No: no, Score: random.NextDouble(), Urgent: random.Next(10) == 0))
            .OrderByDescending(d => d.Urgent).ThenByDescending(d => d.Score)
            .Select(d => new CaseDraft(
                d.No,
                KeyOf(d.No),
                DongOf(d.No),
                d.Urgent ? Priority.Urgent : d.Score > 0.6 ? Priority.High : Priority.Normal,
                d.Urgent ? Lane.Flatline | Lane.Model : Lane.Model,
                d.Score,
                d.Score / 4,
                () => Reasons))
            .ToList();
    }

    private static List<ScoreRow> Scores(int seed)
    {
        var random = new Random(seed + 100);
        return Enumerable.Range(0, Households).Select(no => new ScoreRow(no, random.NextSingle(), random.NextSingle() / 4)).ToList();
    }

    /// <summary>A household key as the store holds it (hex of an HMAC); case ids take its first 12 characters.</summary>
    private static string KeyOf(long householdNo) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(householdNo)));

    private static string DongOf(long householdNo) =>
        "28245" + (510 + (householdNo % 12) * 10).ToString(System.Globalization.CultureInfo.InvariantCulture) + "00";
}
