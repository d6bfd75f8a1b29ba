using System.CommandLine;
using System.Globalization;
using RiskWatch.Ingest.Feeds;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class QuarantineCommand
{
    public static Command Create()
    {
        var file = new Option<string?>("--file") { Description = "Only the rows of this file (its name, as ingested)" };
        var json = new Option<bool>("--json") { Description = "As JSON: file, line, column, reason" };
        var command = new Command("quarantine", "The quarantined rows, with file, line, column and reason") { file, json };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var rows = await InboxIngestor.ReadQuarantineAsync(context.Store, parse.GetValue(file), cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(CliJson.Serialize(rows.Select(r => new { file = r.File, line = r.Line, column = r.Column, reason = r.Reason })));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("file", "line", "column", "reason");
            foreach (var r in rows)
            {
                table.AddRow(Markup.Escape(r.File), r.Line.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Column), Markup.Escape(r.Reason));
            }

            AnsiConsole.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }
}
