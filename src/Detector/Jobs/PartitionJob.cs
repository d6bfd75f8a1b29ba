using Hangfire;
using RiskWatch.Detector.Configuration;

namespace RiskWatch.Detector.Jobs;

/// <summary>
/// One Hangfire job per (date, partition) of a backfill. Takes plain values (not entities) so any worker sharing the
/// storage can run it; a retry after a crash redoes the partition from scratch, which is safe because the pass writes
/// it in one transaction and skips it when its inputs are unchanged.
/// </summary>
internal sealed class PartitionJob(Func<NightlyPass> passFactory)
{
    // Two quick retries: a partition fails for a reason that lasts (a missing feed) or one that passes in seconds (a lock).
    [AutomaticRetry(Attempts = 2, DelaysInSeconds = [2, 5])]
    /// <returns>"done", or "unchanged" when the partition was already stored with the same inputs (Hangfire keeps it with the job).</returns>
    public async Task<string> RunAsync(string date, string partitionKey, string? dongs, bool shadow, string[] models, CancellationToken cancellationToken)
    {
        var request = new PassRequest(IsoDate.Parse(date), Partition.Parse(partitionKey, dongs), shadow, models);
        var result = await passFactory().RunPartitionAsync(request, cancellationToken);
        return result.AlreadyDone ? Unchanged : PartitionLedger.Done;
    }

    public const string Unchanged = "unchanged";
}
