using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Models;

/// <summary>The FastTree + LightGbm blend (<see cref="TrainingOptions.BlendLightGbm"/>): the same promises as FastTree alone.</summary>
public sealed class BlendedModelTests(BlendedModelFixture fixture, TrainedModelFixture fastTreeAlone) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("riskwatch-blend-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_blend_learns_the_label_and_its_held_out_probabilities_are_calibrated_within_each_bin()
    {
        var metrics = fixture.Model.Metrics;

        Assert.True(metrics.RocAuc > 0.8, $"ROC AUC {metrics.RocAuc:F3}");
        Assert.All(metrics.Calibration, b => Assert.True(
            Math.Abs(b.MeanPredicted - b.Observed) <= 0.1,
            $"bin {b.From:F3}–{b.To:F3}: predicted {b.MeanPredicted:F3}, observed {b.Observed:F3}"));
    }

    [Fact]
    public void The_blend_is_another_model_than_fast_tree_alone_with_its_own_version()
    {
        var rows = fixture.Examples.Take(500).Select(e => e.Features).ToList();

        Assert.True(fixture.Model.BlendsLightGbm);
        Assert.False(fastTreeAlone.Model.BlendsLightGbm);
        Assert.Equal("FastTree + LightGbm blend + Platt", fixture.Model.Trainer);
        Assert.NotEqual(fastTreeAlone.Model.Version, fixture.Model.Version);
        Assert.NotEqual(fastTreeAlone.Model.DataHash, fixture.Model.DataHash);
        Assert.NotEqual(fastTreeAlone.Model.Score(rows), fixture.Model.Score(rows));
    }

    [Fact]
    public void Both_members_trees_compiled_equal_the_ml_net_idataview_pass_with_either_kernel()
    {
        var model = fixture.Model;
        var rows = fixture.Examples.Take(2_000).Select(e => e.Features).ToList();

        // And rows past every bin and between them: LightGbm's thresholds come from its own binning, not FastTree's.
        float[] edges = [-1, 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var random = new Random(5);
        for (var r = 0; r < 101; r++)
        {
            rows.Add([.. Enumerable.Range(0, FeatureSchema.Count).Select(_ => random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.Next(0, 8))]);
        }

        var matrix = rows.SelectMany(r => r).ToArray();
        var reference = model.ScoreThroughDataView(rows);

        Assert.True(model.IsCompiled);
        foreach (var kernel in Avx2.IsSupported ? [ScoringKernel.Walk, ScoringKernel.Bitvector] : new[] { ScoringKernel.Walk })
        {
            var probabilities = new float[rows.Count];
            model.Compiled!.Score(matrix, probabilities, kernel);
            for (var i = 0; i < rows.Count; i++)
            {
                Assert.True(Math.Abs(probabilities[i] - reference[i]) < 1e-6, $"{kernel}, row {i}: {probabilities[i]} vs ML.NET {reference[i]}");
            }
        }
    }

    [Fact]
    public void Explain_names_the_features_that_truly_drive_the_label()
    {
        var reasons = fixture.Model.Explain(SyntheticExamples.RiskyRow(), top: 2);

        Assert.Equal(
            ["arrears_months_health_insurance", "elec_flat_days"],
            reasons.Select(r => r.Code).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_saved_and_loaded_blend_scores_and_explains_identically_and_says_it_is_a_blend()
    {
        var model = fixture.Model;
        model.Save(_directory);

        var loaded = RiskModel.Load(Path.Combine(_directory, model.Version + ".zip"));

        var rows = fixture.Examples.Take(5_000).Select(e => e.Features).ToList();
        Assert.Equal(model.Score(rows), loaded.Score(rows));
        Assert.Equal(model.ScoreThroughDataView(rows), loaded.ScoreThroughDataView(rows));
        Assert.Equal(model.Explain(SyntheticExamples.RiskyRow(), 3), loaded.Explain(SyntheticExamples.RiskyRow(), 3));
        Assert.True(loaded.BlendsLightGbm);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, model.Version + ".json")));
        Assert.True(json.RootElement.GetProperty("training").GetProperty("blend_light_gbm").GetBoolean());
    }

    [Fact]
    public void Training_the_blend_is_deterministic_whatever_the_order_of_the_examples()
    {
        var examples = SyntheticExamples.Create(households: 400, asOfDates: 6, seed: 5, intercept: -5);
        var options = new TrainingOptions { Trees = 20, BlendLightGbm = true };
        var first = RiskModelTrainer.Train(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken);
        var shuffled = examples.OrderBy(_ => Random.Shared.Next()).ToList();
        var second = RiskModelTrainer.Train(ModelTarget.Crisis, shuffled, options, TestContext.Current.CancellationToken);

        Assert.Equal(first.Version, second.Version);
        var rows = examples.Select(e => e.Features).ToList();
        Assert.Equal(first.Score(rows), second.Score(rows));
        Assert.Equal(first.Metrics.RocAuc, second.Metrics.RocAuc);
    }
}
