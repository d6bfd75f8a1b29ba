using System.Diagnostics;
using System.Globalization;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Benchmarks;

/// <summary>
/// RiskWatch's side of the peer comparison (benchmarks/peer/compare.sh): trains the production pipeline (FastTree +
/// out-of-fold Platt, <see cref="TrainingOptions"/> defaults, the minimum examples per leaf and smoothing chosen on earlier temporal folds
/// inside the train matrix, as `riskwatch train` does) on each target's exported train matrix, scores the test matrix
/// and writes <c>riskwatch_{target}_scores.csv</c> (household, score) and <c>riskwatch_{target}_timing.csv</c>; then the
/// same with <see cref="TrainingOptions.BlendLightGbm"/> (`riskwatch train --lightgbm`) into <c>riskwatch_blend_{target}_…</c>.
/// The metrics are computed by peer.py for every contender alike, so the table compares models, not metric code.
/// </summary>
internal static class PeerRun
{
    /// <summary>
    /// The production defaults; for experiments, RISKWATCH_PEER_MIN_LEAF fixes the minimum examples per leaf and
    /// RISKWATCH_PEER_LEAF_VALUES the leaf-value candidate (its 1-based index in the defaults) instead of choosing them
    /// (e.g. RISKWATCH_PEER_LEAF_VALUES=1: the plain trees, √ weights, no smoothing, no cap).
    /// </summary>
    private static TrainingOptions Options()
    {
        var options = new TrainingOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable("RISKWATCH_PEER_MIN_LEAF"), CultureInfo.InvariantCulture, out var minLeaf))
        {
            options = options with { MinimumExamplesPerLeaf = [minLeaf] };
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("RISKWATCH_PEER_LEAF_VALUES"), CultureInfo.InvariantCulture, out var leafValues))
        {
            options = options with { LeafValues = [options.LeafValues[leafValues - 1]] };
        }

        return options;
    }

    public static int Run(string directory)
    {
        Run(directory, "riskwatch", Options());
        Run(directory, "riskwatch_blend", Options() with { BlendLightGbm = true });
        return 0;
    }

    private static void Run(string directory, string prefix, TrainingOptions options)
    {
        foreach (var target in Enum.GetValues<ModelTarget>())
        {
            var name = target.ToName();
            var trainPath = Path.Combine(directory, $"{name}_train.csv");
            var testPath = Path.Combine(directory, $"{name}_test.csv");
            if (!File.Exists(trainPath) || !File.Exists(testPath))
            {
                Console.Error.WriteLine($"peer: {name}: no matrices in {directory}, skipped");
                continue;
            }

            var train = FeatureMatrix.Read(trainPath);
            var test = FeatureMatrix.Read(testPath);
            var clock = Stopwatch.StartNew();
            // The earlier folds inside the train matrix test on windows as long as the test split, as `riskwatch train` does.
            var testDates = test.Select(e => e.AsOf).Distinct().Count();
            var model = RiskModelTrainer.FitUnvalidated(target, train, options, testDates);
            var trainSeconds = clock.Elapsed.TotalSeconds;
            if (model.Metrics.Tuning is { } tuning)
            {
                var candidates = string.Join("; ", tuning.Candidates.Select(c => string.Create(
                    CultureInfo.InvariantCulture, $"{c.MinimumExamplesPerLeaf}/{c.Smoothing}/{c.MaximumTreeOutput}/{c.PositiveWeightPower} → PR-AUC {c.MeanPrAuc:0.000}, ROC-AUC {c.MeanRocAuc:0.000}")));
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"peer: {prefix} {name}: min. examples per leaf / smoothing / max. tree output / weight power {tuning.MinimumExamplesPerLeaf}/{tuning.Smoothing}/{tuning.MaximumTreeOutput}/{tuning.PositiveWeightPower} chosen on {tuning.Folds} earlier fold(s): {candidates}"));
            }

            var rows = test.Select(e => e.Features).ToArray();
            model.Score(rows[..Math.Min(rows.Length, 1_000)]); // first call builds ML.NET's pipeline; time the steady state
            clock.Restart();
            var scores = model.Score(rows);
            var scoreSeconds = clock.Elapsed.TotalSeconds;

            using (var writer = new StreamWriter(Path.Combine(directory, $"{prefix}_{name}_scores.csv")))
            {
                writer.WriteLine("household,as_of,score");
                for (var i = 0; i < test.Count; i++)
                {
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{test[i].HouseholdKey},{test[i].AsOf:yyyy-MM-dd},{scores[i]:R}"));
                }
            }

            File.WriteAllText(
                Path.Combine(directory, $"{prefix}_{name}_timing.csv"),
                string.Create(CultureInfo.InvariantCulture, $"train_seconds,score_seconds\n{trainSeconds:0.000},{scoreSeconds:0.000}\n"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"peer: {prefix} {name}: {train.Count:N0} train rows, {test.Count:N0} test rows, train {trainSeconds:0.0} s, score {scoreSeconds:0.000} s"));
        }
    }
}
