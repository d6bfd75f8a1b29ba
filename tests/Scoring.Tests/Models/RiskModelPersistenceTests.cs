using System.Text.Json;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Models;

public sealed class RiskModelPersistenceTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("riskwatch-models-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_saved_and_loaded_model_scores_and_explains_identically()
    {
        var model = fixture.Model;
        model.Save(_directory);

        var loaded = RiskModel.Load(Path.Combine(_directory, model.Version + ".zip"));

        var rows = fixture.Examples.Take(5_000).Select(e => e.Features).ToList();
        Assert.Equal(model.Score(rows), loaded.Score(rows));
        Assert.Equal(model.Explain(SyntheticExamples.RiskyRow(), 3), loaded.Explain(SyntheticExamples.RiskyRow(), 3));
        Assert.Equal(model.Version, loaded.Version);
        Assert.Equal(model.Target, loaded.Target);
        Assert.Equal(model.TrainedThrough, loaded.TrainedThrough);
        Assert.Equal(model.DataHash, loaded.DataHash);
        Assert.Equal(model.FeatureNames, loaded.FeatureNames);
        Assert.Equal(model.Metrics.RocAuc, loaded.Metrics.RocAuc);
        Assert.Equal(model.Metrics.AtK, loaded.Metrics.AtK);
        Assert.Equal(model.Metrics.Calibration, loaded.Metrics.Calibration);
        Assert.Equal(model.Metrics.Tuning!.MinimumExamplesPerLeaf, loaded.Metrics.Tuning!.MinimumExamplesPerLeaf);
        Assert.Equal(model.Metrics.Tuning.Smoothing, loaded.Metrics.Tuning.Smoothing);
        Assert.Equal(model.Metrics.Tuning.MaximumTreeOutput, loaded.Metrics.Tuning.MaximumTreeOutput);
        Assert.Equal(model.Metrics.Tuning.PositiveWeightPower, loaded.Metrics.Tuning.PositiveWeightPower);
        Assert.Equal(model.Metrics.Tuning.Candidates, loaded.Metrics.Tuning.Candidates);
    }

    [Fact]
    public void The_manifest_says_what_the_model_is()
    {
        fixture.Model.Save(_directory);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, fixture.Model.Version + ".json")));
        var root = json.RootElement;
        Assert.Equal(fixture.Model.Version, root.GetProperty("version").GetString());
        Assert.Equal("crisis", root.GetProperty("target").GetString());
        Assert.Equal("2026-08-03", root.GetProperty("trained_through").GetString());
        Assert.Equal("2026-01-05", root.GetProperty("trained_from").GetString());
        Assert.Equal(fixture.Model.FeatureNames.Count, root.GetProperty("features").GetArrayLength());
        Assert.True(root.GetProperty("metrics").GetProperty("roc_auc").GetDouble() > 0.8);
        Assert.Equal(fixture.Model.DataHash, root.GetProperty("data_hash").GetString());

        // The hyper-parameters the earlier folds chose, and how: what was tried and what each scored.
        var tuning = fixture.Model.Metrics.Tuning!;
        var training = root.GetProperty("training");
        Assert.Equal(tuning.MinimumExamplesPerLeaf, training.GetProperty("minimum_examples_per_leaf").GetInt32());
        Assert.Equal(tuning.Smoothing, training.GetProperty("smoothing").GetDouble());
        Assert.Equal(tuning.MaximumTreeOutput, training.GetProperty("maximum_tree_output").GetDouble());
        Assert.Equal(tuning.PositiveWeightPower, training.GetProperty("positive_weight_power").GetDouble());
        var recorded = root.GetProperty("metrics").GetProperty("tuning");
        Assert.Equal(tuning.MinimumExamplesPerLeaf, recorded.GetProperty("minimum_examples_per_leaf").GetInt32());
        Assert.Equal(tuning.Smoothing, recorded.GetProperty("smoothing").GetDouble());
        Assert.Equal(tuning.MaximumTreeOutput, recorded.GetProperty("maximum_tree_output").GetDouble());
        Assert.Equal(tuning.PositiveWeightPower, recorded.GetProperty("positive_weight_power").GetDouble());
        var defaults = new TrainingOptions();
        Assert.Equal(
            defaults.MinimumExamplesPerLeaf.SelectMany(size => defaults.LeafValues.Select(leaf => (size, leaf.Smoothing, leaf.MaximumTreeOutput, leaf.PositiveWeightPower))),
            recorded.GetProperty("candidates").EnumerateArray().Select(c => (
                c.GetProperty("minimum_examples_per_leaf").GetInt32(), c.GetProperty("smoothing").GetDouble(),
                c.GetProperty("maximum_tree_output").GetDouble(), c.GetProperty("positive_weight_power").GetDouble())));
    }

    [Fact]
    public void Promote_makes_the_model_current_for_its_target_only()
    {
        var registry = new ModelRegistry(_directory);
        Assert.Null(registry.LoadCurrent(ModelTarget.Crisis));

        registry.Promote(fixture.Model);

        Assert.Equal(fixture.Model.Version, registry.LoadCurrent(ModelTarget.Crisis)?.Version);
        Assert.Null(registry.LoadCurrent(ModelTarget.LonelyDeath));
        Assert.Equal(fixture.Model.Version, File.ReadAllText(Path.Combine(_directory, "crisis", "current")).Trim());
        Assert.True(File.Exists(Path.Combine(_directory, "crisis", fixture.Model.Version + ".zip")));
    }

    [Fact]
    public void A_model_of_another_feature_list_is_refused_on_load()
    {
        fixture.Model.Save(_directory);
        var manifest = Path.Combine(_directory, fixture.Model.Version + ".json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"reports_90d\"", "\"reports_91d\"", StringComparison.Ordinal));

        Assert.Throws<InvalidDataException>(() => RiskModel.Load(Path.Combine(_directory, fixture.Model.Version + ".zip")));
    }
}
