using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RiskWatch.Detector.Histories;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Benchmarks;

/// <summary>
/// The nightly pass's 120-day window of a generated district in SQLite, read two ways: every household's rows at once
/// (<see cref="HistoryLoader"/>, the reference) and chunk by chunk from the usage day slabs (<see cref="ChunkedHistory"/>,
/// slabs already built as after an earlier night). Small district, so the whole run stays within a few minutes.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class HistoryReadBenchmarks
{
    private static readonly DateOnly End = new(2026, 10, 31);
    private static readonly DateOnly Start = End.AddDays(-119);
    private string _root = "";
    private RiskStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "riskwatch-bench-history-" + Guid.NewGuid().ToString("N")[..8]);
        var inbox = Path.Combine(_root, "inbox");
        DistrictGenerator.Generate(new DistrictOptions { Households = 5_000, Dongs = 4, Days = 121, EndDate = End, Seed = 3 }, inbox);
        _store = RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(_root, "rw.db")), CancellationToken.None).GetAwaiter().GetResult();
        new InboxIngestor(_store, KeyRing.LoadOrCreate(_root), Serilog.Core.Logger.None).IngestAsync(inbox, CancellationToken.None).GetAwaiter().GetResult();
        new UsageSlabs(_store).EnsureAsync(Start, End, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> WholeWindowRows() =>
        (await new HistoryLoader(_store).LoadAsync(Start, End, dongs: null, CancellationToken.None)).Households.Count;

    [Benchmark]
    public async Task<int> ChunksFromSlabs()
    {
        var reader = await ChunkedHistory.OpenAsync(_store, Start, End, dongs: null, CancellationToken.None);
        var count = 0;
        foreach (var first in reader.Chunks)
        {
            count += (await reader.LoadChunkAsync(first, CancellationToken.None)).Records.Count;
        }

        return count;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
