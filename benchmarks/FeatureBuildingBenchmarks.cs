using BenchmarkDotNet.Attributes;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Benchmarks;

/// <summary>Features as of the last day for a partition of households (the nightly pass's per-household cost).</summary>
public class FeatureBuildingBenchmarks
{
    private HouseholdHistory[] _histories = [];
    private float[] _features = [];
    private DateOnly _asOf;

    [Params(10_000)]
    public int Households { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _histories = Histories.Make(Households, days: 120, seed: 1);
        _features = new float[FeatureSchema.Count];
        _asOf = _histories[0].Start.AddDays(119);
    }

    [Benchmark(Baseline = true)]
    public float FlatlineSignalOnly()
    {
        var sum = 0f;
        foreach (var history in _histories)
        {
            sum += FlatlineSignal.Compute(history, _asOf).ElectricityFlatDays;
        }

        return sum;
    }

    [Benchmark]
    public float AllFeatures()
    {
        var sum = 0f;
        foreach (var history in _histories)
        {
            FeatureBuilder.Build(history, _asOf, _features);
            sum += _features[0];
        }

        return sum;
    }
}
