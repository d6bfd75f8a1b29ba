using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Histories;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Models;
using Serilog;

namespace RiskWatch.Detector.Training;

/// <summary>The outcome of training one target: the promoted model, or why there is none.</summary>
internal sealed record TrainingOutcome(ModelTarget Target, RiskModel? Model, int Examples, string? Error);

/// <summary>Trains both models on the stored history up to an as-of date and promotes them in the registry.</summary>
internal sealed class ModelTraining(RiskStore store, ModelRegistry registry, ILogger logger)
{
    public async Task<IReadOnlyList<TrainingOutcome>> TrainAsync(DateOnly? asOf, CancellationToken cancellationToken)
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
        var outcomes = new List<TrainingOutcome>();
        foreach (var target in Enum.GetValues<ModelTarget>())
        {
            // The last as-of date is a full label window before `through`, so every label is known by then:
            // training "as of D" never learns from anything after D.
            var dates = TrainingSet.AsOfDates(first, through, target);
            if (dates.Count == 0)
            {
                outcomes.Add(new TrainingOutcome(target, null, 0,
                    $"{target}: history {first:yyyy-MM-dd}..{through:yyyy-MM-dd} is too short for a {TargetLabeler.HorizonDays(target)}-day label window."));
                continue;
            }

            clock.Restart();
            var examples = TrainingSet.Build(history, target, dates, cancellationToken);
            logger.Information("Built {Examples} {Target} examples over {Dates} as-of dates in {Elapsed}", examples.Count, target, dates.Count, clock.Elapsed);
            clock.Restart();
            try
            {
                var model = RiskModelTrainer.Train(target, examples, new TrainingOptions(), cancellationToken);
                registry.Promote(model);
                logger.Information(
                    "Trained {Target} model {ModelVersion} on {Examples} examples in {Elapsed}, test ROC-AUC {RocAuc:0.000}",
                    target, model.Version, examples.Count, clock.Elapsed, model.Metrics.RocAuc);
                outcomes.Add(new TrainingOutcome(target, model, examples.Count, null));
            }
            catch (InsufficientLabelsException ex)
            {
                outcomes.Add(new TrainingOutcome(target, null, examples.Count, ex.Message));
            }
        }

        return outcomes;
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
