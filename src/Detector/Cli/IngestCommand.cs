using System.CommandLine;
using System.Globalization;
using RiskWatch.Ingest.Feeds;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class IngestCommand
{
    public static Command Create()
    {
        var inbox = new Option<string>("--inbox") { Description = "Folder of feed files ({feed}_{YYYYMMDD}[.vN].csv)", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per file" };
        var command = new Command("ingest", "Ingest every new or re-sent feed file in a folder; quarantined rows do not fail the run") { inbox, json };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            var folder = parse.GetRequiredValue(inbox);
            if (!Directory.Exists(folder))
            {
                throw new ArgumentException($"--inbox: no such folder '{folder}'.");
            }

            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var results = await new InboxIngestor(context.Store, context.Keys, context.Logger).IngestAsync(folder, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(CliJson.Serialize(results.Select(r => new
                {
                    file = r.File,
                    feed = r.Feed,
                    date = r.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    version = r.Version,
                    status = r.Status,
                    rows_loaded = r.RowsLoaded,
                    rows_quarantined = r.RowsQuarantined,
                    error = r.Error,
                })));
            }
            else
            {
                AnsiConsole.Write(ToTable(results));
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Table ToTable(IReadOnlyList<FileIngestResult> results)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("file", "feed", "date", "v", "status", "loaded", "quarantined", "error");
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.File),
                r.Feed ?? "",
                r.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Version?.ToString(CultureInfo.InvariantCulture) ?? "",
                r.Status,
                r.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture),
                r.RowsQuarantined.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(r.Error ?? ""));
        }

        return table;
    }
}
