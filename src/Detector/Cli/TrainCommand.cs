using System.CommandLine;
using System.Globalization;
using RiskWatch.Detector.Training;
using RiskWatch.Scoring.Models;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class TrainCommand
{
    public static Command Create()
    {
        var asOf = CommonOptions.OptionalDate("--as-of", "Train on the history up to this date (default: the last stored day)");
        var command = new Command("train", "Train both models (crisis, lonely_death) and print their validation metrics") { asOf };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            var outcomes = await new ModelTraining(context.Store, context.Models, context.Logger)
                .TrainAsync(parse.GetValue(asOf), cancellationToken);
            Print(outcomes);
            return outcomes.All(o => o.Model is not null) ? ExitCodes.Success : ExitCodes.WorkFailed;
        }));
        return command;
    }

    public static void Print(IReadOnlyList<TrainingOutcome> outcomes)
    {
        foreach (var outcome in outcomes)
        {
            if (outcome.Model is not { } model)
            {
                Console.Error.WriteLine($"riskwatch: error: {outcome.Error}");
                continue;
            }

            var m = model.Metrics;
            var table = new Table()
                .Title($"[bold]{model.Version}[/] — temporal validation (test from {m.TestFrom:yyyy-MM-dd})")
                .Border(TableBorder.Rounded)
                .AddColumns("metric", "value");
            table.AddRow("train rows / positives", $"{m.TrainRows:N0} / {m.TrainPositives:N0}");
            table.AddRow("test rows / positives", $"{m.TestRows:N0} / {m.TestPositives:N0}");
            table.AddRow("ROC-AUC", m.RocAuc.ToString("0.000", CultureInfo.InvariantCulture));
            table.AddRow("PR-AUC", m.PrAuc.ToString("0.000", CultureInfo.InvariantCulture));
            foreach (var k in m.AtK)
            {
                table.AddRow(
                    $"precision / recall @ {Markup.Escape(k.Label)} (k={k.K:N0})",
                    $"{k.Precision.ToString("0.000", CultureInfo.InvariantCulture)} / {k.Recall.ToString("0.000", CultureInfo.InvariantCulture)}");
            }

            AnsiConsole.Write(table);
        }
    }
}
