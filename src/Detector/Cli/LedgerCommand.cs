using System.CommandLine;
using System.Globalization;
using RiskWatch.Ingest.Feeds;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

/// <summary>`riskwatch ledger`: every file the ingest received (hash, version, rows, time, outcome) and the days a daily feed skipped.</summary>
internal static class LedgerCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "As JSON: {\"files\": [...], \"missing\": [{feed, date}]}" };
        var command = new Command("ledger", "The ingest ledger: each file's version, hash, row counts, time and outcome, and the missing days of daily feeds") { json };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var files = await IngestHistory.ReadLedgerAsync(context.Store, cancellationToken);
            var missing = await IngestHistory.FindMissingDatesAsync(context.Store, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(CliJson.Serialize(new
                {
                    files = files.Select(f => new
                    {
                        file = f.File,
                        feed = f.Feed,
                        date = f.Date,
                        version = f.Version,
                        sha256 = f.Sha256,
                        status = f.Status,
                        rows_loaded = f.RowsLoaded,
                        rows_quarantined = f.RowsQuarantined,
                        error = f.Error,
                        ingested_at = f.IngestedAt,
                    }),
                    missing = missing.Select(m => new { feed = m.Feed, date = m.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }),
                }));
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("file", "feed", "date", "v", "status", "loaded", "quarantined", "sha256", "ingested at", "error");
            foreach (var f in files)
            {
                table.AddRow(
                    Markup.Escape(f.File),
                    f.Feed,
                    f.Date,
                    f.Version.ToString(CultureInfo.InvariantCulture),
                    f.Status,
                    f.RowsLoaded.ToString("N0", CultureInfo.InvariantCulture),
                    f.RowsQuarantined.ToString("N0", CultureInfo.InvariantCulture),
                    f.Sha256[..12],
                    f.IngestedAt,
                    Markup.Escape(f.Error ?? ""));
            }

            AnsiConsole.Write(table);
            foreach (var m in missing)
            {
                AnsiConsole.MarkupLineInterpolated(
                    CultureInfo.InvariantCulture, $"[yellow]missing[/]: no {m.Feed} file for {m.Date:yyyy-MM-dd}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
