namespace RiskWatch.Scoring.Features;

/// <summary>
/// The rule-based "no sign of life" signal that runs beside the models (the flatline lane): how long electricity has sat at
/// standby and how long the household's phones have made no outgoing contact, both as trailing runs ending at the as-of date.
/// </summary>
/// <param name="ElectricityFlatDays">Trailing run of days with <c>active_hours == 0</c>; 0 without a meter.</param>
/// <param name="TelecomSilentDays">Trailing run of days without outgoing calls, texts or more than background data; 0 without a line.</param>
/// <param name="HasMeter">The smart meter sent a reading within the 90 days up to the as-of date.</param>
/// <param name="HasPhone">At least one member of the household has a line in the telecom feed.</param>
/// <param name="CallsInWhileSilent">Incoming calls during the silent run: people trying to reach someone who does not call back.</param>
public readonly record struct FlatlineSignal(int ElectricityFlatDays, int TelecomSilentDays, bool HasMeter, bool HasPhone, int CallsInWhileSilent)
{
    /// <summary>A phone idling in a pocket or on a table still syncs this much a day; above it somebody used it.</summary>
    internal const float BackgroundDataMb = 5f;

    /// <summary>
    /// Meter gaps this long or shorter are bridged: a day or two of <c>missing</c> is a transmission fault, not a sign of life.
    /// A longer gap ends the run, because standby days before it say nothing reliable about now.
    /// </summary>
    internal const int BridgedMissingDays = 3;

    /// <summary>How far back a reading still counts as "the household has a meter".</summary>
    internal const int MeterLookbackDays = 90;

    /// <summary>
    /// Computes the signal from data dated on or before <paramref name="asOf"/> only.
    /// </summary>
    /// <remarks>
    /// Electricity: walking back from the as-of date, a day with <c>active_hours == 0</c> (measured or estimated) extends the
    /// run, a day with <c>active_hours &gt; 0</c> ends it, and a missing day (-1) neither extends nor ends it, up to
    /// <see cref="BridgedMissingDays"/> missing days in a row. Telecom: a day is silent when it has no outgoing call, no text
    /// and at most <see cref="BackgroundDataMb"/> MB of data; a day without any row is silent too when the household has a
    /// line (a phone that is off or dead sends nothing). Days after the end of the arrays are not known yet and are skipped,
    /// so an as-of date beyond the loaded history measures the run up to the last loaded day.
    /// </remarks>
    public static FlatlineSignal Compute(HouseholdHistory history, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(history);
        var asOfIndex = asOf.DayNumber - history.Start.DayNumber;
        var last = Math.Min(asOfIndex, history.Days - 1);

        var hasMeter = HasReading(history.Kwh.Span, last, asOfIndex - MeterLookbackDays + 1);
        var flatDays = hasMeter ? StandbyRun(history.ActiveHours.Span, last) : 0;

        var hasPhone = history.TelecomLines > 0;
        var silentDays = 0;
        var callsIn = 0;
        if (hasPhone)
        {
            var telecom = new TelecomSeries(history);
            for (var day = Math.Min(last, telecom.Days - 1); day >= 0; day--)
            {
                if (!telecom.IsSilent(day))
                {
                    break;
                }

                silentDays++;
                callsIn += Math.Max(0, (int)telecom.CallsIn[day]);
            }
        }

        return new FlatlineSignal(flatDays, silentDays, hasMeter, hasPhone, callsIn);
    }

    private static bool HasReading(ReadOnlySpan<float> kwh, int last, int first)
    {
        for (var day = Math.Min(last, kwh.Length - 1); day >= Math.Max(0, first); day--)
        {
            if (!float.IsNaN(kwh[day]))
            {
                return true;
            }
        }

        return false;
    }

    private static int StandbyRun(ReadOnlySpan<sbyte> activeHours, int last)
    {
        var run = 0;
        var missingInRow = 0;
        for (var day = Math.Min(last, activeHours.Length - 1); day >= 0; day--)
        {
            var hours = activeHours[day];
            if (hours < 0)
            {
                if (++missingInRow > BridgedMissingDays)
                {
                    break;
                }

                continue;
            }

            if (hours > 0)
            {
                break;
            }

            missingInRow = 0;
            run++;
        }

        return run;
    }
}
