using System.Globalization;
using System.Text.Json;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Queue;

/// <summary>One case as the officer's case page shows it.</summary>
public sealed record CaseDetail(
    string CaseId, long HouseholdNo, string HouseholdKey, string DongCode, string FlaggedOn, string LastFlaggedOn, string Priority,
    string Lane, double CrisisScore, double LonelyDeathScore, IReadOnlyList<string> Reasons, string ModelVersion,
    string PolicyVersion, string Status, string? AssignedTo, string? ClosedOn, string? Outcome);

/// <summary>Something that happened to a case after the nightly pass opened it.</summary>
public sealed record CaseEvent(string At, string Actor, string Kind, string? Detail);

/// <summary>A household's recent signals for the case page's charts: one point per day, arrears per report.</summary>
public sealed record SignalHistory(
    IReadOnlyList<(string Date, double? Kwh, int? ActiveHours)> Electricity,
    IReadOnlyList<(string Date, int CallsOut, int CallsIn)> Telecom,
    IReadOnlyList<(string ReportedOn, string Source, int MonthsOverdue, long AmountKrw)> Arrears);

/// <summary>
/// Reads a case with its history and records what the team does with it: assignment, the visit outcome and closing.
/// An outcome is written to the <c>outcome</c> table with origin 'officer', where the next training reads it as a label.
/// </summary>
internal sealed class CaseFile(RiskStore store)
{
    /// <summary>SPEC's outcome values.</summary>
    public static readonly IReadOnlyList<string> Outcomes = ["crisis_confirmed", "supported", "no_crisis", "unreachable", "refused", "died_alone"];

    public async Task<CaseDetail?> FindAsync(string caseId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            """
            SELECT c.case_id AS CaseId, c.household_no AS HouseholdNo, h.household_key AS HouseholdKey, c.dong_code AS DongCode,
                   c.flagged_on AS FlaggedOn, c.last_flagged_on AS LastFlaggedOn, c.priority AS Priority, c.lane AS Lane,
                   c.crisis_score AS CrisisScore, c.lonely_death_score AS LonelyDeathScore, c.reasons_json AS ReasonsJson,
                   c.model_version AS ModelVersion, c.policy_version AS PolicyVersion, c.status AS Status,
                   c.assigned_to AS AssignedTo, c.closed_on AS ClosedOn, c.outcome AS Outcome
            FROM risk_case c JOIN household h ON h.household_no = c.household_no
            WHERE c.case_id = @caseId
            """,
            new { caseId }, cancellationToken: cancellationToken));
        return row is null ? null : new CaseDetail(
            row.CaseId, row.HouseholdNo, row.HouseholdKey, row.DongCode, row.FlaggedOn, row.LastFlaggedOn, row.Priority, row.Lane,
            Math.Round(row.CrisisScore, 2), Math.Round(row.LonelyDeathScore, 2),
            JsonSerializer.Deserialize<string[]>(row.ReasonsJson) ?? [], row.ModelVersion, row.PolicyVersion, row.Status,
            row.AssignedTo, row.ClosedOn, row.Outcome);
    }

    public async Task<IReadOnlyList<CaseEvent>> EventsAsync(string caseId, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var events = await connection.QueryAsync<CaseEvent>(new CommandDefinition(
            "SELECT at AS At, actor AS Actor, kind AS Kind, detail AS Detail FROM case_event WHERE case_id = @caseId ORDER BY event_id",
            new { caseId }, cancellationToken: cancellationToken));
        return events.ToList();
    }

    /// <summary>The last <paramref name="days"/> days up to <paramref name="until"/> of the household's meter, phones and arrears.</summary>
    public async Task<SignalHistory> SignalsAsync(long householdNo, DateOnly until, int days, CancellationToken cancellationToken)
    {
        var from = IsoDate.Text(until.AddDays(1 - days));
        var to = IsoDate.Text(until);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var electricity = await connection.QueryAsync<(string, double?, long?)>(new CommandDefinition(
            "SELECT date, kwh, active_hours FROM usage_electricity WHERE household_no = @householdNo AND date BETWEEN @from AND @to ORDER BY date",
            new { householdNo, from, to }, cancellationToken: cancellationToken));
        // Every line of the household's members, summed per day: the officer asks whether anyone there still calls out.
        var telecom = await connection.QueryAsync<(string, long, long)>(new CommandDefinition(
            """
            SELECT t.date, SUM(t.calls_out + t.sms_out), SUM(t.calls_in)
            FROM usage_telecom t JOIN person p ON p.person_no = t.person_no
            WHERE p.household_no = @householdNo AND t.date BETWEEN @from AND @to
            GROUP BY t.date ORDER BY t.date
            """,
            new { householdNo, from, to }, cancellationToken: cancellationToken));
        var arrears = await connection.QueryAsync<(string, string, long, long)>(new CommandDefinition(
            """
            SELECT a.reported_on, a.source, a.months_overdue, a.amount_krw
            FROM arrears a JOIN person p ON p.person_no = a.person_no
            WHERE p.household_no = @householdNo AND a.reported_on <= @to
            ORDER BY a.reported_on, a.source
            """,
            new { householdNo, to }, cancellationToken: cancellationToken));
        return new SignalHistory(
            electricity.Select(e => (e.Item1, e.Item2, e.Item3 is { } h ? (int?)(int)h : null)).ToList(),
            telecom.Select(t => (t.Item1, (int)t.Item2, (int)t.Item3)).ToList(),
            arrears.Select(a => (a.Item1, a.Item2, (int)a.Item3, a.Item4)).ToList());
    }

    public async Task AssignAsync(string caseId, string assignee, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(assignee);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE risk_case SET assigned_to = @assignee, status = CASE WHEN status = 'new' THEN 'assigned' ELSE status END
            WHERE case_id = @caseId AND status <> 'closed'
            """,
            new { caseId, assignee }, transaction, cancellationToken: cancellationToken));
        if (changed == 0)
        {
            throw new InvalidOperationException("the case is closed");
        }

        await AddEventAsync(connection, transaction, caseId, actor, "assigned", assignee, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Records a visit: the outcome goes to the outcome table (origin 'officer', a training label from the next training on)
    /// and to the case; with <paramref name="close"/> the case is closed, which the cool-down then counts from.
    /// </summary>
    public async Task RecordOutcomeAsync(
        string caseId, DateOnly visitedOn, string? outcome, string? services, bool close, string actor, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(outcome))
        {
            if (close)
            {
                throw new ArgumentException("closing a case needs the visit outcome");
            }
        }
        else if (!Outcomes.Contains(outcome))
        {
            throw new ArgumentException($"unknown outcome '{outcome}'");
        }

        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var householdNo = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT household_no FROM risk_case WHERE case_id = @caseId AND status <> 'closed'",
            new { caseId }, transaction, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException("the case is closed");
        var date = IsoDate.Text(visitedOn);
        if (outcome is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outcome (household_no, visited_on, outcome, discovered_after_days, origin, file_id)
            VALUES (@householdNo, @date, @outcome, NULL, 'officer', NULL)
            ON CONFLICT (household_no, visited_on, outcome) DO NOTHING
            """,
            new { householdNo, date, outcome }, transaction, cancellationToken: cancellationToken));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            close
                ? "UPDATE risk_case SET status = 'closed', outcome = @outcome, closed_on = @date WHERE case_id = @caseId"
                : "UPDATE risk_case SET status = 'visited', outcome = COALESCE(@outcome, outcome) WHERE case_id = @caseId",
            new { caseId, outcome, date }, transaction, cancellationToken: cancellationToken));
        var detail = string.IsNullOrWhiteSpace(services) ? outcome ?? "visited" : $"{outcome ?? "visited"}; services: {services.Trim()}";
        await AddEventAsync(connection, transaction, caseId, actor, "visited", detail, cancellationToken);
        if (close)
        {
            await AddEventAsync(connection, transaction, caseId, actor, "closed", outcome, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static Task AddEventAsync(
        System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string caseId, string actor, string kind,
        string? detail, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO case_event (case_id, at, actor, kind, detail) VALUES (@caseId, @at, @actor, @kind, @detail)",
            new { caseId, at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), actor, kind, detail },
            transaction, cancellationToken: cancellationToken));

    private sealed class Row
    {
        public string CaseId { get; init; } = "";
        public long HouseholdNo { get; init; }
        public string HouseholdKey { get; init; } = "";
        public string DongCode { get; init; } = "";
        public string FlaggedOn { get; init; } = "";
        public string LastFlaggedOn { get; init; } = "";
        public string Priority { get; init; } = "";
        public string Lane { get; init; } = "";
        public double CrisisScore { get; init; }
        public double LonelyDeathScore { get; init; }
        public string ReasonsJson { get; init; } = "[]";
        public string ModelVersion { get; init; } = "";
        public string PolicyVersion { get; init; } = "";
        public string Status { get; init; } = "";
        public string? AssignedTo { get; init; }
        public string? ClosedOn { get; init; }
        public string? Outcome { get; init; }
    }
}
