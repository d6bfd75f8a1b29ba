using RiskWatch.Detector.Histories;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Policy;

/// <summary>관심 · 주의 · 심각 as officers know them from the electricity check-in service.</summary>
public enum Priority { Urgent, High, Normal }

[Flags]
public enum Lane { None = 0, Model = 1, Flatline = 2 }

/// <summary>One household's scores and usage signal on the run date.</summary>
internal sealed record ScoredHousehold(
    HouseholdRecord Household, int Row, float CrisisScore, float LonelyDeathScore, FlatlineSignal Signal);

/// <summary>A household the policy puts forward for its dong's queue.</summary>
internal sealed record Flag(ScoredHousehold Scored, Priority Priority, Lane Lane, double Rank)
{
    public string DongCode => Scored.Household.History.DongCode;
}

internal static class LaneText
{
    public static string Of(Lane lane) => lane switch
    {
        Lane.Model => "model",
        Lane.Flatline => "flatline",
        Lane.Model | Lane.Flatline => "model+flatline",
        _ => throw new ArgumentOutOfRangeException(nameof(lane), lane, "A case is in at least one lane."),
    };

    public static string Of(Priority priority) => priority switch
    {
        Priority.Urgent => "urgent",
        Priority.High => "high",
        Priority.Normal => "normal",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, null),
    };
}
