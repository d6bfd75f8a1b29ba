using System.CommandLine;
using System.Globalization;
using RiskWatch.Detector.Jobs;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class NightlyCommand
{
    public static Command Create()
    {
        var date = CommonOptions.Date("--date", "The as-of date of the night", required: true);
        var inbox = new Option<string?>("--inbox") { Description = "Folder of pending feed files (default: {RISKWATCH_HOME}/inbox)" };
        var json = new Option<bool>("--json") { Description = "One JSON object: the pass's counts, versions and stage timings" };
        var timings = new Option<bool>("--timings") { Description = "Print wall and CPU time per stage (ingest, open, history, features, flatline, score, collect, flag, push) on standard error" };
        var command = new Command("nightly", "The nightly pass for a date: ingest pending files, score, flag, push to the dong queues") { date, inbox, json, timings };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            var pass = new NightlyPass(
                context.Store, context.Keys, context.Models, context.Policy, parse.GetValue(inbox) ?? context.Settings.Inbox, context.Logger);
            var result = await pass.RunAsync(parse.GetValue(date), cancellationToken);
            if (parse.GetValue(timings))
            {
                WriteTimings(result);
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(CliJson.Serialize(new
                {
                    run_date = result.RunDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    already_done = result.AlreadyDone,
                    files_ingested = result.FilesIngested,
                    households_scored = result.HouseholdsScored,
                    flagged = result.Flagged,
                    opened = result.Opened,
                    updated = result.Updated,
                    held_by_capacity = result.HeldByCapacity,
                    held_by_cool_down = result.HeldByCoolDown,
                    model_version = result.ModelVersion,
                    policy_version = result.PolicyVersion,
                    elapsed_seconds = Math.Round(result.Elapsed.TotalSeconds, 3),
                    stages = result.Stages.Select(s => new
                    {
                        stage = s.Stage,
                        wall_seconds = Math.Round(s.Wall.TotalSeconds, 3),
                        cpu_seconds = Math.Round(s.Cpu.TotalSeconds, 3),
                    }),
                }));
                return ExitCodes.Success;
            }

            Console.WriteLine(result.AlreadyDone
                ? $"{result.RunDate:yyyy-MM-dd}: already done, nothing changed"
                : $"{result.RunDate:yyyy-MM-dd}: {result.HouseholdsScored:N0} households scored, {result.Flagged:N0} flagged, "
                  + $"{result.Opened:N0} cases opened, {result.Updated:N0} updated, {result.HeldByCapacity:N0} held by capacity "
                  + $"({result.ModelVersion}, {result.PolicyVersion})");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteTimings(NightlyResult result)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("stage", "wall s", "CPU s");
        foreach (var stage in result.Stages)
        {
            table.AddRow(
                stage.Stage,
                stage.Wall.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
                stage.Cpu.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture));
        }

        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(table);
    }
}
