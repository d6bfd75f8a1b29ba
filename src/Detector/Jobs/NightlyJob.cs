using Hangfire;
using RiskWatch.Detector.Configuration;

namespace RiskWatch.Detector.Jobs;

/// <summary>
/// The Hangfire face of <see cref="NightlyPass"/>. Takes the date as text (not an entity) so a retried or requeued job is
/// self-contained; failures are retried by Hangfire with its back-off, and a rerun of a finished date is a no-op.
/// </summary>
internal sealed class NightlyJob(Func<NightlyPass> passFactory)
{
    public const string RecurringId = "nightly";

    /// <summary>02:00 in Seoul: the day's feeds have arrived and the teams' lists are ready before they start work.</summary>
    public const string Cron = "0 2 * * *";

    [AutomaticRetry(Attempts = 5)]
    [DisableConcurrentExecution(timeoutInSeconds: 60 * 60)]
    public async Task RunAsync(string? date, CancellationToken cancellationToken)
    {
        var runDate = date is null ? SeoulClock.LastCompleteDay() : IsoDate.Parse(date);
        await passFactory().RunAsync(runDate, cancellationToken);
    }

    public static void Schedule(IRecurringJobManager jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        jobs.AddOrUpdate<NightlyJob>(
            RecurringId,
            job => job.RunAsync(null, CancellationToken.None),
            Cron,
            new RecurringJobOptions { TimeZone = SeoulClock.Zone });
    }
}
