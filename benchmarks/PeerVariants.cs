using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Benchmarks;

/// <summary>
/// The diagnosis behind the trainer's tree settings (benchmarks/peer/variants.sh): FastTree fitted with other options on
/// the earlier temporal folds inside an exported train matrix — never on its test split unless asked for by name — and
/// the raw scores written for peer.py's metrics. A variant is <c>name:key=value;key=value</c>; the rest are the trainer's
/// (100 trees, 31 leaves, 30 per leaf, positives weighted √(neg/pos)), or FastTree's defaults for the knobs the trainer
/// leaves alone (best_step, gain_confidence, entropy, dropout: the fourth round's dead ends). Folds: <c>e1</c> tests on the last window of as
/// many dates as the test split before it, <c>e2</c> on the window before that, <c>test</c> is the exported split itself.
/// </summary>
internal static class PeerVariants
{
    public static int Run(string directory, string target, string outDirectory, string folds, IReadOnlyList<string> variants)
    {
        Directory.CreateDirectory(outDirectory);
        var train = Ordered(FeatureMatrix.Read(Path.Combine(directory, $"{target}_train.csv")));
        var test = Ordered(FeatureMatrix.Read(Path.Combine(directory, $"{target}_test.csv")));
        var window = test.Select(r => r.AsOf).Distinct().Count();
        var dates = train.Select(r => r.AsOf).Distinct().Order().ToArray();
        var ml = new MLContext(1);
        foreach (var variant in variants)
        {
            var name = variant.Split(':')[0];
            var settings = variant.Contains(':', StringComparison.Ordinal)
                ? variant[(variant.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(';', StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => p.Split('=')).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal)
                : [];
            foreach (var fold in folds.Split(','))
            {
                var (foldTrain, foldTest) = Fold(fold, train, test, dates, window);
                var positives = foldTrain.Count(r => r.Label);
                var power = settings.GetValueOrDefault("weight_power", 0.5);
                var positiveWeight = (float)Math.Max(1.0, Math.Pow((double)(foldTrain.Length - positives) / positives, power));
                var data = new FeatureDataView(
                    [.. foldTrain.Select(r => r.Features)], FeatureSchema.Count, [.. foldTrain.Select(r => r.Label)],
                    [.. foldTrain.Select(r => r.Label ? positiveWeight : 1f)]);
                ITransformer model = settings.ContainsKey("lgbm")
                    ? ml.BinaryClassification.Trainers.LightGbm(LightGbmOptions(settings)).Fit(data)
                    : ml.BinaryClassification.Trainers.FastTree(Options(settings)).Fit(data);
                var scores = RiskModelTrainer.ReadColumn(model.Transform(new FeatureDataView([.. foldTest.Select(r => r.Features)], FeatureSchema.Count)), "Score");
                using var writer = new StreamWriter(Path.Combine(outDirectory, $"{target}.{fold}.{name}.csv"));
                writer.WriteLine("household,dong,as_of,label,score");
                for (var i = 0; i < foldTest.Length; i++)
                {
                    var r = foldTest[i];
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.HouseholdKey},{r.DongCode},{r.AsOf:yyyy-MM-dd},{(r.Label ? 1 : 0)},{scores[i]:R}"));
                }

                Console.WriteLine($"variants: {target} {fold} {name}: {foldTrain.Length:N0} train rows ({positives:N0} positive), {foldTest.Length:N0} test rows");
            }
        }

        return 0;
    }

    private static (TrainingExample[] Train, TrainingExample[] Test) Fold(string fold, TrainingExample[] train, TrainingExample[] test, DateOnly[] dates, int window)
    {
        if (fold == "test")
        {
            return (train, test);
        }

        var back = int.Parse(fold.AsSpan(1), CultureInfo.InvariantCulture);
        var first = dates.Length - (back * window);
        var (from, through) = (dates[first], dates[first + window - 1]);
        return ([.. train.Where(r => r.AsOf < from)], [.. train.Where(r => r.AsOf >= from && r.AsOf <= through)]);
    }

    private static FastTreeBinaryTrainer.Options Options(Dictionary<string, double> settings)
    {
        var options = new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = FeatureDataView.LabelColumn,
            FeatureColumnName = FeatureDataView.FeaturesColumn,
            ExampleWeightColumnName = FeatureDataView.WeightColumn,
            NumberOfTrees = 100,
            NumberOfLeaves = 31,
            MinimumExampleCountPerLeaf = 30,
            Seed = 1,
            FeatureSelectionSeed = 1,
        };
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case "weight_power": break;
                case "trees": options.NumberOfTrees = (int)value; break;
                case "leaves": options.NumberOfLeaves = (int)value; break;
                case "min_leaf": options.MinimumExampleCountPerLeaf = (int)value; break;
                case "learning_rate": options.LearningRate = value; break;
                case "smoothing": options.Smoothing = value; break;
                case "max_tree_output": options.MaximumTreeOutput = value; break;
                case "best_step": options.BestStepRankingRegressionTrees = value > 0; break;
                case "gain_confidence": options.GainConfidenceLevel = value; break;
                case "entropy": options.EntropyCoefficient = value; break;
                case "dropout": options.DropoutRate = value; break;
                case "bins": options.MaximumBinCountPerFeature = (int)value; break;
                case "feature_fraction": options.FeatureFraction = value; break;
                case "feature_fraction_per_split": options.FeatureFractionPerSplit = value; break;
                case "bagging_fraction": options.BaggingSize = 1; options.BaggingExampleFraction = value; break;
                case "unbalanced_sets": options.UnbalancedSets = value > 0; options.ExampleWeightColumnName = null; break;
                default: throw new ArgumentException($"unknown variant setting {key}", nameof(settings));
            }
        }

        return options;
    }

    private static LightGbmBinaryTrainer.Options LightGbmOptions(Dictionary<string, double> settings)
    {
        var options = new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = FeatureDataView.LabelColumn,
            FeatureColumnName = FeatureDataView.FeaturesColumn,
            ExampleWeightColumnName = FeatureDataView.WeightColumn,
            NumberOfIterations = 100,
            NumberOfLeaves = 31,
            MinimumExampleCountPerLeaf = 30,
            LearningRate = 0.2,
            Seed = 1,
            NumberOfThreads = 1,
            Booster = new GradientBooster.Options { L2Regularization = 1, MinimumChildWeight = 1 },
        };
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case "lgbm": case "weight_power": break;
                case "trees": options.NumberOfIterations = (int)value; break;
                case "min_leaf": options.MinimumExampleCountPerLeaf = (int)value; break;
                case "learning_rate": options.LearningRate = value; break;
                case "l2": ((GradientBooster.Options)options.Booster).L2Regularization = value; break;
                case "l1": ((GradientBooster.Options)options.Booster).L1Regularization = value; break;
                case "min_child_weight": ((GradientBooster.Options)options.Booster).MinimumChildWeight = value; break;
                case "bins": options.MaximumBinCountPerFeature = (int)value; break;
                case "feature_fraction": ((GradientBooster.Options)options.Booster).FeatureFraction = value; break;
                case "subsample": ((GradientBooster.Options)options.Booster).SubsampleFraction = value; ((GradientBooster.Options)options.Booster).SubsampleFrequency = 1; break;
                default: throw new ArgumentException($"unknown LightGbm variant setting {key}", nameof(settings));
            }
        }

        return options;
    }

    // As the trainer orders them, so a variant with the trainer's settings gives the trainer's trees.
    private static TrainingExample[] Ordered(List<TrainingExample> rows) =>
        [.. rows.OrderBy(e => e.AsOf).ThenBy(e => e.HouseholdKey, StringComparer.Ordinal).ThenBy(e => e.DongCode, StringComparer.Ordinal)];
}
