using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Histories;

/// <summary>The histories of every registered household of a partition over one window of days.</summary>
internal sealed class DistrictHistory
{
    public required DateOnly Start { get; init; }
    public required DateOnly End { get; init; }
    public required IReadOnlyList<HouseholdRecord> Households { get; init; }
}

/// <summary>One household's history plus what the store knows about it beyond the features.</summary>
internal sealed record HouseholdRecord(
    long HouseholdNo,
    HouseholdHistory History,
    DateOnly FirstSeenOn,
    DateOnly? GoneOn,
    IReadOnlyList<TargetEvent> Targets)
{
    /// <summary>Registered by that date and not yet known to have left or died out (as the registry reported it by then).</summary>
    public bool ActiveOn(DateOnly date) => FirstSeenOn <= date && (GoneOn is null || GoneOn > date);
}
