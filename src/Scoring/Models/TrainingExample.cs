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
    /// FastTree's minimum examples per leaf, chosen per target together with <see cref="LeafValues"/> on the earlier temporal
    /// folds (never the latest, headline one; see <see cref="RiskModelTrainer.Validate"/>); the first is taken when there is
    /// no earlier fold to choose on. One value fixes it. FastTree's default is 10, which lets a leaf form around a handful of
    /// weighted positives when they are 1% of the rows; xgboost's hessian-based min_child_weight = 1 asks for roughly 100
    /// rows there. 30 was chosen for both targets on the demo and peer districts whenever 10, 100 and 300 were candidates
    /// too (10 lost a third of precision@capacity, and with smoothing 100 lost to 30 as well), so 30 alone is the default:
    /// every candidate costs two tree fits per target.
    /// </summary>
    public IReadOnlyList<int> MinimumExamplesPerLeaf { get; init; } = [30];

    /// <summary>
    /// How FastTree's leaf values are held in, each candidate tried with every <see cref="MinimumExamplesPerLeaf"/> on the
    /// earlier folds (see <see cref="LeafValueSettings"/> for why). The plain trees stay a candidate, so a target they suit
    /// (lonely_death, whose few positives smoothing blurs away) keeps them; smoothing 0.5 was the demo district's choice
    /// for crisis; the third (smoothing 0.3, leaves capped at 1, positives weighted (neg/pos)^¼) had the best mean PR-AUC of
    /// every FastTree setting tried on the earlier folds of two districts, and precision@capacity level with the best
    /// (RESULTS.md, issue 4 notes, fourth round; smoothing 0.3 rather than 0.5 there: higher PR-AUC on both districts,
    /// ROC-AUC +0.006 on the second). Three candidates, as many fits as the smoothing grid {0, 0.5, 0.8} it replaces.
    /// </summary>
    public IReadOnlyList<LeafValueSettings> LeafValues { get; init; } =
        [new(), new(Smoothing: 0.5), new(Smoothing: 0.3, MaximumTreeOutput: 1, PositiveWeightPower: 0.25)];

    /// <summary>
    /// Average FastTree's raw score with a LightGbm model's fitted on the same rows (one Platt calibrator over the average).
    /// Off by default: FastTree is managed code, LightGbm a native library that needs libgomp. The two make different
    /// errors (FastTree's leaf values tuned, LightGbm's histogram splits with L2-held leaves): on the 7 (district, target)
    /// test splits measured the average's ROC-AUC was higher than FastTree's alone on 6, lower on one (a lonely_death
    /// split, where PR-AUC and precision@capacity were lower too), and its precision@capacity no better on balance
    /// (RESULTS.md, issue 4 notes, fifth round). LightGbm takes the same trees, leaves and minimum examples per leaf,
    /// learning rate 0.2 (FastTree's), L2 1, minimum child weight 1, no missing-value handling and positives weighted
    /// √(neg/pos) whatever the FastTree candidate's power (RiskModelTrainer's constants say why).
    /// </summary>
    public bool BlendLightGbm { get; init; }

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

/// <summary>
/// One candidate for how FastTree's leaf values are held in. FastTree sets a leaf to learning rate × (Σ w·g / Σ w) / mean h —
/// the sample weights w in the gradient mean, not in the hessian mean — with no L2 term (xgboost: −G / (H + λ), λ = 1, w in
/// both sums). With positives at 1% weighted by √(neg/pos) ≈ 10, a small leaf of a few positives gets an extreme value and
/// takes the top of the queue on its own. Three knobs rein that in, and they add up.
/// </summary>
/// <param name="Smoothing">FastTree's smoothing in [0, 1): pulls each leaf's value toward its parent's. 0 is none.</param>
/// <param name="MaximumTreeOutput">FastTree's cap on a leaf's value (its default, 100, is no cap in practice).</param>
/// <param name="PositiveWeightPower">
/// Positives are weighted (negatives / positives)^this (at least 1): ½ is the √ the peers are given too; ¼ lowers the
/// weight (≈ 3 instead of ≈ 10 at 1% positives), and with it the weight's inflation of the leaf values above.
/// </param>
public sealed record LeafValueSettings(double Smoothing = 0, double MaximumTreeOutput = LeafValueSettings.NoCap, double PositiveWeightPower = 0.5)
{
    /// <summary>FastTree's own default cap.</summary>
    public const double NoCap = 100;
}

/// <summary>A held-out example with the probability the validation model gave it.</summary>
public sealed record ScoredExample(TrainingExample Example, float Probability);

/// <summary>What <see cref="RiskModelTrainer.Validate"/> measured, and the version <see cref="RiskModelTrainer.Train"/> gives a model of the same examples.</summary>
/// <param name="Test">The latest fold's test rows with calibrated probabilities, in (as-of, household key) order.</param>
/// <param name="TrainedFrom">First as-of date among the examples (the training window of the model of the same examples).</param>
/// <param name="BlendsLightGbm">Validated as the FastTree + LightGbm blend (<see cref="TrainingOptions.BlendLightGbm"/>).</param>
public sealed record ValidationResult(
    ModelTarget Target, string Version, string DataHash, DateOnly TrainedFrom, DateOnly TrainedThrough, ModelMetrics Metrics, IReadOnlyList<ScoredExample> Test,
    bool BlendsLightGbm = false);
