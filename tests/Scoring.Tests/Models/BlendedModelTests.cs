using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;
using RiskWatch.Scoring.Reasons;

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
        Assert.Equal("blend:lightgbm:lr0.2:l2=1:mcw=1:w0.5:nomissing", RiskModelTrainer.BlendMarker); // hashed: LightGbm's settings are in the version
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

        Assert.True(model.IsCompiled);
        AssertEveryKernelScoresAsDataView(model, rows);
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
    public void Explain_averages_both_members_signed_contributions_before_keeping_the_positive_ones()
    {
        // Each member's contributions of both signs, computed here from the saved chain with ML.NET alone.
        var model = fixture.Model;
        model.Save(_directory);
        var ml = new MLContext(seed: 1);
        var chain = (TransformerChain<ITransformer>)ml.Model.Load(Path.Combine(_directory, model.Version + ".zip"), out _);
        var fastTree = chain.OfType<ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>>>().Single();
        var lightGbm = chain.OfType<ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>>>().Single();
        var rows = fixture.Examples.Take(2_000).Select(e => e.Features).ToList();
        var ofFastTree = Contributions(ml.Transforms.CalculateFeatureContribution(fastTree, FeatureSchema.Count, FeatureSchema.Count, normalize: false), rows);
        var ofLightGbm = Contributions(ml.Transforms.CalculateFeatureContribution(lightGbm, FeatureSchema.Count, FeatureSchema.Count, normalize: false), rows);

        // Rows on which averaging only the positive parts (each member's negatives dropped first) names other reasons.
        var telling = Enumerable.Range(0, rows.Count)
            .Select(r => (
                Row: rows[r],
                Signed: Reasons(rows[r], [.. ofFastTree[r].Zip(ofLightGbm[r], (f, l) => (f + l) / 2)]),
                PositiveOnly: Reasons(rows[r], [.. ofFastTree[r].Zip(ofLightGbm[r], (f, l) => (Math.Max(f, 0) + Math.Max(l, 0)) / 2)]),
                Disagree: ofFastTree[r].Zip(ofLightGbm[r], (f, l) => (f > 0 && l < 0) || (f < 0 && l > 0)).Any(d => d)))
            .Where(t => !t.Signed.SequenceEqual(t.PositiveOnly))
            .Take(20)
            .ToList();

        Assert.NotEmpty(telling);
        Assert.All(telling, t =>
        {
            Assert.True(t.Disagree);
            Assert.Equal(t.Signed, model.Explain(t.Row, 3).Select(r => r.Code));
        });
    }

    private static float[][] Contributions(IEstimator<ITransformer> estimator, List<float[]> rows)
    {
        var output = estimator.Fit(new FeatureDataView([], FeatureSchema.Count)).Transform(new FeatureDataView(rows, FeatureSchema.Count));
        return [.. output.GetColumn<VBuffer<float>>(output.Schema["FeatureContributions"]).Select(v => v.DenseValues().ToArray())];
    }

    /// <summary>The top 3 reason codes of <paramref name="contributions"/>: the positive ones, largest first, that ReasonWriter has words for.</summary>
    private static string[] Reasons(float[] row, float[] contributions) =>
        [.. Enumerable.Range(0, contributions.Length)
            .Where(i => contributions[i] > 0)
            .OrderByDescending(i => contributions[i])
            .ThenBy(i => i)
            .Select(i => ReasonWriter.ForFeature(FeatureSchema.Names[i], row[i])?.Code)
            .OfType<string>()
            .Take(3)];

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
    public void A_blend_trained_on_rows_with_missing_values_compiles_to_the_idataview_pass_on_those_rows()
    {
        // The two features that drive the label and two of noise missing in about a sixth of the rows each. FastTree leaves
        // a row with NaN out of its fit (ML.NET's rule), LightGbm learns where to send missing values: those are the splits.
        var examples = SyntheticExamples.Create(households: 400, asOfDates: 6, seed: 9, intercept: -5);
        int[] missing = [.. new[] { "arrears_months_health_insurance", "elec_flat_days", "kwh_ratio_7_60", "water_ratio_7_60" }.Select(FeatureSchema.IndexOf)];
        var random = new Random(9);
        foreach (var example in examples)
        {
            foreach (var i in missing.Where(_ => random.Next(6) == 0))
            {
                example.Features[i] = float.NaN;
            }
        }

        var model = RiskModelTrainer.Train(ModelTarget.Crisis, examples, new TrainingOptions { Trees = 20, BlendLightGbm = true }, TestContext.Current.CancellationToken);
        var rows = examples.Select(e => e.Features).Where(r => r.Any(float.IsNaN)).Take(1_000).ToList();
        Assert.True(model.IsCompiled);
        Assert.Equal(1_000, rows.Count);
        AssertEveryKernelScoresAsDataView(model, rows);
    }

    [Fact]
    public void A_manifest_that_disagrees_with_the_chain_about_the_blend_scores_through_idataview()
    {
        var rows = fixture.Examples.Take(500).Select(e => e.Features).ToList();
        foreach (var (model, claimsBlend) in new[] { (fixture.Model, false), (fastTreeAlone.Model, true) })
        {
            var directory = Path.Combine(_directory, model.Version);
            model.Save(directory);
            var manifest = Path.Combine(directory, model.Version + ".json");
            var json = File.ReadAllText(manifest);
            var flag = $"\"blend_light_gbm\": {(!claimsBlend ? "true" : "false")}";
            Assert.Contains(flag, json, StringComparison.Ordinal);
            File.WriteAllText(manifest, json.Replace(flag, $"\"blend_light_gbm\": {(claimsBlend ? "true" : "false")}", StringComparison.Ordinal));

            var loaded = RiskModel.Load(Path.Combine(directory, model.Version + ".zip"));

            Assert.Equal(claimsBlend, loaded.BlendsLightGbm);
            Assert.False(loaded.IsCompiled, model.Version);
            Assert.Equal(model.ScoreThroughDataView(rows), loaded.Score(rows));
        }
    }

    [Fact]
    public void Training_the_blend_on_the_same_rows_in_any_order_gives_the_same_model()
    {
        // What this proves: the model is a function of the rows, not of their order. It does not prove that LightGbm runs on
        // one thread (RiskModelTrainer sets NumberOfThreads = 1; a multithreaded fit can still agree with itself on 2 cores).
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

    /// <summary>The compiled blend, with each kernel this CPU has, against the ML.NET pass on the same rows.</summary>
    private static void AssertEveryKernelScoresAsDataView(RiskModel model, List<float[]> rows)
    {
        var matrix = rows.SelectMany(r => r).ToArray();
        var reference = model.ScoreThroughDataView(rows);
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
}
