using System.CommandLine;
using RiskWatch.Detector.Histories;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Training;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

/// <summary>
/// `riskwatch export-features [--as-of D] --out DIR`: per target, the training and test matrices of the latest temporal
/// fold as CSV ({target}_train.csv, {target}_test.csv), for training other tools on exactly the same split.
/// With <c>--night D</c> instead: the features the nightly pass of D scores (its window, every household it scores) as
/// night_{D}.csv, for checking another implementation of the features (benchmarks/peer/parity.sh).
/// </summary>
internal static class ExportFeaturesCommand
{
    public static Command Create()
    {
        var asOf = CommonOptions.OptionalDate("--as-of", "Examples from the history up to this date (default: the last stored day)");
        var outDir = new Option<string>("--out") { Description = "Folder for the CSV files", Required = true };
        var night = CommonOptions.OptionalDate("--night", "Instead: the features the nightly pass of this date scores, as night_{date}.csv (label 0: the future is not known on the night)");
        var command = new Command("export-features", "Write each target's train and test feature matrices (CSV, household keys hashed)") { asOf, outDir, night };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            if (parse.GetValue(night) is { } date)
            {
                var path = await WriteNightAsync(context, date, parse.GetValue(outDir)!, cancellationToken);
                Console.WriteLine(path);
                return ExitCodes.Success;
            }

            var training = new ModelTraining(context.Store, context.Models, context.Logger, context.Policy.DailyCapacityPerDong);
            var (_, sets) = await training.ExamplesAsync(parse.GetValue(asOf), cancellationToken);
            var directory = parse.GetValue(outDir)!;
            Directory.CreateDirectory(directory);
            var failed = false;
            foreach (var set in sets)
            {
                if (set.Error is not null)
                {
                    await Console.Error.WriteLineAsync($"riskwatch: error: {set.Error}");
                    failed = true;
                    continue;
                }

                var (train, test) = FeatureMatrix.LatestSplit(set.Examples);
                foreach (var (part, rows) in new[] { ("train", train), ("test", test) })
                {
                    var path = Path.Combine(directory, $"{set.Target.ToName()}_{part}.csv");
                    FeatureMatrix.Write(path, rows);
                    Console.WriteLine($"{path}\t{rows.Count} rows\t{rows.Count(r => r.Label)} positives");
                }
            }

            return failed ? ExitCodes.WorkFailed : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The nightly pass's own reading of the store (<see cref="NightlyPass.WindowDays"/>, active households).</summary>
    private static async Task<string> WriteNightAsync(CliContext context, DateOnly date, string directory, CancellationToken cancellationToken)
    {
        var history = await new HistoryLoader(context.Store).LoadAsync(date.AddDays(1 - NightlyPass.WindowDays), date, null, cancellationToken);
        var rows = new List<TrainingExample>();
        foreach (var household in history.Households.Where(h => h.ActiveOn(date)))
        {
            var features = new float[FeatureSchema.Count];
            FeatureBuilder.Build(household.History, date, features);
            rows.Add(new TrainingExample(household.History.HouseholdKey, household.History.DongCode, date, features, Label: false));
        }

        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"night_{date:yyyy-MM-dd}.csv");
        FeatureMatrix.Write(path, rows);
        return path;
    }
}
