using System.CommandLine;
using RiskWatch.Detector.Audit;
using RiskWatch.Detector.Queue;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class QueueCommand
{
    public static Command Create()
    {
        var dong = new Option<string>("--dong") { Description = "The 10-digit administrative dong code (행정동코드)", Required = true };
        dong.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (value.Length != 10 || !value.All(char.IsAsciiDigit))
            {
                result.AddError($"--dong: '{value}' is not a 10-digit dong code.");
            }
        });
        var date = CommonOptions.Date("--date", "The date of the queue", required: true);
        var format = new Option<QueueFormat>("--format") { Description = "json, csv or table", DefaultValueFactory = _ => QueueFormat.Table };
        var withIdentity = new Option<bool>("--with-identity") { Description = "Add household_id, name, address, phone (recorded in the audit log)" };
        var command = new Command("queue", "A dong's queue of open cases on a date, highest priority first") { dong, date, format, withIdentity };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var dongCode = parse.GetRequiredValue(dong);
            var day = parse.GetValue(date);
            var entries = await new DongQueue(context.Store).ReadAsync(dongCode, day, cancellationToken);
            var identity = parse.GetValue(withIdentity);
            if (identity)
            {
                entries = await new IdentityLookup(context.Store, context.Keys, new AuditTrail(context.Store))
                    .AttachAsync(entries, Actor(), $"cli queue --with-identity dong {dongCode} date {day:yyyy-MM-dd}", cancellationToken);
            }

            switch (parse.GetValue(format))
            {
                case QueueFormat.Json:
                    Console.WriteLine(QueueExport.ToJson(entries));
                    break;
                case QueueFormat.Csv:
                    QueueExport.WriteCsv(entries, Console.Out, identity);
                    break;
                default:
                    AnsiConsole.Write(QueueExport.ToTable(dongCode, day, entries, identity));
                    break;
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The operating-system account that ran the command: the CLI has no sign-in of its own.</summary>
    private static string Actor() => "os:" + Environment.UserName;
}
