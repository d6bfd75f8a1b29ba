using System.CommandLine;
using RiskWatch.Detector.Web;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => WebHost.DefaultUrls };
        var worker = new Option<bool>("--worker") { Description = "Run a Hangfire worker only, without the web page" };
        var command = new Command("serve", "The web page and the Hangfire server with the nightly job at 02:00 Asia/Seoul") { urls, worker };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Information, cancellationToken);
            await WebHost.RunAsync(context.Settings, context.Store, context.Logger, parse.GetRequiredValue(urls), parse.GetValue(worker), cancellationToken);
            return ExitCodes.Success;
        }));
        return command;
    }
}
