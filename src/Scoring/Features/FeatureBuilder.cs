using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RiskWatch.Scoring.Features;

/// <summary>Turns a <see cref="HouseholdHistory"/> into the feature vector of <see cref="FeatureSchema"/> as of a date.</summary>
/// <remarks>
/// Runs for every household and as-of date in training and for a million households in the nightly pass, so it allocates
/// nothing: no LINQ, no enumerators (lists are walked by index), per-source state on the stack.
/// </remarks>
public static class FeatureBuilder
{
    /// <summary>The value of a ratio or count that cannot be computed (no meter, no line, too few valid days).</summary>
    /// <remarks>A fixed number rather than NaN: trees split on it like any value, and reasons and JSON never meet a NaN.</remarks>
    public const float Unknown = -1f;

    /// <summary>Ratios are capped here: a jump from almost nothing says "more", not "infinitely more".</summary>
    internal const float MaxRatio = 10f;

    /// <summary>Fewer valid baseline days than this and "usual" is not known.</summary>
    internal const int MinBaselineDays = 7;

    private const int BaselineDays = 60;

    // Floors added to both means of a ratio: they keep a zero baseline finite and make tiny absolute changes
    // (0.1 → 0.05 kWh) read as the small changes they are. Roughly a tenth of a typical day for each series.
    private const double KwhFloor = 0.5;
    private const double ActiveHoursFloor = 0.5;
    private const double WaterFloor = 10.0;
    private const double CallsFloor = 0.3;
    private const double SmsFloor = 0.3;
    private const double DataFloor = 20.0;

    private const int ArrearsTrendDays = 60;

    private static readonly int ArrearsSourceCount = Enum.GetValues<ArrearsSource>().Length;

    /// <summary>
    /// Writes <see cref="FeatureSchema.Count"/> floats for the household as of <paramref name="asOf"/> into
    /// <paramref name="destination"/>, reading only series indexes up to <c>asOf - Start</c> and events dated on or before
    /// <paramref name="asOf"/>. Short histories are fine: what cannot be computed is <see cref="Unknown"/>.
    /// </summary>
    public static void Build(HouseholdHistory history, DateOnly asOf, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (destination.Length < FeatureSchema.Count)
        {
            throw new ArgumentException(
                $"The destination holds {destination.Length} floats; the feature vector needs {FeatureSchema.Count}.",
                nameof(destination));
        }

        var features = destination[..FeatureSchema.Count];
        var asOfIndex = asOf.DayNumber - history.Start.DayNumber;

        WriteProfile(history.Profile, asOf, features);
        var signal = FlatlineSignal.Compute(history, asOf);
        WriteElectricity(history, asOfIndex, signal, features);
        WriteWater(history, asOfIndex, features);
        WriteTelecom(history, asOfIndex, signal, features);
        WriteArrears(history.Arrears, asOf.DayNumber, features);
        WriteWelfare(history.Welfare, asOf.DayNumber, features);
        WriteReports(history.Reports, asOf.DayNumber, features);
    }

    private static void WriteProfile(HouseholdProfile profile, DateOnly asOf, Span<float> f)
    {
        Set(f, Feature.household_size, profile.HouseholdSize);
        Set(f, Feature.lives_alone, profile.HouseholdSize == 1);
        Set(f, Feature.head_age, AgeOn(profile.HeadBirthDate, asOf));
        Set(f, Feature.head_male, profile.HeadSex == Sex.Male);
        Set(f, Feature.members_65plus, profile.MembersAged65Plus);
        Set(f, Feature.housing_gosiwon, profile.Housing == HousingType.Gosiwon);
        Set(f, Feature.housing_basement, profile.Housing == HousingType.Basement);
        Set(f, Feature.housing_rooftop, profile.Housing == HousingType.Rooftop);
        Set(f, Feature.months_at_address, WholeMonthsBetween(profile.FirstSeenOn, asOf));
    }

    private static void WriteElectricity(HouseholdHistory h, int a, FlatlineSignal signal, Span<float> f)
    {
        Set(f, Feature.has_meter, signal.HasMeter);
        if (!signal.HasMeter)
        {
            SetUnknown(f, Feature.kwh_ratio_7_60, Feature.elec_missing_days_14);
            return;
        }

        var kwh = h.Kwh.Span;
        var activeHours = h.ActiveHours.Span;
        Set(f, Feature.kwh_ratio_7_60, ValidMeanRatio(kwh, a, 7, minRecentDays: 3, KwhFloor));
        Set(f, Feature.kwh_ratio_14_60, ValidMeanRatio(kwh, a, 14, minRecentDays: 5, KwhFloor));
        Set(f, Feature.elec_flat_days, signal.ElectricityFlatDays);

        var standby = 0;
        var missing = 0;
        for (var day = a - 13; day <= a; day++)
        {
            if ((uint)day < (uint)activeHours.Length && activeHours[day] == 0)
            {
                standby++;
            }

            // Days outside the loaded arrays are as unknown as a `missing` row.
            if ((uint)day >= (uint)kwh.Length || float.IsNaN(kwh[day]))
            {
                missing++;
            }
        }

        Set(f, Feature.standby_days_14, standby);
        Set(f, Feature.elec_missing_days_14, missing);

        Set(f, Feature.active_hours_ratio_7_60, ValidMeanRatio(activeHours, a, 7, minRecentDays: 3, ActiveHoursFloor));
    }

    private static void WriteWater(HouseholdHistory h, int a, Span<float> f)
    {
        var water = h.WaterLiters.Span;
        var (_, daysWithReading) = SumValid(water, a - FlatlineSignal.MeterLookbackDays + 1, a);
        var hasMeter = daysWithReading > 0;
        Set(f, Feature.has_water_meter, hasMeter);
        Set(f, Feature.water_ratio_7_60, hasMeter ? ValidMeanRatio(water, a, 7, minRecentDays: 3, WaterFloor) : Unknown);
    }

    private static void WriteTelecom(HouseholdHistory h, int a, FlatlineSignal signal, Span<float> f)
    {
        Set(f, Feature.has_phone, signal.HasPhone);
        if (!signal.HasPhone)
        {
            SetUnknown(f, Feature.calls_out_ratio_14_60, Feature.calls_in_unanswered_ratio_14);
            return;
        }

        // With a line, a day without a row is a day without activity (the same reading as FlatlineSignal's).
        var telecom = new TelecomSeries(h);
        Set(f, Feature.calls_out_ratio_14_60, ActivityRatio(telecom.CallsOut, a, CallsFloor));
        Set(f, Feature.sms_out_ratio_14_60, ActivityRatio(telecom.SmsOut, a, SmsFloor));
        Set(f, Feature.data_ratio_14_60, ActivityRatio(telecom.DataMb, a, DataFloor));
        Set(f, Feature.telecom_silent_days, signal.TelecomSilentDays);

        var silentDays = 0;
        var callsIn = 0;
        var callsInWhileSilent = 0;
        var top = Math.Min(a, telecom.Days - 1);
        for (var day = Math.Max(0, a - 13); day <= top; day++)
        {
            var incoming = Math.Max(0, (int)telecom.CallsIn[day]);
            callsIn += incoming;
            if (telecom.IsSilent(day))
            {
                silentDays++;
                callsInWhileSilent += incoming;
            }
        }

        Set(f, Feature.days_without_outgoing_14, silentDays);

        // Nobody calling leaves nothing unanswered: 0, not unknown.
        Set(f, Feature.calls_in_unanswered_ratio_14, callsIn == 0 ? 0f : (float)callsInWhileSilent / callsIn);
    }

    private static void WriteArrears(IReadOnlyList<ArrearsObservation> arrears, int asOfDay, Span<float> f)
    {
        var sources = ArrearsSourceCount;
        Span<int> latestDay = stackalloc int[sources];
        Span<int> latestMonths = stackalloc int[sources];
        Span<long> latestAmount = stackalloc long[sources];
        Span<bool> latestRestricted = stackalloc bool[sources];
        Span<int> pastDay = stackalloc int[sources];
        Span<int> pastMonths = stackalloc int[sources];
        latestDay.Fill(int.MinValue);
        latestMonths.Clear();
        latestAmount.Clear();
        latestRestricted.Clear();
        pastDay.Fill(int.MinValue);
        pastMonths.Clear();

        var pastCut = asOfDay - ArrearsTrendDays;
        for (var i = 0; i < arrears.Count; i++)
        {
            var o = arrears[i];
            var day = o.ReportedOn.DayNumber;
            var s = (int)o.Source;
            if (day > asOfDay || (uint)s >= (uint)sources)
            {
                continue;
            }

            // Reports come "when the status changes", so the latest one is the status now. Two reports on one day (two
            // members' accounts) keep the worse one, which also makes the result independent of list order.
            if (day > latestDay[s] || (day == latestDay[s] && o.MonthsOverdue > latestMonths[s]))
            {
                latestDay[s] = day;
                latestMonths[s] = Math.Max(0, o.MonthsOverdue);
                latestAmount[s] = Math.Max(0L, o.AmountKrw);
                latestRestricted[s] = o.Action is SupplyAction.Restricted or SupplyAction.Cutoff;
            }

            if (day <= pastCut && (day > pastDay[s] || (day == pastDay[s] && o.MonthsOverdue > pastMonths[s])))
            {
                pastDay[s] = day;
                pastMonths[s] = Math.Max(0, o.MonthsOverdue);
            }
        }

        var count = 0;
        var maxMonths = 0;
        var monthsNow = 0;
        var monthsBefore = 0;
        long total = 0;
        var restricted = false;
        for (var s = 0; s < sources; s++)
        {
            var months = latestMonths[s];
            f[(int)Feature.arrears_months_electricity + s] = months;
            if (months > 0)
            {
                count++;
                total += latestAmount[s];
            }

            maxMonths = Math.Max(maxMonths, months);
            monthsNow += months;
            monthsBefore += pastMonths[s];
            restricted |= latestRestricted[s];
        }

        Set(f, Feature.arrears_source_count, count);
        Set(f, Feature.arrears_total_krw_log, (float)Math.Log(1.0 + total));
        Set(f, Feature.arrears_max_months, maxMonths);
        Set(f, Feature.cutoff_or_restricted, restricted);
        Set(f, Feature.arrears_trend_60, monthsNow - monthsBefore);
    }

    private static void WriteWelfare(IReadOnlyList<WelfareObservation> welfare, int asOfDay, Span<float> f)
    {
        var lastStart = int.MinValue;
        var lastEnd = int.MinValue;
        bool nearPoverty = false, emergencyAid = false, disability = false, jobLoss = false, longTermCare = false, medical = false;
        for (var i = 0; i < welfare.Count; i++)
        {
            var e = welfare[i];
            var day = e.On.DayNumber;
            if (day > asOfDay)
            {
                continue;
            }

            var age = asOfDay - day;
            switch (e.Event)
            {
                case WelfareEventKind.BasicLivelihoodStart: lastStart = Math.Max(lastStart, day); break;
                case WelfareEventKind.BasicLivelihoodEnd: lastEnd = Math.Max(lastEnd, day); break;
                case WelfareEventKind.NearPoverty: nearPoverty = true; break;
                case WelfareEventKind.EmergencyAid: emergencyAid |= age < 365; break;
                case WelfareEventKind.DisabilityRegistered: disability = true; break;
                case WelfareEventKind.JobLoss: jobLoss |= age < 180; break;
                case WelfareEventKind.LongTermCare: longTermCare = true; break;
                case WelfareEventKind.MedicalOverspend: medical |= age < 365; break;
                default: break;
            }
        }

        // An end on the same day as a start is read as the start being undone.
        var receiving = lastStart != int.MinValue && lastStart > lastEnd;
        Set(f, Feature.basic_livelihood, receiving);
        Set(f, Feature.livelihood_ended_180d, !receiving && lastEnd != int.MinValue && asOfDay - lastEnd < 180);
        Set(f, Feature.job_loss_180d, jobLoss);
        Set(f, Feature.medical_overspend_365d, medical);
        Set(f, Feature.disability, disability);
        Set(f, Feature.long_term_care, longTermCare);
        Set(f, Feature.emergency_aid_365d, emergencyAid);
        Set(f, Feature.near_poverty, nearPoverty);
    }

    private static void WriteReports(IReadOnlyList<DateOnly> reports, int asOfDay, Span<float> f)
    {
        var last30 = 0;
        var last90 = 0;
        for (var i = 0; i < reports.Count; i++)
        {
            var age = asOfDay - reports[i].DayNumber;
            if (age is >= 0 and < 90)
            {
                last90++;
                if (age < 30)
                {
                    last30++;
                }
            }
        }

        Set(f, Feature.reports_30d, last30);
        Set(f, Feature.reports_90d, last90);
    }

    /// <summary>Mean of the valid days of the last <paramref name="recentDays"/> over the mean of the valid days of the 60 before them.</summary>
    private static float ValidMeanRatio<T>(ReadOnlySpan<T> series, int a, int recentDays, int minRecentDays, double floor)
        where T : INumber<T>
    {
        var (recent, recentCount) = SumValid(series, a - recentDays + 1, a);
        var (baseline, baselineCount) = SumValid(series, a - recentDays - BaselineDays + 1, a - recentDays);
        return recentCount >= minRecentDays && baselineCount >= MinBaselineDays
            ? Ratio(recent / recentCount, baseline / baselineCount, floor)
            : Unknown;
    }

    /// <summary>Last 14 days over the 60 before, where every loaded day counts and a day without a row (-1, NaN) is 0.</summary>
    private static float ActivityRatio<T>(ReadOnlySpan<T> series, int a, double floor)
        where T : INumber<T>
    {
        var (recent, recentCount) = SumActivity(series, a - 13, a);
        var (baseline, baselineCount) = SumActivity(series, a - 13 - BaselineDays, a - 14);
        return recentCount >= 5 && baselineCount >= MinBaselineDays
            ? Ratio(recent / recentCount, baseline / baselineCount, floor)
            : Unknown;
    }

    private static float Ratio(double recentMean, double baselineMean, double floor) =>
        (float)Math.Min(MaxRatio, (recentMean + floor) / (baselineMean + floor));

    /// <summary>Sum and count of the valid values in [from, to], clipped to the array; NaN and -1 (unknown) fail <c>&gt;= 0</c>.</summary>
    private static (double Sum, int Count) SumValid<T>(ReadOnlySpan<T> series, int from, int to)
        where T : INumber<T>
    {
        double sum = 0;
        var count = 0;
        for (int day = Math.Max(0, from), last = Math.Min(to, series.Length - 1); day <= last; day++)
        {
            var value = series[day];
            if (value >= T.Zero)
            {
                sum += double.CreateTruncating(value);
                count++;
            }
        }

        return (sum, count);
    }

    /// <summary>Sum of the positive values in [from, to] and the number of days of it the array covers.</summary>
    private static (double Sum, int Count) SumActivity<T>(ReadOnlySpan<T> series, int from, int to)
        where T : INumber<T>
    {
        int first = Math.Max(0, from), last = Math.Min(to, series.Length - 1);
        if (typeof(T) == typeof(short) && last >= first)
        {
            // Counts: their sum is exact in any order, so it is taken a vector at a time (the same double as the loop).
            var counts = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, short>(ref MemoryMarshal.GetReference(series)), series.Length);
            return (SumPositive(counts[first..(last + 1)]), last - first + 1);
        }

        double sum = 0;
        for (var day = first; day <= last; day++)
        {
            var value = series[day];
            if (value > T.Zero)
            {
                sum += double.CreateTruncating(value);
            }
        }

        return (sum, Math.Max(0, last - first + 1));
    }

    /// <summary>The sum of the positive values (absent days are -1), as the scalar loop adds them: every partial sum is a whole number.</summary>
    private static double SumPositive(ReadOnlySpan<short> values)
    {
        var total = 0L;
        var day = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<short>.Count)
        {
            var sums = Vector<int>.Zero;
            for (; day <= values.Length - Vector<short>.Count; day += Vector<short>.Count)
            {
                Vector.Widen(Vector.Max(new Vector<short>(values[day..]), Vector<short>.Zero), out var low, out var high);
                sums += low + high;
            }

            total = Vector.Sum(sums);
        }

        for (; day < values.Length; day++)
        {
            total += Math.Max((short)0, values[day]);
        }

        return total;
    }

    /// <summary>Full years on <paramref name="on"/> (a 29 February birthday falls on 1 March in other years).</summary>
    internal static int AgeOn(DateOnly birth, DateOnly on)
    {
        var age = on.Year - birth.Year;
        if (on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day))
        {
            age--;
        }

        return Math.Max(0, age);
    }

    private static int WholeMonthsBetween(DateOnly from, DateOnly to)
    {
        if (from > to)
        {
            return 0;
        }

        var months = ((to.Year - from.Year) * 12) + to.Month - from.Month;
        return to.Day < from.Day ? months - 1 : months;
    }

    private static void Set(Span<float> f, Feature feature, float value) => f[(int)feature] = value;

    private static void Set(Span<float> f, Feature feature, bool value) => f[(int)feature] = value ? 1f : 0f;

    /// <summary>Every feature from <paramref name="first"/> to <paramref name="last"/> in schema order.</summary>
    private static void SetUnknown(Span<float> f, Feature first, Feature last) => f[(int)first..((int)last + 1)].Fill(Unknown);
}
