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
        var lightGbm = CommonOptions.LightGbm();
        var command = new Command("train", "Train both models (crisis, lonely_death) and print their validation metrics") { asOf, lightGbm };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            var outcomes = await new ModelTraining(context.Store, context.Models, context.Logger, context.Policy.DailyCapacityPerDong, parse.GetValue(lightGbm))
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
                .Title($"[bold]{model.Version}[/] ({model.Trainer}) — temporal validation, latest fold (test from {m.TestFrom:yyyy-MM-dd})")
                .Border(TableBorder.Rounded)
                .AddColumns("metric", "value");
            table.AddRow("train rows / positives", $"{m.TrainRows:N0} / {m.TrainPositives:N0}");
            table.AddRow("test rows / positives", $"{m.TestRows:N0} / {m.TestPositives:N0}");
            table.AddRow("ROC-AUC (95% interval)", $"{F(m.RocAuc)} ({F(m.RocAucLow)}–{F(m.RocAucHigh)})");
            table.AddRow("PR-AUC (base rate)", $"{F(m.PrAuc)} ({F(m.TestRows == 0 ? double.NaN : (double)m.TestPositives / m.TestRows)})");
            foreach (var k in m.AtK)
            {
                table.AddRow($"precision / recall @ {Markup.Escape(k.Label)} (k={k.K:N0})", $"{F(k.Precision)} / {F(k.Recall)}");
            }

            table.AddRow("ties ranked by", Markup.Escape(m.TieBreak));
            AnsiConsole.Write(table);

            if (m.Folds is { Count: > 0 } folds)
            {
                var byFold = new Table().Title($"{model.Version} — every temporal fold").Border(TableBorder.Rounded)
                    .AddColumns("test dates", "train rows / pos.", "test rows / pos.", "ROC-AUC", "PR-AUC", Markup.Escape(folds[0].AtK.Count > 0 ? "precision / recall @ " + folds[0].AtK[0].Label : "@k"));
                foreach (var f in folds)
                {
                    var first = f.AtK.Count > 0 ? $"{F(f.AtK[0].Precision)} / {F(f.AtK[0].Recall)}" : "-";
                    byFold.AddRow($"{f.TestFrom:yyyy-MM-dd}..{f.TestThrough:yyyy-MM-dd}", $"{f.TrainRows:N0} / {f.TrainPositives:N0}",
                        $"{f.TestRows:N0} / {f.TestPositives:N0}", F(f.RocAuc), F(f.PrAuc), first);
                }

                AnsiConsole.Write(byFold);
            }

            if (m.Tuning is { } tuning)
            {
                var capacity = m.AtK.Count > 0 ? m.AtK[0].Label : "capacity";
                var byCandidate = new Table()
                    .Title(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{model.Version} — FastTree min. examples per leaf {tuning.MinimumExamplesPerLeaf}, smoothing {tuning.Smoothing}, maximum tree output {tuning.MaximumTreeOutput}, positives weighted (neg/pos)^{tuning.PositiveWeightPower}, chosen on {tuning.Folds} earlier fold(s)"))
                    .Border(TableBorder.Rounded)
                    .AddColumns("min. examples per leaf", "smoothing", "max. tree output", "weight power", "mean ROC-AUC", "mean PR-AUC", Markup.Escape($"mean precision @ {capacity}"), "chosen");
                foreach (var c in tuning.Candidates)
                {
                    byCandidate.AddRow(
                        c.MinimumExamplesPerLeaf.ToString(CultureInfo.InvariantCulture), c.Smoothing.ToString(CultureInfo.InvariantCulture),
                        c.MaximumTreeOutput.ToString(CultureInfo.InvariantCulture), c.PositiveWeightPower.ToString(CultureInfo.InvariantCulture),
                        F(c.MeanRocAuc), F(c.MeanPrAuc), F(c.PrecisionAtCapacity), c.Chosen ? "✓" : string.Empty);
                }

                byCandidate.Caption(Markup.Escape(tuning.Rule));
                AnsiConsole.Write(byCandidate);
            }

            foreach (var warning in m.Warnings ?? [])
            {
                AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            }

            continue;
        }
    }

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);
}
