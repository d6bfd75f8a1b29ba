using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Benchmarks;

/// <summary>
/// Batch scoring of a partition, through ML.NET's IDataView and through <see cref="RiskModel.Score"/>, on one core: the process is
/// pinned to CPU 0, and the model is the production pipeline (FastTree 100 trees × 31 leaves + Platt) trained with
/// MLContext(seed: 1). Feature building is measured apart (<see cref="FeatureBuildingBenchmarks"/>).
/// Households per second = <see cref="Households"/> ÷ the mean time; the nightly pass scores every household with both
/// models, so <see cref="ScoreFlatMatrixBothModels"/> is the per-household figure and the others are per model.
/// </summary>
public class ScoringBenchmarks
{
    private RiskModel _model = null!;
    private RiskModel _lonelyDeath = null!;
    private RiskModel _blend = null!;
    private float[][] _rows = [];
    private float[] _matrix = [];
    private float[] _probabilities = [];

    [Params(100_000)]
    public int Households { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // One core, whatever else runs: the target is a per-core figure.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            Process.GetCurrentProcess().ProcessorAffinity = 1;
        }
        var random = new Random(1);
        var examples = new List<TrainingExample>();
        for (var date = 0; date < 6; date++)
        {
            for (var household = 0; household < 5_000; household++)
            {
                var features = RandomRow(random);
                var logit = -6 + features[FeatureSchema.IndexOf("arrears_months_health_insurance")] + (0.6 * features[FeatureSchema.IndexOf("elec_flat_days")]);
                examples.Add(new TrainingExample(
                    $"hh-{household:D5}", "2826051000", new DateOnly(2026, 1, 5).AddDays(date * 30), features, random.NextDouble() < 1 / (1 + Math.Exp(-logit))));
            }
        }

        _model = RiskModelTrainer.FitUnvalidated(ModelTarget.Crisis, examples, new TrainingOptions { Seed = 1 });

        // The second production model: same shape (100 × 31 + Platt), a rarer label driven by other features.
        var rare = examples
            .Select(e => e with { Label = random.NextDouble() < 1 / (1 + Math.Exp(-(-9 + e.Features[FeatureSchema.IndexOf("standby_days_14")] + (0.5 * e.Features[FeatureSchema.IndexOf("telecom_silent_days")])))) })
            .ToList();
        _lonelyDeath = RiskModelTrainer.FitUnvalidated(ModelTarget.LonelyDeath, rare, new TrainingOptions { Seed = 1 });
        _blend = RiskModelTrainer.FitUnvalidated(ModelTarget.Crisis, examples, new TrainingOptions { Seed = 1, BlendLightGbm = true });
        _rows = Enumerable.Range(0, Households).Select(_ => RandomRow(random)).ToArray();
        _matrix = _rows.SelectMany(r => r).ToArray();
        _probabilities = new float[Households];
    }

    /// <summary>ML.NET's transform chain over a FeatureDataView: the reference path.</summary>
    [Benchmark(Baseline = true)]
    public float ScoreThroughIDataView() => _model.ScoreThroughDataView(_rows)[^1];

    /// <summary><see cref="RiskModel.Score"/>: the same trees and calibrator walked over the rows.</summary>
    [Benchmark]
    public float ScoreCompiledEnsemble() => _model.Score(_rows)[^1];

    /// <summary>The same over one row-major matrix into a caller's buffer: no per-row arrays, no allocation.</summary>
    [Benchmark]
    public float ScoreFlatMatrix()
    {
        _model.Score(_matrix, _probabilities);
        return _probabilities[^1];
    }

    /// <summary>
    /// <see cref="ScoreFlatMatrix"/> with the portable kernel forced (<see cref="ScoringKernel.Walk"/>, the scorer before the
    /// bitvector kernel and what a CPU without AVX2 runs): the before figure, measured in the same run as the after.
    /// </summary>
    [Benchmark]
    public float ScoreFlatMatrixWalk()
    {
        _model.Compiled!.Score(_matrix, _probabilities, ScoringKernel.Walk);
        return _probabilities[^1];
    }

    /// <summary>What one household costs a night: <see cref="ScoreFlatMatrix"/> with crisis and then lonely_death.</summary>
    [Benchmark]
    public float ScoreFlatMatrixBothModels()
    {
        _model.Score(_matrix, _probabilities);
        _lonelyDeath.Score(_matrix, _probabilities);
        return _probabilities[^1];
    }

    /// <summary><see cref="ScoreFlatMatrix"/> for the FastTree + LightGbm blend (`--lightgbm`): 200 trees instead of 100.</summary>
    [Benchmark]
    public float ScoreFlatMatrixBlend()
    {
        _blend.Score(_matrix, _probabilities);
        return _probabilities[^1];
    }

    private static float[] RandomRow(Random random)
    {
        var features = new float[FeatureSchema.Count];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = random.Next(0, 8);
        }

        return features;
    }
}
