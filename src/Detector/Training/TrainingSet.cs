using RiskWatch.Detector.Histories;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Training;

/// <summary>
/// Turns a district's history into (household, as-of date) examples. As-of dates step back weekly from the last date
/// whose label window is complete, so no label is guessed from a future we have not seen yet.
/// </summary>
internal static class TrainingSet
{
    /// <summary>Days of history a household needs before its features mean anything (the recent weeks vs a baseline).</summary>
    public const int WarmupDays = 35;

    public const int StepDays = 7;

    public static IReadOnlyList<DateOnly> AsOfDates(DateOnly historyStart, DateOnly labelsKnownThrough, ModelTarget target)
    {
        var last = labelsKnownThrough.AddDays(-TargetLabeler.HorizonDays(target));
        var first = historyStart.AddDays(WarmupDays);
        var dates = new List<DateOnly>();
        for (var d = last; d >= first; d = d.AddDays(-StepDays))
        {
            dates.Add(d);
        }

        dates.Reverse();
        return dates;
    }

    public static IReadOnlyList<TrainingExample> Build(
        DistrictHistory district, ModelTarget target, IReadOnlyList<DateOnly> asOfDates, CancellationToken cancellationToken)
    {
        var households = district.Households;
        var slots = new TrainingExample?[asOfDates.Count * households.Count];
        Parallel.For(
            0,
            slots.Length,
            new ParallelOptions { CancellationToken = cancellationToken },
            i =>
            {
                var asOf = asOfDates[i / households.Count];
                var household = households[i % households.Count];
                if (!household.ActiveOn(asOf))
                {
                    return;
                }

                var features = new float[FeatureSchema.Count];
                FeatureBuilder.Build(household.History, asOf, features);
                slots[i] = new TrainingExample(
                    household.History.HouseholdKey,
                    household.History.DongCode,
                    asOf,
                    features,
                    TargetLabeler.Label(target, household.Targets, asOf));
            });

        var examples = new List<TrainingExample>(slots.Length);
        foreach (var slot in slots)
        {
            if (slot is not null)
            {
                examples.Add(slot);
            }
        }

        return examples;
    }
}
