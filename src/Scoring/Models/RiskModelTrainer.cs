using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Models;

/// <summary>Trains, validates and calibrates a <see cref="RiskModel"/> for one target.</summary>
/// <remarks>
/// <para>Validation is temporal and rolling (see <see cref="Validate"/>): the last quarter of the distinct as-of dates is the
/// latest test set, earlier folds move the cut-off back; each fold is fitted on the rows before its cut-off (optionally
/// purged, see <see cref="TrainingOptions.PurgeOverlappingLabels"/>) and measured on its test rows; the saved model is then
/// refitted on every example.</para>
/// <para>Imbalance: positives are weighted by √(negatives / positives), enough for the trees to look for them without a
/// handful of positives dominating every split, or by (negatives / positives)^¼ in a <see cref="LeafValueSettings"/>
/// candidate that asks for it. The weights bend FastTree's own sigmoid, so probabilities come from a Platt
/// calibrator fitted, unweighted, on out-of-fold scores (2 folds of households): in-sample boosted-tree scores are
/// overconfident, and folds by household keep one household's dates on one side. Two folds, not three: the calibrator
/// has two parameters, which half the households' out-of-fold scores fit about as well (the calibration test and table
/// say so), and the fit saved in each calibrated pipeline pays for the leaf-value candidates in the demo's training time.</para>
/// <para>With <see cref="TrainingOptions.BlendLightGbm"/> every fit above (tuning, validation, out-of-fold, final) fits a
/// LightGbm model beside FastTree's trees and averages the two raw scores; the calibrator and the tuning see the average.</para>
/// <para>Deterministic: rows are put in (as-of, household key) order first, and the MLContext, FastTree and LightGbm (on one
/// thread) take the seed.</para>
/// </remarks>
public static class RiskModelTrainer
{
    private const double TestFraction = 0.25;
    private const int CalibrationFolds = 2;
    private const string ScoreColumn = "Score";

    /// <summary>FastTree's default learning rate, so both members of a blend take steps of the same size.</summary>
    private const double LightGbmLearningRate = 0.2;

    /// <summary>
    /// LightGbm's L2 term on leaf values, xgboost's λ = 1: the leaf is −G / (H + λ), so a leaf of a few weighted positives
    /// with tiny hessians is held in — the regularization FastTree lacks (RESULTS.md, issue 4 notes, third round).
    /// </summary>
    private const double LightGbmL2 = 1;

    /// <summary>
    /// LightGbm's minimum hessian sum per leaf, xgboost's min_child_weight = 1: where positives are 1% and hessians p(1 − p)
    /// are tiny, it asks for roughly 100 rows where the minimum row count asks for 30, so no leaf forms around a few
    /// confident rows (TrainingOptions.MinimumExamplesPerLeaf says the same of xgboost).
    /// </summary>
    private const double LightGbmMinimumChildWeight = 1;

    /// <summary>
    /// LightGbm's positives weighted (negatives / positives)^this, √ as the peers are, whatever the FastTree candidate's
    /// power: the ¼ candidate reins in FastTree's leaf values, which carry the weight in the gradient mean only; LightGbm's
    /// Newton leaves carry it in both sums (and λ), as xgboost's do (RESULTS.md, issue 4 notes, fourth round).
    /// </summary>
    private const double LightGbmPositiveWeightPower = 0.5;

    /// <summary>
    /// Off: with it, LightGbm's trees converted to ML.NET keep per-node defaults for missing values that the public tree API
    /// (<see cref="RegressionTree"/>) does not expose, so <see cref="CompiledEnsemble"/> (NaN goes right) scored rows with
    /// NaN away from the IDataView path when the training rows held NaN (by up to 0.32 in a review's measurement). Off, both
    /// paths agree (a test trains on NaN). FeatureBuilder writes −1, not NaN, for what it cannot compute, so its rows never hold NaN.
    /// </summary>
    private const bool LightGbmHandleMissingValue = false;

    /// <summary>Where a blend keeps FastTree's raw score before LightGbm's trees overwrite <c>Score</c>.</summary>
    private const string FastTreeScoreColumn = "FastTreeScore";

    /// <summary>Where a blend keeps LightGbm's raw score before the average is written to <c>Score</c>.</summary>
    private const string LightGbmScoreColumn = "LightGbmScore";

    /// <summary>How a blend's two raw scores become its score: their plain average (<see cref="CompiledEnsemble"/> relies on it).</summary>
    internal const string BlendExpression = "(fastTree, lightGbm) => (fastTree + lightGbm) / 2";

    /// <summary>
    /// What <see cref="DataHash"/> records of a blend: its LightGbm settings, so that changing one changes the hash (and
    /// the version) of every blend trained after. FastTree's settings are hashed from the options.
    /// </summary>
    internal static readonly string BlendMarker = string.Create(
        CultureInfo.InvariantCulture,
        $"blend:lightgbm:lr{LightGbmLearningRate}:l2={LightGbmL2}:mcw={LightGbmMinimumChildWeight}:w{LightGbmPositiveWeightPower}:{(LightGbmHandleMissingValue ? "missing" : "nomissing")}");

    /// <summary>Validates (see <see cref="Validate"/>), then fits the returned model on every example.</summary>
    /// <exception cref="InsufficientLabelsException">Fewer positives than <see cref="TrainingOptions.MinimumPositives"/>.</exception>
    public static RiskModel Train(ModelTarget target, IReadOnlyList<TrainingExample> examples, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        var validation = Validate(target, examples, options, cancellationToken, out var rows, out var ml, out var settings);
        var final = Fit(ml, target, rows, "all examples", options, settings, cancellationToken);
        var positives = CountPositives(rows);
        var manifest = new ModelManifest(
            Version: validation.Version,
            Target: target.ToName(),
            TrainedFrom: rows[0].AsOf,
            TrainedThrough: rows[^1].AsOf,
            HorizonDays: TargetLabeler.HorizonDays(target),
            DataHash: validation.DataHash,
            Features: FeatureSchema.Names,
            Metrics: validation.Metrics,
            Training: new ManifestTraining(
                options.Seed, options.Trees, options.Leaves, settings.MinimumExamplesPerLeaf, options.MinimumPositives, options.PurgeOverlappingLabels,
                rows.Length, positives, final.PositiveWeight,
                $"platt on out-of-fold scores, {CalibrationFolds} household folds", settings.Leaf.Smoothing,
                settings.Leaf.MaximumTreeOutput, settings.Leaf.PositiveWeightPower, options.BlendLightGbm));
        return new RiskModel(manifest, ml, final.Model, final.InputSchema);
    }

    /// <summary>
    /// The calibrated pipeline <see cref="Train"/> saves, fitted on <paramref name="examples"/> without validating it (its
    /// metrics hold only the tuning): for the peer comparison, which validates on a split fixed outside.
    /// </summary>
    /// <param name="tuningWindowDates">
    /// As-of dates per earlier fold for choosing the minimum examples per leaf and smoothing, as <see cref="Validate"/> does: the folds test
    /// on the last windows of this many dates of <paramref name="examples"/>. Pass the outside test split's number of dates to
    /// choose exactly as <see cref="Train"/> would; 0 takes the first candidate without choosing.
    /// </param>
    internal static RiskModel FitUnvalidated(
        ModelTarget target, IReadOnlyList<TrainingExample> examples, TrainingOptions options, int tuningWindowDates = 0, CancellationToken cancellationToken = default)
    {
        CheckOptions(options);
        var rows = Ordered(examples);
        var ml = new MLContext(options.Seed);
        var dates = rows.Select(r => r.AsOf).Distinct().ToArray();
        var folds = tuningWindowDates > 0
            ? EarlierFolds(rows, dates, dates.Length, tuningWindowDates, TargetLabeler.HorizonDays(target), options)
            : [];
        var candidates = Candidates(options);
        var (settings, tuning, _) = Tune(ml, folds, tuningWindowDates > 0 ? candidates : [candidates[0]], options, cancellationToken);
        var final = Fit(ml, target, rows, "the examples", options, settings, cancellationToken);
        var empty = new ModelMetrics(0, 0, 0, 0, rows[^1].AsOf, double.NaN, double.NaN, [], [], Tuning: tuning);
        var manifest = new ModelManifest(
            $"{target.ToName()}-unvalidated", target.ToName(), rows[0].AsOf, rows[^1].AsOf, TargetLabeler.HorizonDays(target),
            DataHash(target, options, rows), FeatureSchema.Names, empty,
            new ManifestTraining(options.Seed, options.Trees, options.Leaves, settings.MinimumExamplesPerLeaf, options.MinimumPositives, options.PurgeOverlappingLabels,
                rows.Length, CountPositives(rows), final.PositiveWeight, $"platt on out-of-fold scores, {CalibrationFolds} household folds", settings.Leaf.Smoothing,
                settings.Leaf.MaximumTreeOutput, settings.Leaf.PositiveWeightPower, options.BlendLightGbm));
        return new RiskModel(manifest, ml, final.Model, final.InputSchema);
    }

    /// <summary>
    /// Temporal validation alone, without the final fit: the metrics and held-out predictions <see cref="Train"/> would
    /// record for the same examples, and the version it would give the model.
    /// </summary>
    /// <remarks>
    /// The latest fold tests on the last quarter of the as-of dates with the calibrated pipeline (its probabilities fill the
    /// calibration table and <see cref="ValidationResult.Test"/>). Up to <see cref="TrainingOptions.ValidationFolds"/> − 1
    /// earlier folds roll the cut-off back by the same span and fit the trees alone: Platt scaling is monotone, so ranking
    /// figures (ROC-AUC, PR-AUC, @k) are the same without it, at a quarter of the cost. A fold whose training rows hold no
    /// positive is left out.
    /// <para>The earlier folds also choose FastTree's minimum examples per leaf and leaf-value settings (every pair of
    /// <see cref="TrainingOptions.MinimumExamplesPerLeaf"/> and <see cref="TrainingOptions.LeafValues"/>): each candidate is
    /// fitted on each of them, and the one with the best mean PR-AUC is used for the latest fold and the saved model; the
    /// earlier folds' figures are the chosen candidate's, so they are slightly optimistic, the latest fold's are not. With
    /// no earlier fold the first candidate is used.</para>
    /// </remarks>
    public static ValidationResult Validate(ModelTarget target, IReadOnlyList<TrainingExample> examples, TrainingOptions options, CancellationToken cancellationToken = default) =>
        Validate(target, examples, options, cancellationToken, out _, out _, out _);

    private static void CheckOptions(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trees, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Leaves, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinimumPositives, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValidationFolds, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CapacityPerDong, nameof(options));
        if (options.MinimumExamplesPerLeaf is not { Count: > 0 } candidates || candidates.Any(c => c < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MinimumExamplesPerLeaf needs at least one candidate, each at least 1.");
        }

        if (options.LeafValues is not { Count: > 0 } leafValues)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "LeafValues needs at least one candidate.");
        }

        foreach (var leaf in leafValues)
        {
            // FastTree's own range for smoothing: 1 would keep every leaf at its parent's value.
            if (leaf is null || !(leaf.Smoothing >= 0 && leaf.Smoothing < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(options), "Each LeafValues candidate needs a smoothing in [0, 1).");
            }

            if (!(leaf.MaximumTreeOutput > 0) || !(leaf.PositiveWeightPower >= 0) || double.IsInfinity(leaf.PositiveWeightPower))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(options), "Each LeafValues candidate needs a maximum tree output above 0 and a finite positive-weight power of at least 0.");
            }
        }
    }

    private static ValidationResult Validate(
        ModelTarget target, IReadOnlyList<TrainingExample> examples, TrainingOptions options, CancellationToken cancellationToken,
        out TrainingExample[] rows, out MLContext ml, out TreeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(examples);
        CheckOptions(options);
        var horizon = TargetLabeler.HorizonDays(target);

        rows = Ordered(examples);
        var positives = CountPositives(rows);
        if (positives < options.MinimumPositives)
        {
            throw new InsufficientLabelsException(
                target, positives, options.MinimumPositives,
                $"{positives} positive example(s) among {rows.Length}, at least {options.MinimumPositives} needed");
        }

        var dates = rows.Select(r => r.AsOf).Distinct().ToArray();
        if (dates.Length < 2)
        {
            throw new ArgumentException("Temporal validation needs examples from at least 2 distinct as-of dates.", nameof(examples));
        }

        var testDates = TestDates(dates.Length);
        ml = new MLContext(options.Seed);
        var earlier = EarlierFolds(rows, dates, dates.Length - testDates, testDates, horizon, options);
        var (chosen, tuning, earlierFigures) = Tune(ml, earlier, Candidates(options), options, cancellationToken);
        settings = chosen;
        var folds = new List<FoldMetrics>();
        for (var i = 0; i < earlier.Count; i++)
        {
            var (foldTrain, foldTest) = (earlier[i].Train, earlier[i].Test);
            var e = earlierFigures[i];
            folds.Add(new FoldMetrics(
                foldTest[0].AsOf, foldTest[^1].AsOf, foldTrain.Length, CountPositives(foldTrain), foldTest.Length,
                CountPositives(foldTest), e.RocAuc, e.PrAuc, e.AtK));
        }

        var testFrom = dates[^testDates];
        var (train, test) = Split(rows, testFrom, dates[^1], horizon, options);
        var trainPositives = CountPositives(train);
        if (trainPositives == 0)
        {
            var purged = options.PurgeOverlappingLabels
                ? $" (rows whose {horizon}-day label window reaches into the test period are left out: the as-of dates must span more than the test period plus {horizon} days)"
                : string.Empty;
            throw new InsufficientLabelsException(
                target, trainPositives, 1,
                string.Create(CultureInfo.InvariantCulture, $"no positive example in the validation training rows before {testFrom:yyyy-MM-dd}{purged}"));
        }

        var validation = Fit(ml, target, train, string.Create(CultureInfo.InvariantCulture, $"the validation rows before {testFrom:yyyy-MM-dd}"), options, settings, cancellationToken);
        var testScores = validation.Score([.. test.Select(r => r.Features)]);
        var latest = Evaluate(testScores, test, options);
        var testPositives = CountPositives(test);
        folds.Add(new FoldMetrics(testFrom, dates[^1], train.Length, trainPositives, test.Length, testPositives, latest.RocAuc, latest.PrAuc, latest.AtK));

        var metrics = new ModelMetrics(
            train.Length, trainPositives, test.Length, testPositives, testFrom, latest.RocAuc, latest.PrAuc, latest.AtK, latest.Calibration,
            latest.RocAucLow, latest.RocAucHigh, folds, ModelMetrics.TieBreakRule, Warnings(folds, options), tuning);
        var dataHash = DataHash(target, options, rows);
        var version = string.Create(CultureInfo.InvariantCulture, $"{target.ToName()}-{dates[^1]:yyyyMMdd}-{dataHash[..8]}");
        return new ValidationResult(target, version, dataHash, dates[0], dates[^1], metrics, [.. test.Select((r, i) => new ScoredExample(r, testScores[i]))], options.BlendLightGbm);
    }

    /// <summary>One earlier temporal fold: training rows before its cut-off, test rows in its window (as-of order).</summary>
    private sealed record EarlierFold(TrainingExample[] Train, TrainingExample[] Test);

    /// <summary>
    /// The folds before the one whose test set starts at <c>dates[headlineFirst]</c>, oldest first: each tests on the
    /// <paramref name="window"/> dates before the next, up to <see cref="TrainingOptions.ValidationFolds"/> − 1 of them; a
    /// fold whose training rows hold no positive (or whose window holds no row) is left out.
    /// </summary>
    private static List<EarlierFold> EarlierFolds(TrainingExample[] rows, DateOnly[] dates, int headlineFirst, int window, int horizon, TrainingOptions options)
    {
        var folds = new List<EarlierFold>();
        for (var fold = Math.Min(options.ValidationFolds - 1, (headlineFirst - 1) / window); fold >= 1; fold--)
        {
            var first = headlineFirst - (fold * window);
            var (train, test) = Split(rows, dates[first], dates[first + window - 1], horizon, options);
            if (CountPositives(train) > 0 && test.Length > 0)
            {
                folds.Add(new EarlierFold(train, test));
            }
        }

        return folds;
    }

    private const string TuningRule =
        "each (min. examples per leaf, leaf values: smoothing, maximum tree output, positive-weight power) candidate fitted on every " +
        "earlier temporal fold (trees alone, no calibration); highest mean PR-AUC kept, ties to the earlier candidate (in the " +
        "options' order, leaf size first); the latest fold takes no part";

    /// <summary>The FastTree settings chosen on the earlier folds.</summary>
    private sealed record TreeSettings(int MinimumExamplesPerLeaf, LeafValueSettings Leaf);

    /// <summary>Every pair of the options' candidates, leaf size first, each list in its given order.</summary>
    private static TreeSettings[] Candidates(TrainingOptions options) =>
        [.. options.MinimumExamplesPerLeaf.SelectMany(size => options.LeafValues.Select(leaf => new TreeSettings(size, leaf)))];

    /// <summary>
    /// Fits every candidate on every earlier fold and keeps the one with the best mean PR-AUC (average precision rewards
    /// putting positives at the very top, which is what a team with a daily capacity sees; precision@capacity itself moves
    /// a household at a time). Returns the choice, the record of it (null when there was nothing to choose), and the chosen
    /// candidate's figures per fold.
    /// </summary>
    private static (TreeSettings Chosen, Tuning? Tuning, Evaluated[] Figures) Tune(
        MLContext ml, List<EarlierFold> folds, IReadOnlyList<TreeSettings> candidates, TrainingOptions options, CancellationToken cancellationToken)
    {
        var distinct = candidates.Distinct().ToArray();
        var figures = new Evaluated[distinct.Length][];
        for (var c = 0; c < distinct.Length; c++)
        {
            figures[c] = new Evaluated[folds.Count];
            for (var f = 0; f < folds.Count; f++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (train, test) = (folds[f].Train, folds[f].Test);
                var scorer = FitScorer(ml, options, distinct[c], [.. train.Select(r => r.Features)], [.. train.Select(r => r.Label)], Weights(train, distinct[c].Leaf.PositiveWeightPower).Weights);
                var scores = ReadColumn(scorer.Transform(new FeatureDataView([.. test.Select(r => r.Features)], FeatureSchema.Count)), ScoreColumn);
                figures[c][f] = Evaluate(scores, test, options);
            }
        }

        static double Mean(IEnumerable<double> values)
        {
            var finite = values.Where(v => !double.IsNaN(v)).ToArray();
            return finite.Length == 0 ? double.NaN : finite.Average();
        }

        var best = 0;
        var means = figures.Select(f => Mean(f.Select(e => e.PrAuc))).ToArray();
        for (var c = 1; c < distinct.Length; c++)
        {
            // Strictly better only: on a tie, or with nothing to compare (NaN), the earlier candidate stays.
            if (means[c] > means[best] || (double.IsNaN(means[best]) && !double.IsNaN(means[c])))
            {
                best = c;
            }
        }

        var tuning = distinct.Length < 2 || folds.Count == 0
            ? null
            : new Tuning(
                distinct[best].MinimumExamplesPerLeaf, TuningRule, folds.Count,
                [.. distinct.Select((value, c) => new TuningCandidate(
                    value.MinimumExamplesPerLeaf,
                    Mean(figures[c].Select(e => e.RocAuc)),
                    means[c],
                    options.CapacityPerDong > 0 ? Mean(figures[c].Select(e => e.AtK.Count > 0 ? e.AtK[0].Precision : double.NaN)) : double.NaN,
                    c == best,
                    value.Leaf.Smoothing,
                    value.Leaf.MaximumTreeOutput,
                    value.Leaf.PositiveWeightPower))],
                distinct[best].Leaf.Smoothing,
                distinct[best].Leaf.MaximumTreeOutput,
                distinct[best].Leaf.PositiveWeightPower);
        return (distinct[best], tuning, figures[best]);
    }

    /// <summary>First as-of date of the latest fold's test set for these examples.</summary>
    internal static DateOnly LatestTestFrom(IReadOnlyList<TrainingExample> examples)
    {
        var dates = examples.Select(e => e.AsOf).Distinct().Order().ToArray();
        if (dates.Length < 2)
        {
            throw new ArgumentException("Temporal validation needs examples from at least 2 distinct as-of dates.", nameof(examples));
        }

        return dates[^TestDates(dates.Length)];
    }

    private static int TestDates(int dates) =>
        Math.Clamp((int)Math.Round(dates * TestFraction, MidpointRounding.AwayFromZero), 1, dates - 1);

    /// <summary>Training rows before <paramref name="testFrom"/> (purged if asked) and test rows from it through <paramref name="testThrough"/>.</summary>
    private static (TrainingExample[] Train, TrainingExample[] Test) Split(
        TrainingExample[] rows, DateOnly testFrom, DateOnly testThrough, int horizon, TrainingOptions options)
    {
        var lastTrainDay = options.PurgeOverlappingLabels ? testFrom.DayNumber - horizon - 1 : testFrom.DayNumber - 1;
        return (rows.Where(r => r.AsOf.DayNumber <= lastTrainDay).ToArray(), rows.Where(r => r.AsOf >= testFrom && r.AsOf <= testThrough).ToArray());
    }

    private static Evaluated Evaluate(float[] scores, TrainingExample[] test, TrainingOptions options) =>
        ModelEvaluation.Evaluate(
            scores, [.. test.Select(r => r.Label)], [.. test.Select(r => r.HouseholdKey)],
            [.. test.Select(r => r.DongCode)], [.. test.Select(r => r.AsOf)], options.CapacityPerDong);

    /// <summary>Below this many positives in a test fold, its figures move by whole tenths with one household more or less.</summary>
    internal const int FewPositives = 30;

    private static string[] Warnings(List<FoldMetrics> folds, TrainingOptions options)
    {
        var warnings = new List<string>();
        foreach (var f in folds.Where(f => f.TestPositives < FewPositives))
        {
            warnings.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"too few positives: the fold tested {f.TestFrom:yyyy-MM-dd}..{f.TestThrough:yyyy-MM-dd} has {f.TestPositives} (< {FewPositives}); read its figures as rough, see the ROC-AUC interval"));
        }

        if (folds.Count < options.ValidationFolds)
        {
            warnings.Add($"{folds.Count} temporal fold(s) instead of {options.ValidationFolds}: the history is too short, or early folds had no positive to train on");
        }

        return [.. warnings];
    }

    private sealed record Fitted(ITransformer Model, DataViewSchema InputSchema, double PositiveWeight)
    {
        public float[] Score(float[][] features) =>
            ReadColumn(Model.Transform(new FeatureDataView(features, FeatureSchema.Count)), RiskModel.ProbabilityColumn);
    }

    /// <param name="part">Which rows these are, for the message when they cannot be calibrated.</param>
    private static Fitted Fit(
        MLContext ml, ModelTarget target, TrainingExample[] rows, string part, TrainingOptions options, TreeSettings settings, CancellationToken cancellationToken)
    {
        var features = rows.Select(r => r.Features).ToArray();
        var labels = rows.Select(r => r.Label).ToArray();
        var (weights, positiveWeight) = Weights(rows, settings.Leaf.PositiveWeightPower);

        var folds = HouseholdFolds(rows, target, part, options);
        var outOfFold = new float[rows.Length];
        for (var fold = 0; fold < CalibrationFolds; fold++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var inFold = Enumerable.Range(0, rows.Length).Where(i => folds[i] == fold).ToArray();
            if (inFold.Length == 0)
            {
                continue;
            }

            var rest = Enumerable.Range(0, rows.Length).Where(i => folds[i] != fold).ToArray();
            var scorer = FitScorer(ml, options, settings, Pick(features, rest), Pick(labels, rest), Pick(weights, rest));
            var scores = ReadColumn(scorer.Transform(new FeatureDataView(Pick(features, inFold), FeatureSchema.Count)), ScoreColumn);
            for (var i = 0; i < inFold.Length; i++)
            {
                outOfFold[inFold[i]] = scores[i];
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var calibrator = ml.BinaryClassification.Calibrators
            .Platt(labelColumnName: FeatureDataView.LabelColumn, scoreColumnName: ScoreColumn)
            .Fit(ml.Data.LoadFromEnumerable(outOfFold.Select((score, i) => new ScoredRow { Label = labels[i], Score = score })));

        var final = FitScorer(ml, options, settings, features, labels, weights);
        var scoringSchema = new FeatureDataView([], FeatureSchema.Count).Schema;
        return new Fitted(new TransformerChain<ITransformer>([.. final, calibrator]), scoringSchema, positiveWeight);
    }

    /// <summary>Positives weighted by (negatives / positives)^<paramref name="power"/>, at least 1: see the class remarks.</summary>
    private static (float[] Weights, double PositiveWeight) Weights(TrainingExample[] rows, double power) =>
        Weights([.. rows.Select(r => r.Label)], power);

    private static (float[] Weights, double PositiveWeight) Weights(bool[] labels, double power)
    {
        var positives = labels.Count(l => l);
        var positiveWeight = positives == 0 ? 1.0 : Math.Max(1.0, Math.Pow((double)(labels.Length - positives) / positives, power));
        return (Array.ConvertAll(labels, l => l ? (float)positiveWeight : 1f), positiveWeight);
    }

    /// <summary>
    /// The uncalibrated part of a model, writing its raw score to <c>Score</c>: FastTree's trees, or with
    /// <see cref="TrainingOptions.BlendLightGbm"/> FastTree's and LightGbm's scores kept aside and averaged
    /// (<see cref="BlendExpression"/>). Plain ML.NET transformers, so the saved chain scores through IDataView as it is.
    /// </summary>
    private static TransformerChain<ITransformer> FitScorer(
        MLContext ml, TrainingOptions options, TreeSettings settings, float[][] features, bool[] labels, float[] weights)
    {
        var fastTree = FitFastTree(ml, options, settings, features, labels, weights);
        if (!options.BlendLightGbm)
        {
            return new TransformerChain<ITransformer>(fastTree);
        }

        var lightGbm = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = FeatureDataView.LabelColumn,
            FeatureColumnName = FeatureDataView.FeaturesColumn,
            ExampleWeightColumnName = FeatureDataView.WeightColumn,
            NumberOfIterations = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumExamplesPerLeaf,
            LearningRate = LightGbmLearningRate,
            Seed = options.Seed,
            HandleMissingValue = LightGbmHandleMissingValue,

            // One thread: LightGbm's multithreaded histogram sums are not bit-reproducible, and the model must be a function of the data.
            NumberOfThreads = 1,

            // λ and min_child_weight as xgboost's, and √ weights as the peers': see the constants for why each.
            Booster = new GradientBooster.Options { L2Regularization = LightGbmL2, MinimumChildWeight = LightGbmMinimumChildWeight },
        }).Fit(new FeatureDataView(features, FeatureSchema.Count, labels, Weights(labels, LightGbmPositiveWeightPower).Weights));

        var empty = new FeatureDataView([], FeatureSchema.Count);
        var keepFastTree = ml.Transforms.CopyColumns(FastTreeScoreColumn, ScoreColumn).Fit(fastTree.Transform(empty));
        var afterFastTree = keepFastTree.Transform(fastTree.Transform(empty));
        var keepLightGbm = ml.Transforms.CopyColumns(LightGbmScoreColumn, ScoreColumn).Fit(lightGbm.Transform(afterFastTree));
        var average = ml.Transforms.Expression(ScoreColumn, BlendExpression, FastTreeScoreColumn, LightGbmScoreColumn)
            .Fit(keepLightGbm.Transform(lightGbm.Transform(afterFastTree)));
        return new TransformerChain<ITransformer>(fastTree, keepFastTree, lightGbm, keepLightGbm, average);
    }

    private static BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> FitFastTree(
        MLContext ml, TrainingOptions options, TreeSettings settings, float[][] features, bool[] labels, float[] weights)
    {
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = FeatureDataView.LabelColumn,
            FeatureColumnName = FeatureDataView.FeaturesColumn,
            ExampleWeightColumnName = FeatureDataView.WeightColumn,
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
            MinimumExampleCountPerLeaf = settings.MinimumExamplesPerLeaf,
            Smoothing = settings.Leaf.Smoothing,
            MaximumTreeOutput = settings.Leaf.MaximumTreeOutput,
            Seed = options.Seed,
            FeatureSelectionSeed = options.Seed,
        });
        return trainer.Fit(new FeatureDataView(features, FeatureSchema.Count, labels, weights));
    }

    /// <summary>
    /// Households in key order, those with a positive first, dealt round-robin into folds: every fold's complement then holds
    /// positives as long as two households have one.
    /// </summary>
    private static int[] HouseholdFolds(TrainingExample[] rows, ModelTarget target, string part, TrainingOptions options)
    {
        var households = rows
            .GroupBy(r => r.HouseholdKey, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Positive: g.Any(r => r.Label)))
            .OrderByDescending(h => h.Positive)
            .ThenBy(h => h.Key, StringComparer.Ordinal)
            .ToArray();
        var positiveHouseholds = households.Count(h => h.Positive);
        if (positiveHouseholds < 2)
        {
            throw new InsufficientLabelsException(
                target, CountPositives(rows), options.MinimumPositives,
                $"the {CountPositives(rows)} positive example(s) of {part} come from {positiveHouseholds} household(s), " +
                "but calibration on held-out households needs positives in at least 2");
        }

        var foldOf = new Dictionary<string, int>(households.Length, StringComparer.Ordinal);
        for (var i = 0; i < households.Length; i++)
        {
            foldOf[households[i].Key] = i % CalibrationFolds;
        }

        return rows.Select(r => foldOf[r.HouseholdKey]).ToArray();
    }

    internal static float[] ReadColumn(IDataView view, string columnName)
    {
        var column = view.Schema[columnName];
        var result = new float[view.GetRowCount() ?? 0];
        using var cursor = view.GetRowCursor([column]);
        var getter = cursor.GetGetter<float>(column);
        var value = 0f;
        var i = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result[i++] = value;
        }

        return result;
    }

    private static TrainingExample[] Ordered(IReadOnlyList<TrainingExample> examples)
    {
        for (var i = 0; i < examples.Count; i++)
        {
            var e = examples[i] ?? throw new ArgumentException($"Example {i} is null.", nameof(examples));
            ArgumentException.ThrowIfNullOrWhiteSpace(e.HouseholdKey, nameof(examples));
            if (e.Features is null || e.Features.Length != FeatureSchema.Count)
            {
                throw new ArgumentException(
                    $"Example {i} has {e.Features?.Length ?? 0} features; FeatureSchema has {FeatureSchema.Count}.", nameof(examples));
            }
        }

        // Input order must not matter, so the model is a function of the data alone.
        return examples
            .OrderBy(e => e.AsOf)
            .ThenBy(e => e.HouseholdKey, StringComparer.Ordinal)
            .ThenBy(e => e.DongCode, StringComparer.Ordinal)
            .ToArray();
    }

    private static int CountPositives(TrainingExample[] rows) => rows.Count(r => r.Label);

    private static T[] Pick<T>(T[] source, int[] indexes) => Array.ConvertAll(indexes, i => source[i]);

    /// <summary>SHA-256 of everything that determines the model: target, options and the ordered examples.</summary>
    private static string DataHash(ModelTarget target, TrainingOptions options, TrainingExample[] rows)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, target.ToName());
        Append(hash, options.Seed);
        Append(hash, options.Trees);
        Append(hash, options.Leaves);
        Append(hash, options.PurgeOverlappingLabels ? 1 : 0);
        Append(hash, options.ValidationFolds);
        foreach (var candidate in options.MinimumExamplesPerLeaf)
        {
            Append(hash, candidate);
        }

        foreach (var candidate in options.LeafValues)
        {
            Append(hash, BitConverter.DoubleToInt64Bits(candidate.Smoothing));
            Append(hash, BitConverter.DoubleToInt64Bits(candidate.MaximumTreeOutput));
            Append(hash, BitConverter.DoubleToInt64Bits(candidate.PositiveWeightPower));
        }

        if (options.BlendLightGbm)
        {
            // Only when on, so a FastTree model keeps the hash (and version) it had before the blend existed.
            Append(hash, BlendMarker);
        }

        Append(hash, FeatureSchema.Count);
        foreach (var row in rows)
        {
            Append(hash, row.HouseholdKey);
            Append(hash, row.DongCode ?? string.Empty);
            Append(hash, row.AsOf.DayNumber);
            Append(hash, row.Label ? 1 : 0);
            hash.AppendData(MemoryMarshal.AsBytes(row.Features.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, long value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void Append(IncrementalHash hash, int value)
    {
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    // Length-prefixed, so ("ab", "c") and ("a", "bc") hash differently.
    private static void Append(IncrementalHash hash, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Append(hash, bytes.Length);
        hash.AppendData(bytes);
    }

    private sealed class ScoredRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }
    }
}
