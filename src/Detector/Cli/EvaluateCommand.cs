using System.CommandLine;
using System.Globalization;
using RiskWatch.Detector.Training;
using RiskWatch.Scoring.Audit;
using RiskWatch.Scoring.Models;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

/// <summary>
/// `riskwatch evaluate [--as-of D] [--out DIR]`: the temporal validation of both models on the history up to D, with the
/// bias audit at the policy's thresholds, as a Markdown report with plots. Trains nothing into the registry.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var asOf = CommonOptions.OptionalDate("--as-of", "Evaluate on the history up to this date (default: the last stored day)");
        var outDir = new Option<string?>("--out") { Description = "Folder for the report (default: $RISKWATCH_HOME/reports/evaluation-YYYYMMDD)" };
        var lightGbm = CommonOptions.LightGbm();
        var command = new Command("evaluate", "Temporal validation, calibration and bias audit of both models, written as a report (Markdown + PNG)") { asOf, outDir, lightGbm };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var policy = context.Policy;
            var training = new ModelTraining(context.Store, context.Models, context.Logger, policy.DailyCapacityPerDong, parse.GetValue(lightGbm));
            var (through, sets) = await training.ExamplesAsync(parse.GetValue(asOf), cancellationToken);
            var sections = new List<ReportSection>();
            var failed = false;
            foreach (var set in sets)
            {
                try
                {
                    if (set.Error is not null)
                    {
                        throw new InvalidOperationException(set.Error);
                    }

                    var validation = RiskModelTrainer.Validate(set.Target, set.Examples, training.Options, cancellationToken);
                    var threshold = set.Target == ModelTarget.Crisis ? policy.CrisisThreshold : policy.LonelyDeathThreshold;
                    sections.Add(new ReportSection(validation, threshold));
                }
                catch (Exception ex) when (ex is InsufficientLabelsException or InvalidOperationException)
                {
                    // One target without enough labels must not hide the other's report.
                    await Console.Error.WriteLineAsync($"riskwatch: error: {ex.Message}");
                    failed = true;
                }
            }

            if (sections.Count == 0)
            {
                return ExitCodes.WorkFailed;
            }

            var directory = parse.GetValue(outDir)
                ?? Path.Combine(context.Settings.Reports, string.Create(CultureInfo.InvariantCulture, $"evaluation-{through:yyyyMMdd}"));
            var path = EvaluationReport.Write(directory, through, sections);
            Console.WriteLine(path);
            return failed ? ExitCodes.WorkFailed : ExitCodes.Success;
        }));
        return command;
    }
}
