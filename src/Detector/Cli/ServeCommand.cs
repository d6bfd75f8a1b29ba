using System.CommandLine;
using RiskWatch.Detector.Web;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => WebHost.DefaultUrls };
        var worker = new Option<bool>("--worker") { Description = "Run a Hangfire worker only, without the web page (scale-out on a shared PostgreSQL or SQL Server)" };
        var workerCount = new Option<int>("--worker-count")
        {
            Description = "Jobs this process runs at once",
            DefaultValueFactory = _ => RiskWatchServices.DefaultWorkerCount,
        };
        workerCount.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--worker-count must be at least 1.");
            }
        });
        var command = new Command("serve", "The web page and the Hangfire server with the nightly job at 02:00 Asia/Seoul") { urls, worker, workerCount };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            await WebHost.RunAsync(context.Settings, context.Store, context.Logger, parse.GetRequiredValue(urls), parse.GetValue(worker),
                parse.GetValue(workerCount), cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }
}
