using Hangfire;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Audit;
using Serilog;
using Hangfire.PostgreSql;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Web;

internal static class RiskWatchServices
{
    /// <summary>Two Hangfire workers per process: one machine has two cores, and a pass already uses both through Parallel.For.</summary>
    public const int DefaultWorkerCount = 2;

    /// <summary>Everything the host needs, registered once: store, keys, models, policy, queue, the nightly job and Hangfire.</summary>
    public static IServiceCollection AddRiskWatch(
        this IServiceCollection services, RiskWatchSettings settings, RiskStore store, Serilog.ILogger logger, bool runJobs,
        int workerCount = DefaultWorkerCount)
    {
        // Serilog for the framework and Hangfire too, in place of the default console logger.
        services.AddSerilog(logger);
        services.AddSingleton(settings);
        services.AddSingleton(store);
        services.AddSingleton(logger);
        services.AddSingleton(_ => KeyRing.LoadOrCreate(settings.Home));
        services.AddSingleton(_ => new ModelRegistry(settings.Models));
        services.AddSingleton(_ => new DongQueue(store));
        services.AddSingleton(_ => new UserStore(store));
        services.AddSingleton(_ => new PolicyStore(store));
        services.AddSingleton(_ => new CaseFile(store));
        services.AddSingleton(_ => new WhatIf(store));
        services.AddSingleton(_ => new AuditTrail(store));
        services.AddSingleton<IdentityLookup>();
        AddSignIn(services, settings);
        services.AddTransient(_ => ThresholdPolicy.Load(settings.Home));
        services.AddTransient<Func<NightlyPass>>(sp => () => new NightlyPass(
            store,
            sp.GetRequiredService<KeyRing>(),
            sp.GetRequiredService<ModelRegistry>(),
            sp.GetRequiredService<ThresholdPolicy>(),
            settings.Inbox,
            logger));
        services.AddTransient<NightlyJob>();
        services.AddTransient<PartitionJob>();
        services.AddTransient(sp => new BackfillRunner(sp.GetRequiredService<IBackgroundJobClient>(), sp.GetRequiredService<JobStorage>()));

        services.AddHangfire(configuration =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (store.Location.Kind)
            {
                case StoreKind.Sqlite:
                    // No SQLite storage for Hangfire exists here: on the embedded default the job state lives in memory while
                    // SQLite stays the store of record, so a restart only forgets job history, never data.
                    configuration.UseInMemoryStorage();
                    break;
                case StoreKind.Postgres:
                    // Several workers share this storage (README "Backfill"). A fetched job is hidden
                    // from the others by its fetch time; the sliding timeout keeps that time fresh by a heartbeat while
                    // the worker lives, so a partition longer than the timeout is never fetched twice, and a killed
                    // worker's partition goes back to the queue one timeout later. The library's default (a fixed
                    // 30 minutes, no heartbeat) would both hand a long partition to a second worker and leave a dead
                    // worker's partition waiting half an hour. A short poll: a worker that found the queue empty takes a
                    // partition enqueued a second later, not fifteen.
                    configuration.UsePostgreSqlStorage(
                        o => o.UseNpgsqlConnection(store.Location.ConnectionString),
                        new PostgreSqlStorageOptions
                        {
                            InvisibilityTimeout = settings.JobInvisibility,
                            UseSlidingInvisibilityTimeout = true,
                            QueuePollInterval = TimeSpan.FromSeconds(1),
                        });
                    break;
                case StoreKind.SqlServer:
                    // The same sliding fetch on SQL Server (its non-transactional fetch, no transaction held open for hours): on purpose.
                    configuration.UseSqlServerStorage(
                        store.Location.ConnectionString,
                        new Hangfire.SqlServer.SqlServerStorageOptions { SlidingInvisibilityTimeout = settings.JobInvisibility });
                    break;
                default:
                    throw new InvalidOperationException($"No Hangfire storage for {store.Location.Kind}.");
            }
        });
        if (runJobs)
        {
            services.AddHangfireServer(options => options.WorkerCount = workerCount);
        }

        return services;
    }

    /// <summary>
    /// Cookie sign-in with local accounts and the three roles. Cookie keys live in the RiskWatch home so a restart does not
    /// sign everyone out; the API answers 401/403 instead of redirecting to the sign-in page.
    /// </summary>
    private static void AddSignIn(IServiceCollection services, RiskWatchSettings settings)
    {
        services.AddDataProtection()
            .SetApplicationName("RiskWatch")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.Home, "keys", "web")));
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/signin";
                options.Cookie.Name = "riskwatch";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                // An officer's shift: signed out after 8 idle hours.
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context =>
                {
                    if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    context.Response.Redirect(context.RedirectUri);
                    return Task.CompletedTask;
                };
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AnalystPages.Policy, policy => policy.RequireRole(AppUser.Analyst, AppUser.Admin));
        services.AddAntiforgery(options => options.Cookie.Name = "riskwatch-af");
    }
}
