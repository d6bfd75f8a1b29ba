using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Models;

/// <summary>Trains, validates and calibrates a <see cref="RiskModel"/> for one target.</summary>
/// <remarks>
/// <para>Validation is temporal: the last quarter of the distinct as-of dates is the test set, the model is fitted on the
/// earlier rows (optionally purged, see <see cref="TrainingOptions.PurgeOverlappingLabels"/>) and measured on the test rows;
/// the saved model is then refitted on every example.</para>
/// <para>Imbalance: positives are weighted by √(negatives / positives), enough for the trees to look for them without a
/// handful of positives dominating every split. The weights bend FastTree's own sigmoid, so probabilities come from a Platt
/// calibrator fitted, unweighted, on out-of-fold scores (3 folds of households): in-sample boosted-tree scores are
/// overconfident, and folds by household keep one household's dates on one side.</para>
/// <para>Deterministic: rows are put in (as-of, household key) order first, and the MLContext and FastTree take the seed.</para>
/// </remarks>
public static class RiskModelTrainer
{
    private const double TestFraction = 0.25;
    private const int CalibrationFolds = 3;
    private const string ScoreColumn = "Score";

    /// <summary>Validates on the last quarter of the as-of dates, then fits the returned model on every example.</summary>
    /// <exception cref="InsufficientLabelsException">Fewer positives than <see cref="TrainingOptions.MinimumPositives"/>.</exception>
    public static RiskModel Train(ModelTarget target, IReadOnlyList<TrainingExample> examples, TrainingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trees, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Leaves, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinimumPositives, 1, nameof(options));
        var horizon = TargetLabeler.HorizonDays(target);

        var rows = Ordered(examples);
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

        var testDates = Math.Clamp((int)Math.Round(dates.Length * TestFraction, MidpointRounding.AwayFromZero), 1, dates.Length - 1);
        var testFrom = dates[^testDates];
        var lastTrainDay = options.PurgeOverlappingLabels ? testFrom.DayNumber - horizon - 1 : testFrom.DayNumber - 1;
        var train = rows.Where(r => r.AsOf.DayNumber <= lastTrainDay).ToArray();
        var test = rows.Where(r => r.AsOf >= testFrom).ToArray();
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

        var ml = new MLContext(options.Seed);
        var validation = Fit(ml, target, train, string.Create(CultureInfo.InvariantCulture, $"the validation rows before {testFrom:yyyy-MM-dd}"), options, cancellationToken);
        var testScores = validation.Score(test.Select(r => r.Features).ToArray());
        var (rocAuc, prAuc, atK, calibration) = ModelEvaluation.Evaluate(
            testScores, test.Select(r => r.Label).ToArray(), test.Select(r => r.HouseholdKey).ToArray());
        var metrics = new ModelMetrics(
            train.Length, trainPositives, test.Length, CountPositives(test), testFrom, rocAuc, prAuc, atK, calibration);

        var final = Fit(ml, target, rows, "all examples", options, cancellationToken);
        var dataHash = DataHash(target, options, rows);
        var manifest = new ModelManifest(
            Version: string.Create(CultureInfo.InvariantCulture, $"{target.ToName()}-{dates[^1]:yyyyMMdd}-{dataHash[..8]}"),
            Target: target.ToName(),
            TrainedFrom: dates[0],
            TrainedThrough: dates[^1],
            HorizonDays: horizon,
            DataHash: dataHash,
            Features: FeatureSchema.Names,
            Metrics: metrics,
            Training: new ManifestTraining(
                options.Seed, options.Trees, options.Leaves, options.MinimumPositives, options.PurgeOverlappingLabels,
                rows.Length, positives, final.PositiveWeight,
                $"platt on out-of-fold scores, {CalibrationFolds} household folds"));
        return new RiskModel(manifest, ml, final.Model, final.InputSchema);
    }

    private sealed record Fitted(ITransformer Model, DataViewSchema InputSchema, double PositiveWeight)
    {
        public float[] Score(float[][] features) =>
            ReadColumn(Model.Transform(new FeatureDataView(features, FeatureSchema.Count)), RiskModel.ProbabilityColumn);
    }

    /// <param name="part">Which rows these are, for the message when they cannot be calibrated.</param>
    private static Fitted Fit(
        MLContext ml, ModelTarget target, TrainingExample[] rows, string part, TrainingOptions options, CancellationToken cancellationToken)
    {
        var features = rows.Select(r => r.Features).ToArray();
        var labels = rows.Select(r => r.Label).ToArray();
        var positives = CountPositives(rows);
        var positiveWeight = Math.Max(1.0, Math.Sqrt((double)(rows.Length - positives) / positives));
        var weights = labels.Select(l => l ? (float)positiveWeight : 1f).ToArray();

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
            var trees = FitTrees(ml, options, Pick(features, rest), Pick(labels, rest), Pick(weights, rest));
            var scores = ReadColumn(trees.Transform(new FeatureDataView(Pick(features, inFold), FeatureSchema.Count)), ScoreColumn);
            for (var i = 0; i < inFold.Length; i++)
            {
                outOfFold[inFold[i]] = scores[i];
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var calibrator = ml.BinaryClassification.Calibrators
            .Platt(labelColumnName: FeatureDataView.LabelColumn, scoreColumnName: ScoreColumn)
            .Fit(ml.Data.LoadFromEnumerable(outOfFold.Select((score, i) => new ScoredRow { Label = labels[i], Score = score })));

        var final = FitTrees(ml, options, features, labels, weights);
        var scoringSchema = new FeatureDataView([], FeatureSchema.Count).Schema;
        return new Fitted(new TransformerChain<ITransformer>(final, calibrator), scoringSchema, positiveWeight);
    }

    private static BinaryPredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> FitTrees(
        MLContext ml, TrainingOptions options, float[][] features, bool[] labels, float[] weights)
    {
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = FeatureDataView.LabelColumn,
            FeatureColumnName = FeatureDataView.FeaturesColumn,
            ExampleWeightColumnName = FeatureDataView.WeightColumn,
            NumberOfTrees = options.Trees,
            NumberOfLeaves = options.Leaves,
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
