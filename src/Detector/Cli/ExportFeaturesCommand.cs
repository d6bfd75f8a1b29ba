using System.CommandLine;
using RiskWatch.Detector.Training;
using RiskWatch.Scoring.Models;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

/// <summary>
/// `riskwatch export-features [--as-of D] --out DIR`: per target, the training and test matrices of the latest temporal
/// fold as CSV ({target}_train.csv, {target}_test.csv), for training other tools on exactly the same split.
/// </summary>
internal static class ExportFeaturesCommand
{
    public static Command Create()
    {
        var asOf = CommonOptions.OptionalDate("--as-of", "Examples from the history up to this date (default: the last stored day)");
        var outDir = new Option<string>("--out") { Description = "Folder for the CSV files", Required = true };
        var command = new Command("export-features", "Write each target's train and test feature matrices (CSV, household keys hashed)") { asOf, outDir };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
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
}
