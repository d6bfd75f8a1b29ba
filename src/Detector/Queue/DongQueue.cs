using System.Data.Common;
using System.Text.Json;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Policy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Queue;

/// <summary>
/// Each dong team's queue of cases. The nightly push for one (run date, partition) is a single transaction that also
/// records the run, so a rerun of the same key is a no-op and a kill leaves either the whole night or none of it.
/// An open case is updated, never doubled (a unique index on open cases backs this up in the database itself).
/// </summary>
internal sealed class DongQueue(RiskStore store)
{
    private static readonly string[] ScoreColumns = ["run_date", "model_version", "household_no", "crisis_score", "lonely_death_score"];

    private static readonly JsonSerializerOptions ReasonJson = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task<PushResult> PushAsync(
        RunStamp stamp,
        IReadOnlyList<CaseDraft> drafts,
        IReadOnlyList<ScoreRow> scores,
        ThresholdPolicy policy,
        CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var date = IsoDate.Text(stamp.RunDate);
        var scope = new PartitionScope(stamp);

        // Checked again inside the transaction: of two overlapping passes with the same inputs, only the first writes.
        // Only a committed push writes input_hash, so an equal one means the stored results are these inputs' results,
        // whatever status a retry or a concurrent pass has set since.
        var doneWith = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT input_hash FROM nightly_run WHERE run_date = @date AND partition_key = @partition",
            new { date, partition = stamp.Partition },
            transaction,
            cancellationToken: cancellationToken));
        if (doneWith is not null && doneWith == stamp.InputHash)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE nightly_run SET status = 'done', error = NULL WHERE run_date = @date AND partition_key = @partition",
                new { date, partition = stamp.Partition },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return new PushResult(AlreadyDone: true, 0, 0, 0, 0);
        }

        await WriteScoresAsync(connection, transaction, stamp, scope, scores, cancellationToken);

        // A rerun of this date on changed inputs starts again from what the date itself opened, as long as nobody has
        // touched those cases since; they come back identical (same case id) if the household is still flagged.
        var withdrawn = (await connection.QueryAsync<long>(new CommandDefinition(
                $"SELECT household_no FROM risk_case WHERE flagged_on = @date AND last_flagged_on = @date AND status = 'new'{scope.DongFilter("dong_code")}",
                scope.With(new { date }),
                transaction,
                cancellationToken: cancellationToken)))
            .ToHashSet();
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM risk_case WHERE flagged_on = @date AND last_flagged_on = @date AND status = 'new'{scope.DongFilter("dong_code")}",
            scope.With(new { date }),
            transaction,
            cancellationToken: cancellationToken));

        var open = (await connection.QueryAsync<OpenCase>(new CommandDefinition(
                "SELECT case_id AS CaseId, household_no AS HouseholdNo FROM risk_case WHERE status <> 'closed'",
                transaction: transaction,
                cancellationToken: cancellationToken)))
            .ToDictionary(c => c.HouseholdNo, c => c.CaseId);
        var coolingFrom = IsoDate.Text(stamp.RunDate.AddDays(-policy.CoolDownDays));
        var cooling = (await connection.QueryAsync<long>(new CommandDefinition(
                "SELECT DISTINCT household_no FROM risk_case WHERE status = 'closed' AND closed_on > @coolingFrom AND closed_on <= @date",
                new { coolingFrom, date },
                transaction,
                cancellationToken: cancellationToken)))
            .ToHashSet();

        int opened = 0, updated = 0, heldByCapacity = 0, heldByCoolDown = 0;
        var openedPerDong = new Dictionary<string, int>(StringComparer.Ordinal);
        var listed = new List<CaseDraft>();
        foreach (var draft in drafts)
        {
            var urgent = draft.Lane.HasFlag(Lane.Flatline);
            if (open.TryGetValue(draft.HouseholdNo, out var caseId))
            {
                await UpdateAsync(connection, transaction, caseId, draft, stamp, cancellationToken);
                updated++;
                listed.Add(draft);
                continue;
            }

            if (!urgent && cooling.Contains(draft.HouseholdNo))
            {
                heldByCoolDown++;
                continue;
            }

            openedPerDong.TryGetValue(draft.DongCode, out var openedHere);
            if (!urgent && openedHere >= policy.CapacityFor(draft.DongCode))
            {
                heldByCapacity++;
                continue;
            }

            await InsertAsync(connection, transaction, draft, stamp, cancellationToken);
            open[draft.HouseholdNo] = CaseIdFor(stamp.RunDate, draft.HouseholdKey);
            openedPerDong[draft.DongCode] = urgent ? openedHere : openedHere + 1;
            withdrawn.Remove(draft.HouseholdNo);
            opened++;
            listed.Add(draft);
        }

        await WriteRunListAsync(connection, transaction, stamp, scope, "live", listed, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM nightly_run WHERE run_date = @date AND partition_key = @partition",
            new { date, partition = stamp.Partition },
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO nightly_run (run_date, partition_key, status, started_at, finished_at, households_scored,
                                     cases_opened, cases_updated, model_version, policy_version, input_hash, dongs)
            VALUES (@date, @partition, 'done', @now, @now, @scored, @opened, @updated, @model, @policy, @hash, @dongs)
            """,
            new
            {
                date,
                partition = stamp.Partition,
                now = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                scored = scores.Count,
                opened,
                updated,
                model = stamp.ModelVersion,
                policy = stamp.PolicyVersion,
                hash = stamp.InputHash,
                dongs = stamp.Dongs is null ? null : string.Join(',', stamp.Dongs),
            },
            transaction,
            cancellationToken: cancellationToken));

        await transaction.CommitAsync(cancellationToken);
        return new PushResult(AlreadyDone: false, opened, updated, heldByCapacity, heldByCoolDown) { Withdrawn = withdrawn.Count };
    }

    /// <summary>
    /// The list a pass produced, in rank order per dong: what the queues got (live) or would have got (shadow), so that
    /// candidate models and policies can be compared with the live ones date by date.
    /// </summary>
    internal static async Task WriteRunListAsync(
        DbConnection connection, DbTransaction transaction, RunStamp stamp, PartitionScope scope, string mode,
        IReadOnlyList<CaseDraft> listed, CancellationToken cancellationToken)
    {
        var date = IsoDate.Text(stamp.RunDate);
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM run_list WHERE run_date = @date AND mode = @mode AND model_version = @model AND policy_version = @policy{scope.DongFilter("dong_code")}",
            scope.With(new { date, mode, model = stamp.ModelVersion, policy = stamp.PolicyVersion }),
            transaction,
            cancellationToken: cancellationToken));
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = listed.Select(d =>
        {
            rank[d.DongCode] = rank.GetValueOrDefault(d.DongCode) + 1;
            return new
            {
                date,
                mode,
                model = stamp.ModelVersion,
                policy = stamp.PolicyVersion,
                no = d.HouseholdNo,
                dong = d.DongCode,
                partition = stamp.Partition,
                priority = LaneText.Of(d.Priority),
                lane = LaneText.Of(d.Lane),
                crisis = d.CrisisScore,
                lonely = d.LonelyDeathScore,
                rank = rank[d.DongCode],
            };
        }).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO run_list (run_date, mode, model_version, policy_version, household_no, dong_code, partition_key, priority,
                                  lane, crisis_score, lonely_death_score, rank_in_dong)
            VALUES (@date, @mode, @model, @policy, @no, @dong, @partition, @priority, @lane, @crisis, @lonely, @rank)
            """,
            rows,
            transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>The open cases of a dong on a date, highest priority first (SPEC queue export).</summary>
    public async Task<IReadOnlyList<QueueEntry>> ReadAsync(string dongCode, DateOnly date, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CaseRow>(new CommandDefinition(
            """
            SELECT c.case_id AS CaseId, c.household_no AS HouseholdNo, h.household_key AS HouseholdKey, c.dong_code AS DongCode,
                   c.flagged_on AS FlaggedOn, c.priority AS Priority, c.lane AS Lane, c.crisis_score AS CrisisScore,
                   c.lonely_death_score AS LonelyDeathScore, c.reasons_json AS ReasonsJson, c.model_version AS ModelVersion,
                   c.status AS Status
            FROM risk_case c JOIN household h ON h.household_no = c.household_no
            WHERE c.dong_code = @dong AND c.flagged_on <= @date AND (c.closed_on IS NULL OR c.closed_on > @date)
            """,
            new { dong = dongCode, date = IsoDate.Text(date) },
            cancellationToken: cancellationToken));

        return rows
            .OrderBy(r => PriorityRank(r.Priority))
            .ThenByDescending(r => Math.Max(r.CrisisScore, r.LonelyDeathScore))
            .ThenBy(r => r.CaseId, StringComparer.Ordinal)
            .Select(r => new QueueEntry
            {
                CaseId = r.CaseId,
                HouseholdNo = r.HouseholdNo,
                HouseholdKey = r.HouseholdKey,
                DongCode = r.DongCode,
                FlaggedOn = r.FlaggedOn,
                Priority = r.Priority,
                Lane = r.Lane,
                CrisisScore = Math.Round(r.CrisisScore, 2),
                LonelyDeathScore = Math.Round(r.LonelyDeathScore, 2),
                Reasons = JsonSerializer.Deserialize<string[]>(r.ReasonsJson) ?? [],
                ModelVersion = r.ModelVersion,
                Status = r.Status,
            })
            .ToList();
    }

    /// <summary>The dongs that have a queue, for listing every team's list.</summary>
    public async Task<IReadOnlyList<string>> DongsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var dongs = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT dong_code FROM household WHERE dong_code IS NOT NULL ORDER BY dong_code",
            cancellationToken: cancellationToken));
        return dongs.ToList();
    }

    /// <summary>The latest date a nightly pass finished, the default date of every list.</summary>
    public async Task<DateOnly?> LatestRunDateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var date = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT MAX(run_date) FROM nightly_run WHERE status = 'done'",
            cancellationToken: cancellationToken));
        return date is null ? null : IsoDate.Parse(date);
    }

    /// <summary>Case ids are derived from the first night and household, so the same night always names a case the same way.</summary>
    internal static string CaseIdFor(DateOnly flaggedOn, string householdKey) =>
        $"C{flaggedOn:yyyyMMdd}-{householdKey[..12]}";

    private async Task WriteScoresAsync(
        DbConnection connection, DbTransaction transaction, RunStamp stamp, PartitionScope scope, IReadOnlyList<ScoreRow> scores,
        CancellationToken cancellationToken)
    {
        var date = IsoDate.Text(stamp.RunDate);
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM risk_score WHERE run_date = @date{scope.HouseholdFilter()}",
            scope.With(new { date }),
            transaction,
            cancellationToken: cancellationToken));

        await WriteScoreRowsAsync(store.Dialect, connection, transaction, "risk_score", date, stamp.ModelVersion, scores, cancellationToken);
    }

    /// <summary>
    /// A night's scores into <paramref name="table"/> (risk_score, or shadow_score for a shadow pass), whose rows of the
    /// date (and partition) the caller has deleted: plain inserts, in bulk — COPY on PostgreSQL, SqlBulkCopy on SQL
    /// Server, multi-row statements on SQLite. A statement per household was a round trip per household on a server
    /// store, and most of the push on SQLite at a million households.
    /// </summary>
    internal static async Task WriteScoreRowsAsync(
        ISqlDialect dialect, DbConnection connection, DbTransaction transaction, string table, string date, string modelVersion,
        IReadOnlyList<ScoreRow> scores, CancellationToken cancellationToken)
    {
        using var writer = dialect.CreateBulkWriter(connection, transaction, new TableSpec(table, ScoreColumns, []), buffered: true);
        writer.Set(0, date);
        writer.Set(1, modelVersion);
        foreach (var score in scores)
        {
            writer.Set(2, score.HouseholdNo);
            writer.Set(3, (double)score.CrisisScore);
            writer.Set(4, (double)score.LonelyDeathScore);
            writer.AddRow();
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static Task InsertAsync(
        DbConnection connection, DbTransaction transaction, CaseDraft draft, RunStamp stamp, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO risk_case (case_id, household_no, dong_code, flagged_on, last_flagged_on, priority, lane, crisis_score,
                                   lonely_death_score, reasons_json, model_version, policy_version, status)
            VALUES (@caseId, @no, @dong, @date, @date, @priority, @lane, @crisis, @lonely, @reasons, @model, @policy, 'new')
            """,
            CaseValues(CaseIdFor(stamp.RunDate, draft.HouseholdKey), draft, stamp),
            transaction,
            cancellationToken: cancellationToken));

    private static Task UpdateAsync(
        DbConnection connection, DbTransaction transaction, string caseId, CaseDraft draft, RunStamp stamp, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE risk_case
            SET last_flagged_on = @date, priority = @priority, lane = @lane, crisis_score = @crisis,
                lonely_death_score = @lonely, reasons_json = @reasons, model_version = @model, policy_version = @policy
            WHERE case_id = @caseId AND last_flagged_on <= @date
            """,
            CaseValues(caseId, draft, stamp),
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>One case's values for both statements; Dapper binds only the names a statement uses.</summary>
    private static object CaseValues(string caseId, CaseDraft draft, RunStamp stamp) => new
    {
        caseId,
        no = draft.HouseholdNo,
        dong = draft.DongCode,
        date = IsoDate.Text(stamp.RunDate),
        priority = LaneText.Of(draft.Priority),
        lane = LaneText.Of(draft.Lane),
        crisis = draft.CrisisScore,
        lonely = draft.LonelyDeathScore,
        reasons = JsonSerializer.Serialize(draft.Reasons(), ReasonJson),
        model = stamp.ModelVersion,
        policy = stamp.PolicyVersion,
    };

    private static int PriorityRank(string priority) => priority switch
    {
        "urgent" => 0,
        "high" => 1,
        _ => 2,
    };

    private sealed class OpenCase
    {
        public string CaseId { get; init; } = "";
        public long HouseholdNo { get; init; }
    }

    private sealed class CaseRow
    {
        public string CaseId { get; init; } = "";
        public long HouseholdNo { get; init; }
        public string HouseholdKey { get; init; } = "";
        public string DongCode { get; init; } = "";
        public string FlaggedOn { get; init; } = "";
        public string Priority { get; init; } = "";
        public string Lane { get; init; } = "";
        public double CrisisScore { get; init; }
        public double LonelyDeathScore { get; init; }
        public string ReasonsJson { get; init; } = "[]";
        public string ModelVersion { get; init; } = "";
        public string Status { get; init; } = "";
    }
}

/// <summary>A household's two scores on the run date.</summary>
internal readonly record struct ScoreRow(long HouseholdNo, float CrisisScore, float LonelyDeathScore);
