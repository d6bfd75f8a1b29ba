namespace RiskWatch.Scoring.Models;

/// <summary>One household as of one date: its feature vector (<see cref="Features.FeatureSchema"/> order) and its label.</summary>
public sealed record TrainingExample(string HouseholdKey, string DongCode, DateOnly AsOf, float[] Features, bool Label);

/// <summary>How a <see cref="RiskModel"/> is trained; FastTree's own defaults otherwise.</summary>
public sealed record TrainingOptions
{
    public int Seed { get; init; } = 1;

    public int Trees { get; init; } = 100;

    public int Leaves { get; init; } = 31;

    /// <summary>Fewer positive examples than this and training refuses (<see cref="InsufficientLabelsException"/>).</summary>
    public int MinimumPositives { get; init; } = 10;

    /// <summary>
    /// Leave out of the validation fit the rows whose label window (as-of + horizon) reaches into the test period. Their
    /// labels come from outcomes a model trained at the start of the test period could not have seen, and one household's
    /// event labels rows on both sides of the split, so without the purge the test metrics are somewhat optimistic. Off by
    /// default because it needs as-of dates spanning more than the test period plus the horizon (60/90 days): a year of
    /// history, not the 150–180 days of a small synthetic district. The saved model is fitted on every example either way.
    /// </summary>
    public bool PurgeOverlappingLabels { get; init; }
}
