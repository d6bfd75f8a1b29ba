namespace RiskWatch.Scoring.Models;

/// <summary>The label of a household as of a date (SPEC "Targets"): did the target event happen within the horizon after it.</summary>
public static class TargetLabeler
{
    /// <summary>True when an event of the target's kind is dated in (asOf, asOf + horizon]: strictly after the as-of date, up to and including the last day.</summary>
    public static bool Label(ModelTarget target, IReadOnlyList<TargetEvent> events, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(events);
        var kind = EventKind(target);
        var first = asOf.DayNumber + 1;
        var last = asOf.DayNumber + HorizonDays(target);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Kind == kind && e.On.DayNumber >= first && e.On.DayNumber <= last)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>60 days for <see cref="ModelTarget.Crisis"/>, 90 for <see cref="ModelTarget.LonelyDeath"/>.</summary>
    public static int HorizonDays(ModelTarget target) => target switch
    {
        ModelTarget.Crisis => 60,
        ModelTarget.LonelyDeath => 90,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown model target."),
    };

    private static TargetEventKind EventKind(ModelTarget target) => target switch
    {
        ModelTarget.Crisis => TargetEventKind.CrisisConfirmed,
        ModelTarget.LonelyDeath => TargetEventKind.LonelyDeath,
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown model target."),
    };
}
