namespace RiskWatch.Detector.Policy;

/// <summary>Applies a <see cref="ThresholdPolicy"/> to the night's scores: who enters a lane, at which grade, in what order.</summary>
internal static class Flagger
{
    public static IReadOnlyList<Flag> Select(IReadOnlyList<ScoredHousehold> households, ThresholdPolicy district)
    {
        var flags = new List<Flag>();
        var dongs = new DongPolicies(district);
        foreach (var household in households)
        {
            var policy = dongs.For(household.Household.History.DongCode);
            var lane = LaneOf(household, policy);
            if (lane == Lane.None)
            {
                continue;
            }

            var priority = lane.HasFlag(Lane.Flatline) ? Priority.Urgent
                : household.CrisisScore >= policy.CrisisHigh || household.LonelyDeathScore >= policy.LonelyDeathHigh ? Priority.High
                : Priority.Normal;

            // Scores of the two models are put on one scale by their own thresholds, so neither model crowds out the other.
            var rank = Math.Max(household.CrisisScore / policy.CrisisThreshold, household.LonelyDeathScore / policy.LonelyDeathThreshold);
            flags.Add(new Flag(household, priority, lane, rank));
        }

        flags.Sort(Compare);
        return flags;
    }

    /// <summary>
    /// The lanes a household enters under its dong's policy (<see cref="ThresholdPolicy.ForDong"/>); <see cref="Lane.None"/>:
    /// it is not flagged tonight.
    /// </summary>
    public static Lane LaneOf(ScoredHousehold household, ThresholdPolicy dongPolicy)
    {
        var lane = Lane.None;
        if (household.CrisisScore >= dongPolicy.CrisisThreshold || household.LonelyDeathScore >= dongPolicy.LonelyDeathThreshold)
        {
            lane |= Lane.Model;
        }

        if (FlatlineLane.IsWatched(household, dongPolicy) && FlatlineLane.Fires(household.Signal, dongPolicy))
        {
            lane |= Lane.Flatline;
        }

        return lane;
    }

    /// <summary>Urgent first, then high, then normal; within a grade the higher rank; ties by household key, never by chance.</summary>
    public static int Compare(Flag a, Flag b)
    {
        var byPriority = a.Priority.CompareTo(b.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byRank = b.Rank.CompareTo(a.Rank);
        return byRank != 0
            ? byRank
            : string.CompareOrdinal(a.Scored.Household.History.HouseholdKey, b.Scored.Household.History.HouseholdKey);
    }
}

/// <summary>Each dong's policy (<see cref="ThresholdPolicy.ForDong"/>), made once per dong for a night's households.</summary>
internal sealed class DongPolicies(ThresholdPolicy district)
{
    private readonly Dictionary<string, ThresholdPolicy> _byDong = new(StringComparer.Ordinal);

    public ThresholdPolicy For(string dongCode) =>
        _byDong.TryGetValue(dongCode, out var policy) ? policy : _byDong[dongCode] = district.ForDong(dongCode);
}
