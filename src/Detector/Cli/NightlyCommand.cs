using System.CommandLine;
using RiskWatch.Detector.Jobs;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

internal static class NightlyCommand
{
    public static Command Create()
    {
        var date = CommonOptions.Date("--date", "The as-of date of the night", required: true);
        var inbox = new Option<string?>("--inbox") { Description = "Folder of pending feed files (default: {RISKWATCH_HOME}/inbox)" };
        var command = new Command("nightly", "The nightly pass for a date: ingest pending files, score, flag, push to the dong queues") { date, inbox };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            var pass = new NightlyPass(
                context.Store, context.Keys, context.Models, context.Policy, parse.GetValue(inbox) ?? context.Settings.Inbox, context.Logger);
            var result = await pass.RunAsync(parse.GetValue(date), cancellationToken);
            Console.WriteLine(result.AlreadyDone
                ? $"{result.RunDate:yyyy-MM-dd}: already done, nothing changed"
                : $"{result.RunDate:yyyy-MM-dd}: {result.HouseholdsScored:N0} households scored, {result.Flagged:N0} flagged, "
                  + $"{result.Opened:N0} cases opened, {result.Updated:N0} updated, {result.HeldByCapacity:N0} held by capacity "
                  + $"({result.ModelVersion}, {result.PolicyVersion})");
            return ExitCodes.Success;
        }));
        return command;
    }
}
