using BenchmarkDotNet.Attributes;
using RiskWatch.Detector.Histories;

namespace RiskWatch.Benchmarks;

/// <summary>
/// What one of the nightly pass's forced full collections costs with the usage series of the chunks in flight (three
/// chunks of 32,768 households, 120 days) kept as a block per chunk (<see cref="UsageBlock"/>, the pass's layout) against
/// seven small arrays per household (the layout before it: a one-household block is the same eight objects). Beside
/// them, as in the pass, 1.2M small objects stay live (the night's events) and a chunk's worth of garbage dies before each
/// collection. Server GC, as the CLI runs.
/// </summary>
[GcServer(true)]
public class NightHeapBenchmarks
{
    private const int Days = 120;
    private const int ChunksInFlight = 3;
    private const int Households = ChunksInFlight * 32_768;

    private List<UsageBlock> _series = [];
    private List<int>[] _events = [];

    [Params("block per chunk", "arrays per household")]
    public string Layout { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _events = new List<int>[600_000];
        for (var i = 0; i < _events.Length; i++)
        {
            _events[i] = [i];
        }

        _series = Layout == "block per chunk"
            ? Enumerable.Range(0, ChunksInFlight).Select(_ => new UsageBlock(Households / ChunksInFlight, Days)).ToList()
            : Enumerable.Range(0, Households).Select(_ => new UsageBlock(1, Days)).ToList();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    [IterationSetup]
    public void LeaveAChunksGarbage()
    {
        // A chunk's builders, person rows and records: small objects, dead by the time the pass collects.
        var garbage = new object[400_000];
        for (var i = 0; i < garbage.Length; i++)
        {
            garbage[i] = new string('x', 24);
        }

        GC.KeepAlive(garbage);
    }

    [Benchmark(Description = "forced full collection")]
    public int Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return _series.Count + _events.Length;
    }
}
