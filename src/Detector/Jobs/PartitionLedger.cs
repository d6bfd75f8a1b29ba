using System.Data.Common;
using System.Globalization;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Jobs;

/// <summary>Per-partition status (missing, running, done, failed) of live and shadow passes.</summary>
internal sealed class PartitionLedger(RiskStore store)
{
    public const string Running = "running";
    public const string Done = "done";
    public const string Failed = "failed";
    public const string Missing = "missing";

    public async Task<bool> IsDoneWithAsync(RunStamp stamp, bool shadow, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var hash = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            shadow
                ? "SELECT input_hash FROM shadow_run WHERE run_date = @date AND partition_key = @partition AND model_version = @model AND policy_version = @policy AND status = 'done'"
                : "SELECT input_hash FROM nightly_run WHERE run_date = @date AND partition_key = @partition AND status = 'done'",
            Key(stamp),
            cancellationToken: cancellationToken));
        return hash is not null && hash == stamp.InputHash;
    }

    public Task MarkRunningAsync(RunStamp stamp, bool shadow, CancellationToken cancellationToken) =>
        MarkAsync(stamp, shadow, Running, error: null, cancellationToken);

    public Task MarkFailedAsync(RunStamp stamp, bool shadow, string error, CancellationToken cancellationToken) =>
        MarkAsync(stamp, shadow, Failed, error, cancellationToken);

    /// <summary>The status of each (date, partition) of a live or shadow range; absent ones are <see cref="Missing"/>.</summary>
    public async Task<IReadOnlyDictionary<(DateOnly, string), string>> StatusesAsync(
        DateOnly from, DateOnly to, bool shadow, string modelVersion, string policyVersion, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StatusRow>(new CommandDefinition(
            shadow
                ? "SELECT run_date AS RunDate, partition_key AS PartitionKey, status AS Status FROM shadow_run WHERE run_date >= @from AND run_date <= @to AND model_version = @model AND policy_version = @policy"
                : "SELECT run_date AS RunDate, partition_key AS PartitionKey, status AS Status FROM nightly_run WHERE run_date >= @from AND run_date <= @to",
            new { from = IsoDate.Text(from), to = IsoDate.Text(to), model = modelVersion, policy = policyVersion },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => (IsoDate.Parse(r.RunDate), r.PartitionKey), r => r.Status);
    }

    private async Task MarkAsync(RunStamp stamp, bool shadow, string status, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var args = new
        {
            date = IsoDate.Text(stamp.RunDate),
            partition = stamp.Partition,
            model = stamp.ModelVersion,
            policy = stamp.PolicyVersion,
            status,
            error,
            dongs = stamp.Dongs is null ? null : string.Join(',', stamp.Dongs),
            now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };

        // Update in place so a done run's fingerprint survives a retry that fails; insert only the first time.
        var update = new CommandDefinition(
            shadow
                ? "UPDATE shadow_run SET status = @status, error = @error, started_at = @now WHERE run_date = @date AND partition_key = @partition AND model_version = @model AND policy_version = @policy"
                : "UPDATE nightly_run SET status = @status, error = @error, started_at = @now WHERE run_date = @date AND partition_key = @partition",
            args,
            cancellationToken: cancellationToken);
        if (await connection.ExecuteAsync(update) > 0)
        {
            return;
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                shadow
                    ? "INSERT INTO shadow_run (run_date, partition_key, model_version, policy_version, status, dongs, started_at, error) VALUES (@date, @partition, @model, @policy, @status, @dongs, @now, @error)"
                    : "INSERT INTO nightly_run (run_date, partition_key, status, started_at, model_version, policy_version, dongs, error) VALUES (@date, @partition, @status, @now, @model, @policy, @dongs, @error)",
                args,
                cancellationToken: cancellationToken));
        }
        catch (DbException)
        {
            // Another pass for the same partition inserted the row between our update and insert: ours is now an update.
            if (await connection.ExecuteAsync(update) == 0)
            {
                throw;
            }
        }
    }

    private static object Key(RunStamp stamp) => new
    {
        date = IsoDate.Text(stamp.RunDate),
        partition = stamp.Partition,
        model = stamp.ModelVersion,
        policy = stamp.PolicyVersion,
    };

    private sealed class StatusRow
    {
        public string RunDate { get; init; } = "";
        public string PartitionKey { get; init; } = "";
        public string Status { get; init; } = "";
    }
}
