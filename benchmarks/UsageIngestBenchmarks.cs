using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Benchmarks;

/// <summary>
/// One usage_electricity file of a million rows into a fresh SQLite store: 20,000 households × 50 days (a district's
/// backfill file) and a million households seen for the first time (the worst case: an HMAC and a new row each).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class UsageIngestBenchmarks
{
    internal const int Rows = 1_000_000;
    private string _root = "";
    private string _inbox = "";
    private string _home = "";

    [Params(20_000, 1_000_000)]
    public int Households { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "riskwatch-bench-" + Guid.NewGuid().ToString("N")[..8]);
        _inbox = Path.Combine(_root, "inbox");
        Directory.CreateDirectory(_inbox);
        Write(Path.Combine(_inbox, "usage_electricity_20260720.csv"), Households);
    }

    [IterationSetup]
    public void FreshStore()
    {
        _home = Path.Combine(_root, "home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_home);
    }

    [Benchmark]
    public async Task<int> IngestMillionRowFile()
    {
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(_home, "rw.db")), CancellationToken.None);
        var results = await new InboxIngestor(store, KeyRing.LoadOrCreate(_home), Serilog.Core.Logger.None).IngestAsync(_inbox, CancellationToken.None);
        return results[0].RowsLoaded;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes a usage_electricity file of <see cref="Rows"/> rows: <paramref name="households"/> households a day.</summary>
    internal static void Write(string path, int households)
    {
        var random = new Random(1);
        var days = Rows / households;
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.Write("household_id,date,kwh,active_hours,quality\n");
        for (var day = 0; day < days; day++)
        {
            var date = new DateOnly(2026, 6, 1).AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            for (var h = 0; h < households; h++)
            {
                var kwh = (5 + random.NextDouble() * 6).ToString("0.000", CultureInfo.InvariantCulture);
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"H{h:D8},{date},{kwh},{random.Next(4, 18)},measured\n"));
            }
        }
    }
}
