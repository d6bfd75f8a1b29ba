using Hangfire;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;
using Serilog;

namespace RiskWatch.Detector.Web;

/// <summary>`riskwatch serve`: the page of the day's lists, the JSON API and the Hangfire server with the nightly recurring job.</summary>
internal static class WebHost
{
    public const string DefaultUrls = "http://127.0.0.1:5080";

    public static async Task RunAsync(
        RiskWatchSettings settings, RiskStore store, Serilog.ILogger logger, string urls, bool workerOnly, CancellationToken cancellationToken)
    {
        if (workerOnly)
        {
            var worker = Host.CreateApplicationBuilder();
            worker.Services.AddRiskWatch(settings, store, logger, runJobs: true);
            using var workerHost = worker.Build();
            NightlyJob.Schedule(workerHost.Services.GetRequiredService<IRecurringJobManager>());
            await workerHost.RunAsync(cancellationToken);
            return;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls);
        builder.Services.AddRiskWatch(settings, store, logger, runJobs: true);
        builder.Services.AddHealthChecks();

        await using var app = builder.Build();
        app.UseSerilogRequestLogging();
        app.MapHealthChecks("/health");
        app.MapGet("/", () => Results.Redirect("/lists"));
        app.MapGet("/lists", async (DongQueue queue, string? date, CancellationToken ct) =>
        {
            var day = IsoDate.TryParse(date, out var d) ? d : await queue.LatestRunDateAsync(ct);
            var lists = new List<(string, IReadOnlyList<QueueEntry>)>();
            if (day is { } runDate)
            {
                foreach (var dong in await queue.DongsAsync(ct))
                {
                    lists.Add((dong, await queue.ReadAsync(dong, runDate, ct)));
                }
            }

            return Results.Content(ListsPage.Render(day, lists), "text/html; charset=utf-8");
        });
        app.MapGet("/api/queue", async (DongQueue queue, string dong, string? date, CancellationToken ct) =>
        {
            var day = IsoDate.TryParse(date, out var d) ? d : await queue.LatestRunDateAsync(ct);
            return day is { } runDate
                ? Results.Text(QueueExport.ToJson(await queue.ReadAsync(dong, runDate, ct)), "application/json; charset=utf-8")
                : Results.Text("[]", "application/json; charset=utf-8");
        });
        app.UseHangfireDashboard("/hangfire");
        NightlyJob.Schedule(app.Services.GetRequiredService<IRecurringJobManager>());

        await app.StartAsync(cancellationToken);
        logger.Information("Officer page on {Urls}/lists, Hangfire dashboard on {Urls}/hangfire", urls, urls);
        await app.WaitForShutdownAsync(cancellationToken);
    }
}
