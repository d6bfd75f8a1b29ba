using System.Globalization;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Jobs;

/// <summary>
/// Shadow mode: a candidate model or policy scores and flags the past into tables of its own, labelled with its versions,
/// and pushes nothing to any queue. One transaction per (date, partition), like a live pass.
/// </summary>
internal sealed class ShadowRuns(RiskStore store)
{
    /// <summary>Writes the pass; false when a pass with the same inputs was already stored (nothing changes).</summary>
    public async Task<bool> WriteAsync(
        RunStamp stamp, IReadOnlyList<CaseDraft> drafts, IReadOnlyList<ScoreRow> scores, ThresholdPolicy policy, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var date = IsoDate.Text(stamp.RunDate);
        var scope = new PartitionScope(stamp);
        var key = new { date, partition = stamp.Partition, model = stamp.ModelVersion, policy = stamp.PolicyVersion };

        var doneWith = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT input_hash FROM shadow_run WHERE run_date = @date AND partition_key = @partition AND model_version = @model AND policy_version = @policy",
            key,
            transaction,
            cancellationToken: cancellationToken));
        if (doneWith is not null && doneWith == stamp.InputHash)
        {
            // As for live passes: only a committed pass writes input_hash, so the stored results are these inputs' results.
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE shadow_run SET status = 'done', error = NULL WHERE run_date = @date AND partition_key = @partition AND model_version = @model AND policy_version = @policy",
                key,
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM shadow_score WHERE run_date = @date AND model_version = @model{scope.HouseholdFilter()}",
            scope.With(new { date, model = stamp.ModelVersion }),
            transaction,
            cancellationToken: cancellationToken));
        await DongQueue.WriteScoreRowsAsync(store.Dialect, connection, transaction, "shadow_score", date, stamp.ModelVersion, scores, cancellationToken);

        var listed = WouldOpen(drafts, policy);
        await DongQueue.WriteRunListAsync(connection, transaction, stamp, scope, "shadow", listed, cancellationToken);

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM shadow_run WHERE run_date = @date AND partition_key = @partition AND model_version = @model AND policy_version = @policy",
            key,
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO shadow_run (run_date, partition_key, model_version, policy_version, status, input_hash, dongs, started_at,
                                    finished_at, households, flagged)
            VALUES (@date, @partition, @model, @policy, 'done', @hash, @dongs, @now, @now, @households, @flagged)
            """,
            new
            {
                date,
                partition = stamp.Partition,
                model = stamp.ModelVersion,
                policy = stamp.PolicyVersion,
                hash = stamp.InputHash,
                dongs = stamp.Dongs is null ? null : string.Join(',', stamp.Dongs),
                now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                households = scores.Count,
                flagged = listed.Count,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>What the candidate would put before each team that day: every urgent case and its capacity of the rest.</summary>
    private static List<CaseDraft> WouldOpen(IReadOnlyList<CaseDraft> drafts, ThresholdPolicy policy)
    {
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var listed = new List<CaseDraft>();
        foreach (var draft in drafts)
        {
            if (draft.Lane.HasFlag(Lane.Flatline))
            {
                listed.Add(draft);
                continue;
            }

            var count = taken.GetValueOrDefault(draft.DongCode);
            if (count < policy.DailyCapacityPerDong)
            {
                taken[draft.DongCode] = count + 1;
                listed.Add(draft);
            }
        }

        return listed;
    }
}
