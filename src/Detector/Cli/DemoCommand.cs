using System.CommandLine;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Demo;
using RiskWatch.Detector.Web;
using Serilog.Events;

namespace RiskWatch.Detector.Cli;

internal static class DemoCommand
{
    /// <summary>
    /// The demo district raises the lonely-death hazard ×20 over the realistic rate: at the real rate a 20,000-household
    /// district sees one or two lonely deaths in half a year, too few to train or to show. `generate` keeps the realistic default.
    /// </summary>
    public const double DemoLonelyDeathMultiplier = 20;

    public static Command Create()
    {
        var district = new DistrictOptionsBinding(DemoLonelyDeathMultiplier);
        var noServe = new Option<bool>("--no-serve") { Description = "Stop after printing the lists instead of serving the page" };
        var urls = new Option<string>("--urls") { Description = "Where the page listens", DefaultValueFactory = _ => WebHost.DefaultUrls };
        var command = new Command("demo", "Generate a district if there is no data, ingest, train, run the nightly pass, print every dong's list, serve the page") { noServe, urls };
        district.AddTo(command);
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            await new DemoRun(context).RunAsync(district.Read(parse, SeoulClock.LastCompleteDay()), cancellationToken);
            if (!parse.GetValue(noServe))
            {
                var url = parse.GetRequiredValue(urls);
                var (password, dong) = await DemoAccounts.EnsureAsync(context.Settings.Home, context.Store, cancellationToken);
                Console.WriteLine($"Officer page: {url}/lists   analyst page: {url}/analyst   (Ctrl+C to stop)");
                Console.WriteLine($"Sign in as {DemoAccounts.Officer} (dong {dong}), {DemoAccounts.Analyst} or {DemoAccounts.Admin}, password {password}");
                Console.WriteLine($"  (kept in {Path.Combine(context.Settings.Home, "demo-accounts.txt")})");
                await WebHost.RunAsync(context.Settings, context.Store, context.Logger, url, workerOnly: false, RiskWatchServices.DefaultWorkerCount, cancellationToken);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
