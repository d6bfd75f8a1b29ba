using System.CommandLine;
using System.Data.Common;

namespace RiskWatch.Detector.Cli;

/// <summary>The `riskwatch` command line (SPEC "Command line").</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("RiskWatch — finds households in crisis before it is too late (위기가구 조기 발굴).")
        {
            CommonOptions.Db,
            DemoCommand.Create(),
            GenerateCommand.Create(),
            IngestCommand.Create(),
            QuarantineCommand.Create(),
            LedgerCommand.Create(),
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            ExportFeaturesCommand.Create(),
            NightlyCommand.Create(),
            QueueCommand.Create(),
            ServeCommand.Create(),
            BackfillCommand.Create(),
            UsersCommand.Create(),
        };

        if (Console.IsOutputRedirected)
        {
            // Piped into a file or a pager, a table still gets room for its Korean reasons instead of 80 columns.
            Spectre.Console.AnsiConsole.Profile.Width = 200;
        }

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"riskwatch: {error.Message}");
            }

            return ExitCodes.BadArguments;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>Runs a command's work and turns a failure into one clear line on standard error and exit code 1.</summary>
    public static async Task<int> GuardAsync(Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("riskwatch: cancelled");
            return ExitCodes.WorkFailed;
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"riskwatch: {ex.Message}");
            return ExitCodes.BadArguments;
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or IOException or DbException
                                       or UnauthorizedAccessException or Scoring.Models.InsufficientLabelsException)
        {
            await Console.Error.WriteLineAsync($"riskwatch: error: {ex.Message}");
            return ExitCodes.WorkFailed;
        }
    }
}
