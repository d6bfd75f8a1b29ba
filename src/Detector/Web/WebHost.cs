using Hangfire;
using Microsoft.AspNetCore.Authentication;
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

    /// <summary>The middleware and every endpoint: sign-in, the officers' and analysts' pages, the API, health and the dashboard.</summary>
    public static WebApplication UseRiskWatch(this WebApplication app)
    {
        // Paths only (never query strings or form bodies), and case ids and household keys are pseudonymous: no personal data.
        // The host's own logger: the middleware would otherwise write to Serilog's static Log.Logger, which nothing configures.
        app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthChecks("/health");
        app.MapGet("/", (HttpContext context) => Results.Redirect(
            Viewer.Of(context.User) is { Role: Accounts.AppUser.Analyst } ? "/analyst" : "/lists"));
        SignInPages.Map(app);
        OfficerPages.Map(app);
        AnalystPages.Map(app);
        // Someone not signed in is sent to sign in first; Hangfire itself would answer a bare 401.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/hangfire", StringComparison.OrdinalIgnoreCase) &&
                context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync();
                return;
            }

            await next(context);
        });
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new AdminDashboardFilter()] });
        return app;
    }

    public static async Task RunAsync(
        RiskWatchSettings settings, RiskStore store, Serilog.ILogger logger, string urls, bool workerOnly, int workerCount,
        CancellationToken cancellationToken)
    {
        if (workerOnly)
        {
            // A generic host, not a web one: no Kestrel, no port, no page — only the Hangfire server taking jobs from the storage.
            var worker = Host.CreateApplicationBuilder();
            worker.Services.AddRiskWatch(settings, store, logger, runJobs: true, workerCount);
            using var workerHost = worker.Build();
            NightlyJob.Schedule(workerHost.Services.GetRequiredService<IRecurringJobManager>());
            await workerHost.RunAsync(cancellationToken);
            return;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(urls);
        builder.Services.AddRiskWatch(settings, store, logger, runJobs: true, workerCount);
        builder.Services.AddHealthChecks();

        await using var app = builder.Build();
        app.UseRiskWatch();
        NightlyJob.Schedule(app.Services.GetRequiredService<IRecurringJobManager>());

        await app.StartAsync(cancellationToken);
        logger.Information("Officer page on {Urls}/lists, analyst page on {Urls}/analyst, Hangfire dashboard on {Urls}/hangfire", urls, urls, urls);
        await app.WaitForShutdownAsync(cancellationToken);
    }
}
