using Dapper;
using Hangfire;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Jobs;

/// <summary>
/// The Hangfire face of <see cref="NightlyPass"/>. Takes the date as text (not an entity) so a retried or requeued job is
/// self-contained; failures are retried by Hangfire with its back-off, and a rerun of a finished date is a no-op.
/// </summary>
internal sealed class NightlyJob(Func<NightlyPass> passFactory, RiskStore store)
{
    public const string RecurringId = "nightly";

    /// <summary>02:00 in Seoul: the day's feeds have arrived and the teams' lists are ready before they start work.</summary>
    public const string Cron = "0 2 * * *";

    /// <summary>How far back a catch-up reaches: beyond a month, an operator runs a backfill on purpose.</summary>
    public const int MaxCatchUpDays = 31;

    [AutomaticRetry(Attempts = 5)]
    [DisableConcurrentExecution(timeoutInSeconds: 60 * 60)]
    public async Task RunAsync(string? date, CancellationToken cancellationToken)
    {
        var pass = passFactory();
        if (date is not null)
        {
            await pass.RunAsync(IsoDate.Parse(date), cancellationToken);
            return;
        }

        await CatchUpAsync(pass, SeoulClock.LastCompleteDay(), cancellationToken);
    }

    /// <summary>
    /// The scheduled run catches up: every night since the last finished one, oldest first, so a service that was down
    /// for three nights comes back with three nights of lists and no hand work. A failed night does not hold back the
    /// ones after it; the job fails at the end so Hangfire retries, and the finished nights are then no-ops.
    /// </summary>
    public async Task CatchUpAsync(NightlyPass pass, DateOnly lastNight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pass);
        var failed = new List<string>();
        await pass.IngestPendingAsync(cancellationToken);
        foreach (var night in await MissedNightsAsync(lastNight, cancellationToken))
        {
            try
            {
                await pass.RunPartitionAsync(PassRequest.Live(night), cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                failed.Add($"{night:yyyy-MM-dd}: {ex.Message}");
            }
        }

        if (failed.Count > 0)
        {
            throw new InvalidOperationException("Nights failed: " + string.Join("; ", failed));
        }
    }

    /// <summary>The nights from the one after the last finished live run up to <paramref name="lastNight"/>, at most a month.</summary>
    public async Task<IReadOnlyList<DateOnly>> MissedNightsAsync(DateOnly lastNight, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var last = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT MAX(run_date) FROM nightly_run WHERE status = 'done' AND partition_key = @partition",
            new { partition = Partition.District.Key },
            cancellationToken: cancellationToken));
        var first = last is null ? lastNight : IsoDate.Parse(last).AddDays(1);
        if (first < lastNight.AddDays(1 - MaxCatchUpDays))
        {
            first = lastNight.AddDays(1 - MaxCatchUpDays);
        }

        var nights = new List<DateOnly>();
        for (var night = first; night <= lastNight; night = night.AddDays(1))
        {
            nights.Add(night);
        }

        return nights;
    }

    public static void Schedule(IRecurringJobManager jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        jobs.AddOrUpdate<NightlyJob>(
            RecurringId,
            job => job.RunAsync(null, CancellationToken.None),
            Cron,
            new RecurringJobOptions
            {
                TimeZone = SeoulClock.Zone,
                // Chosen on purpose: after downtime Hangfire fires the missed 02:00 once (not once per missed night);
                // that one run catches up every missed night in order (see RunAsync).
                MisfireHandling = MisfireHandlingMode.Relaxed,
            });
    }
}
