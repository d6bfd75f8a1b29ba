using System.CommandLine;
using Hangfire;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Queue;
using RiskWatch.Detector.Web;
using Serilog.Events;
using Spectre.Console;

namespace RiskWatch.Detector.Cli;

internal static class BackfillCommand
{
    public static Command Create()
    {
        var from = CommonOptions.Date("--from", "First date of the range", required: true);
        var to = CommonOptions.Date("--to", "Last date of the range", required: true);
        var dongs = new Option<string[]>("--dong") { Description = "Only these dongs (repeatable)", AllowMultipleArgumentsPerToken = true };
        var mode = new Option<BackfillMode>("--mode") { Description = "missing (default), failed or all", DefaultValueFactory = _ => BackfillMode.Missing };
        var shadow = new Option<bool>("--shadow") { Description = "Score and flag into shadow tables only; push nothing to any queue" };
        var models = new Option<string[]>("--model") { Description = "Model version(s) to use instead of the live ones (repeatable)", AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "List the partitions it would run, run nothing" };
        var perPartition = new Option<int>("--dongs-per-partition") { Description = "Dongs per partition (0: the whole district in one)", DefaultValueFactory = _ => 0 };
        var inFlight = new Option<int>("--max-in-flight") { Description = "Partitions enqueued at once", DefaultValueFactory = _ => 2 };
        var external = new Option<bool>("--external-workers")
        {
            Description = "Only enqueue and watch: `riskwatch serve --worker` processes on the same PostgreSQL or SQL Server run the partitions",
        };
        var command = new Command("backfill", "Run the nightly pass over a date range as Hangfire jobs, one per (date, partition)")
        {
            from, to, dongs, mode, shadow, models, dryRun, perPartition, inFlight, external,
        };
        command.SetAction((parse, cancellationToken) => CliApp.GuardAsync(async () =>
        {
            using var context = await CliContext.OpenAsync(parse.GetValue(CommonOptions.Db), LogEventLevel.Warning, cancellationToken);
            var options = new BackfillOptions(
                parse.GetValue(from), parse.GetValue(to), parse.GetValue(dongs) ?? [], parse.GetValue(perPartition),
                parse.GetValue(mode), parse.GetValue(shadow), parse.GetValue(models) ?? [], parse.GetValue(inFlight));
            var externalWorkers = parse.GetValue(external);
            if (externalWorkers && context.Store.Location.Kind == Ingest.Store.StoreKind.Sqlite)
            {
                // On SQLite the job storage is in this process's memory: no other process could see the jobs.
                throw new ArgumentException("--external-workers needs a shared job storage: use --db postgres://… or sqlserver://….");
            }

            return await RunAsync(context, options, parse.GetValue(dryRun), externalWorkers, cancellationToken);
        }));
        return command;
    }

    private static async Task<int> RunAsync(
        CliContext context, BackfillOptions options, bool dryRun, bool externalWorkers, CancellationToken cancellationToken)
    {
        var pass = new NightlyPass(context.Store, context.Keys, context.Models, context.Policy, context.Settings.Inbox, context.Logger);
        var modelVersion = pass.ModelVersionOf(options.Models);
        var (_, policyVersion) = await pass.ResolvePolicyAsync(cancellationToken);
        var ledger = new PartitionLedger(context.Store);
        var statuses = await ledger.StatusesAsync(options.From, options.To, options.Shadow, modelVersion, policyVersion, cancellationToken);
        var plan = BackfillRunner.Plan(options, await new DongQueue(context.Store).DongsAsync(cancellationToken), statuses);
        var selected = plan.Count(p => p.Selected);
        if (dryRun)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("date", "partition", "status", "this backfill");
            foreach (var work in plan)
            {
                table.AddRow($"{work.RunDate:yyyy-MM-dd}", Markup.Escape(work.Partition.Key), work.StatusBefore, work.Selected ? "run" : "skip");
            }

            AnsiConsole.Write(table);
            AnsiConsole.WriteLine($"{selected} of {plan.Count} partitions would run ({(options.Shadow ? "shadow, " + modelVersion : "live")}).");
            return ExitCodes.Success;
        }

        await pass.IngestPendingAsync(cancellationToken);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddRiskWatch(context.Settings, context.Store, context.Logger, runJobs: !externalWorkers);
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var runner = host.Services.GetRequiredService<BackfillRunner>();

        var finished = new List<PartitionWork>();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"backfill {options.From:yyyy-MM-dd}..{options.To:yyyy-MM-dd}", maxValue: Math.Max(1, selected));
                await runner.RunAsync(options, plan, work =>
                {
                    finished.Add(work);
                    task.Increment(1);
                    if (work.Outcome == PartitionLedger.Failed)
                    {
                        task.Description = $"backfill — {finished.Count(f => f.Outcome == PartitionLedger.Failed)} failed";
                    }
                }, cancellationToken);
            });
        await host.StopAsync(CancellationToken.None);

        var failed = finished.Where(f => f.Outcome == PartitionLedger.Failed).ToList();
        var unchanged = finished.Count(f => f.Outcome == PartitionJob.Unchanged);
        AnsiConsole.WriteLine(
            $"{finished.Count - failed.Count - unchanged} partitions done, {unchanged} unchanged (same inputs), {failed.Count} failed, "
            + $"{plan.Count - selected} not selected by --mode {options.Mode.ToString().ToLowerInvariant()}.");
        foreach (var f in failed)
        {
            await Console.Error.WriteLineAsync($"riskwatch: {f.RunDate:yyyy-MM-dd} {f.Partition.Key} failed: {f.Error}");
        }

        if (options.Shadow)
        {
            var comparison = await new ShadowComparison(context.Store).CompareAsync(options.From, options.To, modelVersion, policyVersion, cancellationToken);
            var report = ShadowComparison.ToMarkdown(modelVersion, policyVersion, comparison);
            Directory.CreateDirectory(context.Settings.Reports);
            var path = Path.Combine(context.Settings.Reports, $"shadow-{options.From:yyyyMMdd}-{options.To:yyyyMMdd}-{ShortHash(modelVersion + policyVersion)}.md");
            await File.WriteAllTextAsync(path, report, cancellationToken);
            AnsiConsole.WriteLine($"Shadow comparison: {path}");
        }

        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.WorkFailed;
    }

    private static string ShortHash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..8];
}
