using System.Diagnostics;
using Dapper;
using RiskWatch.Detector.Cli;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Queue;
using RiskWatch.Detector.Training;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Synthetic;
using RiskWatch.Scoring.Models;
using Spectre.Console;

namespace RiskWatch.Detector.Demo;

/// <summary>
/// The first thing anyone runs: a synthetic district when there is no data, ingest, train when there is no model,
/// the nightly pass for the last day, every dong's list. Everything it does is what the real commands do.
/// </summary>
internal sealed class DemoRun(CliContext context)
{
    public async Task<DateOnly> RunAsync(DistrictOptions district, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        if (!await HasDataAsync(cancellationToken) && !Directory.EnumerateFiles(EnsureInbox(), "*.csv").Any())
        {
            await StageAsync($"합성 구 생성 (generating a synthetic district: {district.Households:N0} households, {district.Dongs} dongs, {district.Days} days, lonely-death hazard ×{district.LonelyDeathRiskMultiplier})", () =>
            {
                var truth = DistrictGenerator.Generate(district, context.Settings.Inbox, cancellationToken);
                truth.WriteCsv(Path.Combine(context.Settings.Home, "synthetic-truth.csv"));
                return Task.CompletedTask;
            });
        }

        await StageAsync("수집 (ingesting the inbox)", async () =>
        {
            var results = await new InboxIngestor(context.Store, context.Keys, context.Logger).IngestAsync(context.Settings.Inbox, cancellationToken);
            AnsiConsole.MarkupLine($"  {results.Count(r => r.Status == "loaded"):N0} files loaded, {results.Sum(r => r.RowsLoaded):N0} rows, {results.Sum(r => r.RowsQuarantined):N0} quarantined");
        });

        var training = new ModelTraining(context.Store, context.Models, context.Logger, context.Policy.DailyCapacityPerDong);
        var (_, last) = await training.StoredRangeAsync(cancellationToken);
        if (context.Models.LoadCurrent(ModelTarget.Crisis) is null || context.Models.LoadCurrent(ModelTarget.LonelyDeath) is null)
        {
            IReadOnlyList<TrainingOutcome> outcomes = [];
            await StageAsync("학습 (training both models)", async () => outcomes = await training.TrainAsync(last, cancellationToken));
            TrainCommand.Print(outcomes);
            if (outcomes.Any(o => o.Model is null))
            {
                throw new InvalidOperationException("Training failed; see above.");
            }
        }

        await StageAsync($"야간 분석 (nightly pass for {last:yyyy-MM-dd})", async () =>
        {
            var pass = new NightlyPass(context.Store, context.Keys, context.Models, context.Policy, context.Settings.Inbox, context.Logger);
            var result = await pass.RunAsync(last, cancellationToken);
            AnsiConsole.MarkupLine(result.AlreadyDone
                ? "  already done for this date: nothing changed"
                : $"  {result.HouseholdsScored:N0} households scored, {result.Flagged:N0} flagged, {result.Opened:N0} cases opened");
        });

        var queue = new DongQueue(context.Store);
        foreach (var dong in await queue.DongsAsync(cancellationToken))
        {
            var entries = await queue.ReadAsync(dong, last, cancellationToken);
            AnsiConsole.Write(QueueExport.ToTable(dong, last, entries, withIdentity: false));
        }

        AnsiConsole.MarkupLine($"[green]Done in {total.Elapsed.TotalSeconds:0.0} s.[/] Store: {Markup.Escape(context.Settings.Store.Display)}; keys: {Markup.Escape(context.Keys.Location)}");
        return last;
    }

    private string EnsureInbox()
    {
        Directory.CreateDirectory(context.Settings.Inbox);
        return context.Settings.Inbox;
    }

    private async Task<bool> HasDataAsync(CancellationToken cancellationToken)
    {
        await using var connection = await context.Store.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ingest_file WHERE status = 'loaded'", cancellationToken: cancellationToken)) > 0;
    }

    private static async Task StageAsync(string title, Func<Task> work)
    {
        var clock = Stopwatch.StartNew();
        AnsiConsole.MarkupLine($"[bold]▶ {Markup.Escape(title)}[/]");
        await work();
        AnsiConsole.MarkupLine($"  [grey]{clock.Elapsed.TotalSeconds:0.0} s[/]");
    }
}
