using System.Globalization;
using System.Text;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Jobs;

/// <summary>One date and dong: the shadow list beside the live one.</summary>
public sealed record ListComparison(
    DateOnly RunDate, string DongCode, int Live, int Shadow, int Added, int Removed, double Jaccard,
    double? LivePrecision, double? ShadowPrecision);

/// <summary>
/// Shadow list vs live list per date and dong: who the candidate adds and removes, the Jaccard overlap, and — where the
/// outcome window has passed — the share of each list that later turned out to be a crisis or a lonely death.
/// </summary>
internal sealed class ShadowComparison(RiskStore store)
{
    /// <summary>Crisis outcomes count within 60 days of the list, lonely deaths within 90 (SPEC "Targets").</summary>
    private const int CrisisHorizon = 60;
    private const int LonelyDeathHorizon = 90;

    public async Task<IReadOnlyList<ListComparison>> CompareAsync(
        DateOnly from, DateOnly to, string shadowModel, string shadowPolicy, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ListRow>(new CommandDefinition(
            """
            SELECT run_date AS RunDate, mode AS Mode, dong_code AS DongCode, household_no AS HouseholdNo
            FROM run_list
            WHERE run_date >= @from AND run_date <= @to
              AND (mode = 'live' OR (mode = 'shadow' AND model_version = @model AND policy_version = @policy))
            """,
            new { from = IsoDate.Text(from), to = IsoDate.Text(to), model = shadowModel, policy = shadowPolicy },
            cancellationToken: cancellationToken))).ToList();

        var outcomes = (await connection.QueryAsync<OutcomeRow>(new CommandDefinition(
            "SELECT household_no AS HouseholdNo, visited_on AS VisitedOn, outcome AS Outcome FROM outcome",
            cancellationToken: cancellationToken))).ToList();
        var knownThrough = outcomes.Count == 0 ? DateOnly.MinValue : outcomes.Max(o => IsoDate.Parse(o.VisitedOn));
        var positives = outcomes
            .Where(o => o.Outcome is "crisis_confirmed" or "supported" or "died_alone")
            .GroupBy(o => o.HouseholdNo)
            .ToDictionary(g => g.Key, g => g.Select(o => (On: IsoDate.Parse(o.VisitedOn), Death: o.Outcome == "died_alone")).ToList());

        bool Positive(long household, DateOnly date) =>
            positives.TryGetValue(household, out var events)
            && events.Exists(e => e.On > date && e.On <= date.AddDays(e.Death ? LonelyDeathHorizon : CrisisHorizon));

        var result = new List<ListComparison>();
        foreach (var group in rows.GroupBy(r => (r.RunDate, r.DongCode)).OrderBy(g => g.Key.RunDate, StringComparer.Ordinal).ThenBy(g => g.Key.DongCode, StringComparer.Ordinal))
        {
            var date = IsoDate.Parse(group.Key.RunDate);
            var live = group.Where(r => r.Mode == "live").Select(r => r.HouseholdNo).ToHashSet();
            var shadow = group.Where(r => r.Mode == "shadow").Select(r => r.HouseholdNo).ToHashSet();
            var union = live.Union(shadow).Count();
            var judged = date.AddDays(CrisisHorizon) <= knownThrough;
            result.Add(new ListComparison(
                date,
                group.Key.DongCode,
                live.Count,
                shadow.Count,
                shadow.Except(live).Count(),
                live.Except(shadow).Count(),
                union == 0 ? 1 : (double)live.Intersect(shadow).Count() / union,
                judged && live.Count > 0 ? (double)live.Count(h => Positive(h, date)) / live.Count : null,
                judged && shadow.Count > 0 ? (double)shadow.Count(h => Positive(h, date)) / shadow.Count : null));
        }

        return result;
    }

    public static string ToMarkdown(string shadowModel, string shadowPolicy, IReadOnlyList<ListComparison> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Shadow run: {shadowModel} / {shadowPolicy}");
        text.AppendLine();
        text.AppendLine("Per date and dong: the shadow list (what the candidate would have put before the team) against the live list.");
        text.AppendLine("Precision is the share of a list that had a crisis outcome within 60 days or a lonely death within 90, shown once that window has passed.");
        text.AppendLine();
        text.AppendLine("| date | dong | live | shadow | added | removed | Jaccard | precision live | precision shadow |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.RunDate:yyyy-MM-dd} | {r.DongCode} | {r.Live} | {r.Shadow} | {r.Added} | {r.Removed} | {r.Jaccard:0.00} | {Format(r.LivePrecision)} | {Format(r.ShadowPrecision)} |");
        }

        if (rows.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"Overall: mean Jaccard {rows.Average(r => r.Jaccard):0.00}, {rows.Sum(r => r.Added)} households added and {rows.Sum(r => r.Removed)} removed over {rows.Count} date × dong lists.");
        }

        return text.ToString();
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private sealed class ListRow
    {
        public string RunDate { get; init; } = "";
        public string Mode { get; init; } = "";
        public string DongCode { get; init; } = "";
        public long HouseholdNo { get; init; }
    }

    private sealed class OutcomeRow
    {
        public long HouseholdNo { get; init; }
        public string VisitedOn { get; init; } = "";
        public string Outcome { get; init; } = "";
    }
}
