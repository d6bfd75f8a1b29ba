namespace RiskWatch.Scoring.Models;

/// <summary>
/// Held-out metrics of a model. The headline figures are the latest temporal fold (test set: every example with an as-of
/// date on or after <see cref="TestFrom"/>); <see cref="Folds"/> repeats the measurement with earlier cut-offs, as
/// dssg/triage does, so one lucky split cannot pass for the model's quality.
/// </summary>
/// <param name="RocAuc">NaN when the test set lacks positives or negatives.</param>
/// <param name="PrAuc">Average precision; NaN when the test set has no positives.</param>
/// <param name="AtK">Precision and recall among the top-scored test rows: per dong and as-of date at the team's capacity, then the top fractions pooled over the test dates.</param>
/// <param name="Calibration">Equal-count bins of the test rows by predicted probability.</param>
/// <param name="RocAucLow">Lower end of a 95% interval of <paramref name="RocAuc"/> (Hanley–McNeil): wide when positives are few.</param>
/// <param name="Folds">Every temporal fold, oldest cut-off first; the last is the headline one.</param>
/// <param name="TieBreak">How equal scores are ordered for the @k figures, so they are reproducible.</param>
/// <param name="Warnings">Plain sentences a reader must see next to the figures (e.g. too few positives to trust them).</param>
/// <param name="Tuning">How the hyper-parameters were chosen on the earlier folds; null when there was nothing to choose.</param>
public sealed record ModelMetrics(
    int TrainRows,
    int TrainPositives,
    int TestRows,
    int TestPositives,
    DateOnly TestFrom,
    double RocAuc,
    double PrAuc,
    IReadOnlyList<PrecisionAtK> AtK,
    IReadOnlyList<CalibrationBin> Calibration,
    double RocAucLow = double.NaN,
    double RocAucHigh = double.NaN,
    IReadOnlyList<FoldMetrics>? Folds = null,
    string TieBreak = ModelMetrics.TieBreakRule,
    IReadOnlyList<string>? Warnings = null,
    Tuning? Tuning = null)
{
    /// <summary>The order of the queue itself, so @k measures what an officer would see.</summary>
    public const string TieBreakRule = "score descending, then household key (ordinal) ascending";
}

/// <summary>
/// One temporal fold: fitted on the as-of dates before <paramref name="TestFrom"/>, measured on those from
/// <paramref name="TestFrom"/> through <paramref name="TestThrough"/>.
/// </summary>
public sealed record FoldMetrics(
    DateOnly TestFrom,
    DateOnly TestThrough,
    int TrainRows,
    int TrainPositives,
    int TestRows,
    int TestPositives,
    double RocAuc,
    double PrAuc,
    IReadOnlyList<PrecisionAtK> AtK);

/// <summary>Of the <paramref name="K"/> highest-scored test rows (<paramref name="Label"/>: "top 1%"), the share that were positive and the share of all positives they hold.</summary>
public sealed record PrecisionAtK(string Label, int K, double Precision, double Recall);

/// <summary>Test rows with predicted probabilities in [<paramref name="From"/>, <paramref name="To"/>]: mean prediction against the observed positive rate.</summary>
public sealed record CalibrationBin(double From, double To, int Count, double MeanPredicted, double Observed);

/// <summary>
/// The choice of FastTree's minimum examples per leaf and leaf values (<see cref="LeafValueSettings"/>): every candidate pair fitted on each earlier temporal
/// fold (the latest, headline fold takes no part), the one with the highest mean <see cref="TuningCandidate.MeanPrAuc"/> kept.
/// </summary>
/// <param name="Rule">The rule, in words, for the record.</param>
/// <param name="Folds">How many earlier folds the means are over.</param>
/// <param name="Smoothing">The chosen smoothing; 0 in manifests written before it was a candidate.</param>
/// <param name="MaximumTreeOutput">The chosen cap on a leaf's value; FastTree's 100 in manifests written before it was a candidate.</param>
/// <param name="PositiveWeightPower">The chosen power of neg/pos the positives are weighted by; ½ (√) in manifests written before it was a candidate.</param>
public sealed record Tuning(
    int MinimumExamplesPerLeaf, string Rule, int Folds, IReadOnlyList<TuningCandidate> Candidates, double Smoothing = 0,
    double MaximumTreeOutput = LeafValueSettings.NoCap, double PositiveWeightPower = 0.5);

/// <summary>One candidate's mean figures over the earlier folds; <paramref name="PrecisionAtCapacity"/> is NaN without a capacity.</summary>
public sealed record TuningCandidate(
    int MinimumExamplesPerLeaf, double MeanRocAuc, double MeanPrAuc, double PrecisionAtCapacity, bool Chosen, double Smoothing = 0,
    double MaximumTreeOutput = LeafValueSettings.NoCap, double PositiveWeightPower = 0.5);
