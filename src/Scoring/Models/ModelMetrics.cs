namespace RiskWatch.Scoring.Models;

/// <summary>Held-out metrics of a model: the temporal test set is every example with an as-of date on or after <see cref="TestFrom"/>.</summary>
/// <param name="RocAuc">NaN when the test set lacks positives or negatives.</param>
/// <param name="PrAuc">Average precision; NaN when the test set has no positives.</param>
/// <param name="AtK">Precision and recall among the top-scored test rows (pooled over the test dates).</param>
/// <param name="Calibration">Equal-count bins of the test rows by predicted probability.</param>
public sealed record ModelMetrics(
    int TrainRows,
    int TrainPositives,
    int TestRows,
    int TestPositives,
    DateOnly TestFrom,
    double RocAuc,
    double PrAuc,
    IReadOnlyList<PrecisionAtK> AtK,
    IReadOnlyList<CalibrationBin> Calibration);

/// <summary>Of the <paramref name="K"/> highest-scored test rows (<paramref name="Label"/>: "top 1%"), the share that were positive and the share of all positives they hold.</summary>
public sealed record PrecisionAtK(string Label, int K, double Precision, double Recall);

/// <summary>Test rows with predicted probabilities in [<paramref name="From"/>, <paramref name="To"/>]: mean prediction against the observed positive rate.</summary>
public sealed record CalibrationBin(double From, double To, int Count, double MeanPredicted, double Observed);
