using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Policy;

/// <summary>
/// The urgent lane: a watched household whose electricity sits at standby and whose phones make no outgoing activity for
/// several days. Incoming calls do not count — a dead person's phone still rings — and a trip or a hospital stay keeps the
/// phone busy, which is what separates them from a death.
/// </summary>
internal static class FlatlineLane
{
    public static bool IsWatched(ScoredHousehold household, ThresholdPolicy policy) =>
        household.Household.History.Profile.HouseholdSize == 1 || household.LonelyDeathScore >= policy.WatchThreshold;

    public static bool Fires(FlatlineSignal signal, ThresholdPolicy policy)
    {
        var days = policy.FlatlineDays;
        var electricityFlat = signal.HasMeter && signal.ElectricityFlatDays >= days;
        var phoneSilent = signal.HasPhone && signal.TelecomSilentDays >= days;
        return (electricityFlat && (phoneSilent || !signal.HasPhone))
            || (!signal.HasMeter && phoneSilent);
    }
}
