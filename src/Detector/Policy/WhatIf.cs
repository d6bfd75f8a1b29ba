using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Policy;

/// <summary>One household the model lane would put on a list.</summary>
public sealed record WhatIfHousehold(string HouseholdKey, string DongCode, double CrisisScore, double LonelyDeathScore);

/// <summary>The model lane of a run date under two policies: who each would list, who comes and goes, how much they overlap.</summary>
public sealed record WhatIfResult(
    DateOnly RunDate,
    int HouseholdsScored,
    int LiveAboveThreshold,
    int ProposedAboveThreshold,
    IReadOnlyList<WhatIfHousehold> Live,
    IReadOnlyList<WhatIfHousehold> Proposed,
    IReadOnlyList<WhatIfHousehold> Added,
    IReadOnlyList<WhatIfHousehold> Removed)
{
    /// <summary>|live ∩ proposed| / |live ∪ proposed|; 1 when both lists are empty.</summary>
    public double Jaccard
    {
        get
        {
            var union = Live.Count + Added.Count;
            return union == 0 ? 1 : (double)(Live.Count - Removed.Count) / union;
        }
    }
}

/// <summary>
/// Replays the model lane of the latest run from its stored scores (risk_score) under the live and a proposed policy.
/// The flatline lane is left out: it depends on the meter and phones, not on thresholds, and fires the same under both.
/// </summary>
internal sealed class WhatIf(RiskStore store)
{
    public async Task<WhatIfResult?> CompareAsync(ThresholdPolicy live, ThresholdPolicy proposed, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var date = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT MAX(run_date) FROM risk_score", cancellationToken: cancellationToken));
        if (date is null)
        {
            return null;
        }

        var rows = (await connection.QueryAsync<(string Key, string? Dong, double Crisis, double Lonely)>(new CommandDefinition(
            """
            SELECT h.household_key, h.dong_code, s.crisis_score, s.lonely_death_score
            FROM risk_score s JOIN household h ON h.household_no = s.household_no
            WHERE s.run_date = @date
            """,
            new { date }, cancellationToken: cancellationToken)))
            .Where(r => r.Dong is not null)
            .Select(r => new WhatIfHousehold(r.Key, r.Dong!, r.Crisis, r.Lonely))
            .ToList();

        var liveList = Select(rows, live, out var liveAbove);
        var proposedList = Select(rows, proposed, out var proposedAbove);
        var liveKeys = liveList.Select(h => h.HouseholdKey).ToHashSet(StringComparer.Ordinal);
        var proposedKeys = proposedList.Select(h => h.HouseholdKey).ToHashSet(StringComparer.Ordinal);
        return new WhatIfResult(
            IsoDate.Parse(date), rows.Count, liveAbove, proposedAbove, liveList, proposedList,
            proposedList.Where(h => !liveKeys.Contains(h.HouseholdKey)).ToList(),
            liveList.Where(h => !proposedKeys.Contains(h.HouseholdKey)).ToList());
    }

    /// <summary>Above either of its dong's thresholds, ranked as the Flagger ranks, at most each dong's capacity a day.</summary>
    internal static IReadOnlyList<WhatIfHousehold> Select(IReadOnlyList<WhatIfHousehold> households, ThresholdPolicy policy, out int above)
    {
        var selected = new List<WhatIfHousehold>();
        above = 0;
        foreach (var dong in households.GroupBy(h => h.DongCode, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var here = policy.ForDong(dong.Key);
            var candidates = dong
                .Where(h => h.CrisisScore >= here.CrisisThreshold || h.LonelyDeathScore >= here.LonelyDeathThreshold)
                .ToList();
            above += candidates.Count;
            selected.AddRange(candidates
                .OrderByDescending(h => Math.Max(h.CrisisScore / here.CrisisThreshold, h.LonelyDeathScore / here.LonelyDeathThreshold))
                .ThenBy(h => h.HouseholdKey, StringComparer.Ordinal)
                .Take(policy.CapacityFor(dong.Key)));
        }

        return selected;
    }
}
