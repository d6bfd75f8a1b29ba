using System.Data.Common;
using Hangfire;
using Hangfire.Storage;
using RiskWatch.Detector.Configuration;

namespace RiskWatch.Detector.Jobs;

public enum BackfillMode { Missing, Failed, All }

/// <summary>What a backfill covers and how.</summary>
public sealed record BackfillOptions(
    DateOnly From, DateOnly To, IReadOnlyList<string> Dongs, int DongsPerPartition, BackfillMode Mode, bool Shadow,
    IReadOnlyList<string> Models, int MaxInFlight);

/// <summary>One (date, partition) of a backfill, its status before the run and whether this backfill runs it.</summary>
public sealed record PartitionWork(DateOnly RunDate, Partition Partition, string StatusBefore, bool Selected)
{
    public string Outcome { get; set; } = "";

    public string? Error { get; set; }
}

/// <summary>
/// Runs a backfill as Hangfire jobs, at most <see cref="BackfillOptions.MaxInFlight"/> partitions at a time, in date order,
/// going on past failures. Hangfire does the running and the retrying; this only feeds it and watches.
/// </summary>
internal sealed class BackfillRunner(IBackgroundJobClient jobs, JobStorage storage)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the database may stay unreachable before the backfill gives up watching.</summary>
    private static readonly TimeSpan OutageTolerance = TimeSpan.FromMinutes(2);

    public async Task RunAsync(
        BackfillOptions options, IReadOnlyList<PartitionWork> plan, Action<PartitionWork> finished, CancellationToken cancellationToken)
    {
        var pending = plan.Where(p => p.Selected).ToList();
        var inFlight = new Dictionary<string, PartitionWork>(StringComparer.Ordinal);
        using var connection = storage.GetConnection();
        DateTime? outageSince = null;
        while (pending.Count > 0 || inFlight.Count > 0)
        {
            try
            {
                while (inFlight.Count < Math.Max(1, options.MaxInFlight) && NextReady(options, pending, inFlight.Values) is { } work)
                {
                    var id = jobs.Enqueue<PartitionJob>(job => job.RunAsync(
                        IsoDate.Text(work.RunDate), work.Partition.Key, work.Partition.DongsText, options.Shadow,
                        options.Models.ToArray(), CancellationToken.None));
                    pending.Remove(work);
                    inFlight[id] = work;
                }

                await Task.Delay(Poll, cancellationToken);
                Collect(connection, inFlight, finished);
                outageSince = null;
            }
            catch (Exception ex) when (IsOutage(ex) && (outageSince ??= DateTime.UtcNow) > DateTime.UtcNow - OutageTolerance)
            {
                // The database went away for a moment (a restart, a failover, a killed connection): the jobs are safe in
                // it, so watch again once it answers rather than abandon a backfill the workers are still running.
                await Task.Delay(Poll * 4, cancellationToken);
            }
        }
    }

    private static bool IsOutage(Exception ex) =>
        ex is DbException or TimeoutException || ex.InnerException is DbException or TimeoutException;

    /// <summary>Hands each partition that reached a final state to <paramref name="finished"/>.</summary>
    private static void Collect(IStorageConnection connection, Dictionary<string, PartitionWork> inFlight, Action<PartitionWork> finished)
    {
        foreach (var (id, work) in inFlight.ToList())
        {
            var state = connection.GetStateData(id);
            switch (state?.Name)
            {
                case "Succeeded":
                    work.Outcome = state.Data.TryGetValue("Result", out var result) && result.Contains(PartitionJob.Unchanged, StringComparison.Ordinal)
                        ? PartitionJob.Unchanged
                        : PartitionLedger.Done;
                    break;
                case "Failed":
                    // Hangfire moves a job to Failed only once its retries are spent.
                    work.Outcome = PartitionLedger.Failed;
                    work.Error = state.Data.TryGetValue("ExceptionMessage", out var message) ? message : state.Reason;
                    break;
                default:
                    continue;
            }

            inFlight.Remove(id);
            finished(work);
        }
    }

    /// <summary>
    /// The first pending partition that may start now. A live pass of a date reads what the earlier dates left in the queue
    /// (open cases, cool-downs, capacity), so one partition's dates go in order, one at a time, whichever worker takes them;
    /// partitions of other dongs run beside it. A shadow pass reads no earlier pass, so any of them may start.
    /// </summary>
    private static PartitionWork? NextReady(BackfillOptions options, List<PartitionWork> pending, IEnumerable<PartitionWork> running)
    {
        if (options.Shadow)
        {
            return pending.FirstOrDefault();
        }

        var busy = running.Select(r => r.Partition.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var work in pending)
        {
            // Pending is in date order: the first of each partition not already running is its earliest date.
            if (busy.Add(work.Partition.Key))
            {
                return work;
            }
        }

        return null;
    }

    /// <summary>Every (date, partition) of the range with its status, and whether <paramref name="options"/>' mode selects it.</summary>
    public static IReadOnlyList<PartitionWork> Plan(
        BackfillOptions options, IReadOnlyList<string> allDongs, IReadOnlyDictionary<(DateOnly, string), string> statuses)
    {
        if (options.To < options.From)
        {
            throw new ArgumentException($"--to {options.To:yyyy-MM-dd} is before --from {options.From:yyyy-MM-dd}.");
        }

        var unknown = options.Dongs.Except(allDongs, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"--dong: no households in {string.Join(", ", unknown)}.");
        }

        var partitions = options.Dongs.Count > 0
            ? Partition.Plan(options.Dongs, options.DongsPerPartition <= 0 ? options.Dongs.Count : options.DongsPerPartition)
            : Partition.Plan(allDongs, options.DongsPerPartition);
        var plan = new List<PartitionWork>();
        for (var date = options.From; date <= options.To; date = date.AddDays(1))
        {
            foreach (var partition in partitions)
            {
                var status = statuses.GetValueOrDefault((date, partition.Key), PartitionLedger.Missing);
                var selected = options.Mode switch
                {
                    BackfillMode.Missing => status == PartitionLedger.Missing,
                    // A running partition nobody is running any more was interrupted: it counts as failed.
                    BackfillMode.Failed => status is PartitionLedger.Failed or PartitionLedger.Running,
                    _ => true,
                };
                plan.Add(new PartitionWork(date, partition, status, selected));
            }
        }

        return plan;
    }
}
