namespace RiskWatch.Scoring.Features;

/// <summary>
/// Everything known about one household, as daily series and event lists, for building features as of a date.
/// Daily series start at <see cref="Start"/> and are indexed by day; a feature for an as-of date D reads only
/// indexes up to D and events dated on or before D, so the same history can serve every as-of date.
/// </summary>
/// <remarks>
/// A series is memory, not an array of its own: the nightly reader keeps a chunk's households side by side in a few large
/// arrays, since a million households' small arrays were objects every full collection of the night had to visit.
/// </remarks>
public sealed class HouseholdHistory
{
    public required string HouseholdKey { get; init; }
    public required string DongCode { get; init; }
    public required HouseholdProfile Profile { get; init; }

    /// <summary>Day 0 of every daily series.</summary>
    public required DateOnly Start { get; init; }

    /// <summary>Daily kWh; NaN where the meter sent <c>missing</c> or no row at all.</summary>
    public required ReadOnlyMemory<float> Kwh { get; init; }

    /// <summary>Hours above the standby baseline; -1 where unknown.</summary>
    public required ReadOnlyMemory<sbyte> ActiveHours { get; init; }

    /// <summary>Daily litres; NaN where unknown (most households have no smart water meter).</summary>
    public required ReadOnlyMemory<float> WaterLiters { get; init; }

    /// <summary>Telecom activity summed over the household's subscribers; -1 where no subscriber sent a row that day.</summary>
    public required ReadOnlyMemory<short> CallsOut { get; init; }
    public required ReadOnlyMemory<short> CallsIn { get; init; }
    public required ReadOnlyMemory<short> SmsOut { get; init; }

    /// <summary>Mobile data summed over subscribers; NaN where no row.</summary>
    public required ReadOnlyMemory<float> DataMb { get; init; }

    /// <summary>Number of the household's members with a telecom line in the feed.</summary>
    public required int TelecomLines { get; init; }

    public required IReadOnlyList<ArrearsObservation> Arrears { get; init; }
    public required IReadOnlyList<WelfareObservation> Welfare { get; init; }
    public required IReadOnlyList<DateOnly> Reports { get; init; }

    public int Days => Kwh.Length;
}

/// <summary>Registry facts about the household; <see cref="HeadBirthDate"/> lets age be taken as of any date.</summary>
public sealed record HouseholdProfile(
    int HouseholdSize,
    DateOnly HeadBirthDate,
    Sex HeadSex,
    HousingType Housing,
    DateOnly FirstSeenOn,
    int MembersAged65Plus);

public enum Sex { Male, Female }

public enum HousingType { Apartment, Rowhouse, Detached, Officetel, Gosiwon, Basement, Rooftop, Other }

public enum ArrearsSource { Electricity, Water, Gas, HealthInsurance, Telecom, Rent, ManagementFee, Pension }

public enum SupplyAction { None, Notice, Restricted, Cutoff, Restored }

/// <summary>One arrears report for one account of a household member (SPEC arrears feed).</summary>
public readonly record struct ArrearsObservation(
    ArrearsSource Source,
    DateOnly ReportedOn,
    int MonthsOverdue,
    long AmountKrw,
    SupplyAction Action);

public enum WelfareEventKind
{
    BasicLivelihoodStart, BasicLivelihoodEnd, NearPoverty, EmergencyAid,
    DisabilityRegistered, JobLoss, LongTermCare, MedicalOverspend,
}

public readonly record struct WelfareObservation(WelfareEventKind Event, DateOnly On);
