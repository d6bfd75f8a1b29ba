namespace RiskWatch.Scoring.Models;

/// <summary>One household as of one date: its feature vector (<see cref="Features.FeatureSchema"/> order) and its label.</summary>
public sealed record TrainingExample(string HouseholdKey, string DongCode, DateOnly AsOf, float[] Features, bool Label);

/// <summary>How a <see cref="RiskModel"/> is trained; FastTree's own defaults otherwise.</summary>
public sealed record TrainingOptions
{
    public int Seed { get; init; } = 1;

    public int Trees { get; init; } = 100;

    public int Leaves { get; init; } = 31;

    /// <summary>
    /// FastTree's minimum examples per leaf, chosen per target together with <see cref="Smoothing"/> on the earlier temporal
    /// folds (never the latest, headline one; see <see cref="RiskModelTrainer.Validate"/>); the first is taken when there is
    /// no earlier fold to choose on. One value fixes it. FastTree's default is 10, which lets a leaf form around a handful of
    /// weighted positives when they are 1% of the rows; xgboost's hessian-based min_child_weight = 1 asks for roughly 100
    /// rows there. 30 was chosen for both targets on the demo and peer districts whenever 10, 100 and 300 were candidates
    /// too (10 lost a third of precision@capacity, and with smoothing 100 lost to 30 as well), so 30 alone is the default:
    /// every candidate costs two tree fits per target.
    /// </summary>
    public IReadOnlyList<int> MinimumExamplesPerLeaf { get; init; } = [30];

    /// <summary>
    /// FastTree's smoothing, each candidate tried with every <see cref="MinimumExamplesPerLeaf"/> on the earlier folds. FastTree
    /// sets a leaf to its Newton step Σg / Σh with no L2 term (xgboost divides by Σh + λ, λ = 1): with positives at 1% and
    /// √(neg/pos) weights, a small leaf of a few positives gets an extreme value and takes the top of the queue on its own.
    /// Smoothing pulls each leaf's value toward its parent's, the regularization FastTree has instead. 0 (none, FastTree's
    /// default) stays a candidate, so a district where it does not help keeps the plain trees.
    /// </summary>
    public IReadOnlyList<double> Smoothing { get; init; } = [0, 0.5, 0.8];

    /// <summary>Temporal folds (rolling cut-offs), the latest included; fewer when the history is short.</summary>
    public int ValidationFolds { get; init; } = 3;

    /// <summary>
    /// New cases each dong team takes per day (the Detector's threshold policy): the validation reports precision and recall
    /// at this k per dong and as-of date. 0 leaves that figure out. Not part of the model, so not part of its data hash.
    /// </summary>
    public int CapacityPerDong { get; init; }

    /// <summary>Fewer positive examples than this and training refuses (<see cref="InsufficientLabelsException"/>).</summary>
    public int MinimumPositives { get; init; } = 10;

    /// <summary>
    /// Leave out of the validation fit the rows whose label window (as-of + horizon) reaches into the test period. Their
    /// labels come from outcomes a model trained at the start of the test period could not have seen, and one household's
    /// event labels rows on both sides of the split, so without the purge the test metrics are somewhat optimistic. Off by
    /// default because it needs as-of dates spanning more than the test period plus the horizon (60/90 days): a year of
    /// history, not the 150–180 days of a small synthetic district. The saved model is fitted on every example either way.
    /// </summary>
    public bool PurgeOverlappingLabels { get; init; }
}

/// <summary>A held-out example with the probability the validation model gave it.</summary>
public sealed record ScoredExample(TrainingExample Example, float Probability);

/// <summary>What <see cref="RiskModelTrainer.Validate"/> measured, and the version <see cref="RiskModelTrainer.Train"/> gives a model of the same examples.</summary>
/// <param name="Test">The latest fold's test rows with calibrated probabilities, in (as-of, household key) order.</param>
/// <param name="TrainedFrom">First as-of date among the examples (the training window of the model of the same examples).</param>
public sealed record ValidationResult(
    ModelTarget Target, string Version, string DataHash, DateOnly TrainedFrom, DateOnly TrainedThrough, ModelMetrics Metrics, IReadOnlyList<ScoredExample> Test);
