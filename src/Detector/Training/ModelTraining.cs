using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Histories;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Models;
using Serilog;

namespace RiskWatch.Detector.Training;

/// <summary>The outcome of training one target: the promoted model, or why there is none.</summary>
internal sealed record TrainingOutcome(ModelTarget Target, RiskModel? Model, int Examples, string? Error);

/// <summary>The examples of one target over the stored history, or why there are none.</summary>
internal sealed record TargetExamples(ModelTarget Target, IReadOnlyList<TrainingExample> Examples, string? Error);

/// <summary>Trains both models on the stored history up to an as-of date and promotes them in the registry.</summary>
/// <param name="capacityPerDong">The policy's daily capacity per dong team: the k of the validation's precision@k.</param>
/// <param name="blendLightGbm">FastTree averaged with LightGbm (<see cref="TrainingOptions.BlendLightGbm"/>, `--lightgbm`).</param>
internal sealed class ModelTraining(RiskStore store, ModelRegistry registry, ILogger logger, int capacityPerDong, bool blendLightGbm = false)
{
    /// <summary>How every model is trained and validated here: FastTree defaults (or the blend), k = the dong teams' capacity.</summary>
    public TrainingOptions Options { get; } = new() { CapacityPerDong = capacityPerDong, BlendLightGbm = blendLightGbm };

    public async Task<IReadOnlyList<TrainingOutcome>> TrainAsync(DateOnly? asOf, CancellationToken cancellationToken)
    {
        var outcomes = new List<TrainingOutcome>();
        var (_, sets) = await ExamplesAsync(asOf, cancellationToken);
        foreach (var set in sets)
        {
            if (set.Error is not null)
            {
                outcomes.Add(new TrainingOutcome(set.Target, null, 0, set.Error));
                continue;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var model = RiskModelTrainer.Train(set.Target, set.Examples, Options, cancellationToken);
                registry.Promote(model);
                logger.Information(
                    "Trained {Target} model {ModelVersion} on {Examples} examples in {Elapsed}, test ROC-AUC {RocAuc:0.000}, min. examples per leaf {MinimumExamplesPerLeaf}, smoothing {Smoothing}, maximum tree output {MaximumTreeOutput}, positive-weight power {PositiveWeightPower}",
                    set.Target, model.Version, set.Examples.Count, clock.Elapsed, model.Metrics.RocAuc,
                    model.Metrics.Tuning?.MinimumExamplesPerLeaf ?? Options.MinimumExamplesPerLeaf[0], model.Metrics.Tuning?.Smoothing ?? Options.LeafValues[0].Smoothing,
                    model.Metrics.Tuning?.MaximumTreeOutput ?? Options.LeafValues[0].MaximumTreeOutput,
                    model.Metrics.Tuning?.PositiveWeightPower ?? Options.LeafValues[0].PositiveWeightPower);
                outcomes.Add(new TrainingOutcome(set.Target, model, set.Examples.Count, null));
            }
            catch (InsufficientLabelsException ex)
            {
                outcomes.Add(new TrainingOutcome(set.Target, null, set.Examples.Count, ex.Message));
            }
        }

        return outcomes;
    }

    /// <summary>Both targets' (household, as-of) examples over the stored history up to <paramref name="asOf"/> (default: the last stored day).</summary>
    /// <returns>The date the history was read through, and per target its examples.</returns>
    public async Task<(DateOnly Through, IReadOnlyList<TargetExamples> Sets)> ExamplesAsync(DateOnly? asOf, CancellationToken cancellationToken)
    {
        var (first, last) = await StoredRangeAsync(cancellationToken);
        var through = asOf ?? last;
        if (through < first)
        {
            throw new InvalidOperationException($"No usage data on or before {through:yyyy-MM-dd}: ingest feeds first.");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var history = await new HistoryLoader(store).LoadAsync(first, through, dongs: null, cancellationToken);
        logger.Information("Loaded {Households} household histories {First:yyyy-MM-dd}..{Through:yyyy-MM-dd} in {Elapsed}",
            history.Households.Count, first, through, clock.Elapsed);
        var sets = new List<TargetExamples>();
        foreach (var target in Enum.GetValues<ModelTarget>())
        {
            // The last as-of date is a full label window before `through`, so every label is known by then:
            // training "as of D" never learns from anything after D.
            var dates = TrainingSet.AsOfDates(first, through, target);
            if (dates.Count == 0)
            {
                sets.Add(new TargetExamples(target, [],
                    $"{target}: history {first:yyyy-MM-dd}..{through:yyyy-MM-dd} is too short for a {TargetLabeler.HorizonDays(target)}-day label window."));
                continue;
            }

            clock.Restart();
            var examples = TrainingSet.Build(history, target, dates, cancellationToken);
            logger.Information("Built {Examples} {Target} examples over {Dates} as-of dates in {Elapsed}", examples.Count, target, dates.Count, clock.Elapsed);
            sets.Add(new TargetExamples(target, examples, null));
        }

        return (through, sets);
    }

    /// <summary>The first and last day of stored electricity usage, the spine of every history.</summary>
    public async Task<(DateOnly First, DateOnly Last)> StoredRangeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var range = await connection.QuerySingleAsync<RangeRow>(new CommandDefinition(
            "SELECT MIN(date) AS First, MAX(date) AS Last FROM usage_electricity",
            cancellationToken: cancellationToken));
        if (range.First is null || range.Last is null)
        {
            throw new InvalidOperationException("The store holds no usage data yet: run `riskwatch ingest --inbox DIR` first.");
        }

        return (IsoDate.Parse(range.First), IsoDate.Parse(range.Last));
    }

    private sealed class RangeRow
    {
        public string? First { get; init; }
        public string? Last { get; init; }
    }
}
