namespace RiskWatch.Ingest.Synthetic;

internal enum Housing : byte { Apartment, Rowhouse, Detached, Officetel, Gosiwon, Basement, Rooftop, Other }

internal enum CrisisKind : byte { None, JobLoss, Illness, Debt }

/// <summary>Where the household is on a day; what the meters and phones show follows from it.</summary>
internal enum DayState : byte
{
    Home,
    Trip,
    Hospital,
    /// <summary>The first or last days of a serious hospital stay (ICU, surgery): the phone lies silent too.</summary>
    CriticalCare,
    /// <summary>The day of a lone resident's death: alive for part of it.</summary>
    DeathDay,
    /// <summary>A lone resident lies dead (or died in hospital): nobody lives there.</summary>
    Dead,
    /// <summary>Moved out without telling the registry: the flat stands empty.</summary>
    MovedAway,
}

internal enum ArrearsSource : byte { Electricity, Water, Gas, HealthInsurance, Telecom, Rent, ManagementFee, Pension }

internal static class SimText
{
    public static string Housing(Housing housing) => housing switch
    {
        Synthetic.Housing.Apartment => "apartment",
        Synthetic.Housing.Rowhouse => "rowhouse",
        Synthetic.Housing.Detached => "detached",
        Synthetic.Housing.Officetel => "officetel",
        Synthetic.Housing.Gosiwon => "gosiwon",
        Synthetic.Housing.Basement => "basement",
        Synthetic.Housing.Rooftop => "rooftop",
        _ => "other",
    };

    public static string Source(ArrearsSource source) => source switch
    {
        ArrearsSource.Electricity => "electricity",
        ArrearsSource.Water => "water",
        ArrearsSource.Gas => "gas",
        ArrearsSource.HealthInsurance => "health_insurance",
        ArrearsSource.Telecom => "telecom",
        ArrearsSource.Rent => "rent",
        ArrearsSource.ManagementFee => "management_fee",
        _ => "pension",
    };
}

/// <summary>One registered person. Day fields are window day indexes; int.MaxValue means "never".</summary>
internal sealed class SimPerson
{
    public required DateOnly BirthDate { get; init; }
    public required char Sex { get; init; }
    public required string Name { get; init; }
    public bool IsHead { get; init; }
    public string Rrn { get; set; } = "";

    /// <summary>The number in the registry; empty when the person has no phone or did not give it.</summary>
    public string Phone { get; set; } = "";

    public bool PhoneListed { get; init; }
    public bool HasLine { get; init; }
    public bool FeaturePhone { get; init; }
    public double CallsOutRate { get; init; }
    public double CallsInRate { get; init; }
    public double SmsRate { get; init; }
    public double DataMedianMb { get; init; }

    /// <summary>Weekday calls are fewer at weekends for people who work.</summary>
    public bool Works { get; init; }

    public int DeathDay { get; set; } = int.MaxValue;

    /// <summary>First day without a telecom row (line closed after a reported death or move).</summary>
    public int TelecomEndDay { get; set; } = int.MaxValue;

    /// <summary>Day a registered move-out took effect (status_date) and the day the registry reported it.</summary>
    public int MovedOutDay { get; set; } = int.MaxValue;

    public int AgeOn(DateOnly day)
    {
        var age = day.Year - BirthDate.Year;
        return day < BirthDate.AddYears(age) ? age - 1 : age;
    }
}

/// <summary>An unpaid stretch of one account: months are absolute; <c>EndMonth</c> is the month it is paid (exclusive).</summary>
internal sealed class ArrearsEpisode
{
    public required ArrearsSource Source { get; init; }
    public required int StartMonth { get; init; }
    public required int NaturalEndMonth { get; init; }
    public required int MonthlyBill { get; init; }

    /// <summary>True when the crisis caused it, so support that ends the crisis also ends it.</summary>
    public bool FromCrisis { get; init; }

    public int EndMonth { get; set; }

    public int MonthsOverdue(int month) => month >= StartMonth && month < EndMonth ? month - StartMonth + 1 : 0;
}

internal readonly record struct DayRange(int Start, int End)
{
    public bool Contains(int day) => day >= Start && day <= End;

    public bool Overlaps(int start, int end) => start <= End && end >= Start;
}

internal readonly record struct WelfareRow(int PersonIndex, string Event, DateOnly EventDate, int FileDay);

internal readonly record struct ReportRow(int Day, int Minute, string Channel, string Note);

internal readonly record struct VisitRow(int Day, string Outcome, int DiscoveredAfterDays);

/// <summary>A residents change: the person's row as of <c>Day</c> (status, size and relation after the change).</summary>
internal readonly record struct RegistryChange(int Day, int PersonIndex, string Status, DateOnly? StatusDate, int HouseholdSize, bool IsHead);

/// <summary>Everything the simulation knows about one household; built in phases, then read by the writers.</summary>
internal sealed class SimHousehold
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required int DongIndex { get; init; }
    public required string DongCode { get; init; }
    public required string Address { get; init; }
    public required Housing Housing { get; init; }
    public required SimPerson[] Members { get; init; }
    public bool LivesAlone => Members.Length == 1;
    public SimPerson Head => Members[0];

    public bool BasicLivelihood { get; init; }
    public bool NearPoverty { get; init; }
    public bool PublicRental { get; init; }
    public bool HasSmartMeter { get; set; }
    public bool HasWaterMeter { get; init; }

    // Electricity: a lived-in day is standby + an active part that follows the season and the household's routine.
    public double MeanKwh { get; init; }
    public double StandbyKwh { get; init; }
    public double BaseActiveHours { get; init; }
    public bool HasWorker { get; init; }
    public double MeanLiters { get; init; }

    // Latent crisis.
    public CrisisKind Crisis { get; set; }
    public int CrisisOnsetDay { get; set; } = int.MaxValue;
    public int CrisisNaturalEndDay { get; set; } = int.MaxValue;
    public int CrisisEndDay { get; set; } = int.MaxValue;
    public double CrisisTelecomDepth { get; set; }
    public double CrisisKwhFactor { get; set; } = 1.0;
    public double CrisisHoursShift { get; set; }
    public bool CrisisShowsArrears { get; set; }
    public bool CrisisReported { get; set; }

    public List<ArrearsEpisode> Arrears { get; } = [];
    public List<DayRange> Trips { get; } = [];
    public List<DayRange> HospitalStays { get; } = [];

    /// <summary>Days within hospital stays when the patient cannot use the phone: the flatline lane's honest false alarms.</summary>
    public List<DayRange> CriticalCare { get; } = [];
    public int UnregisteredMoveDay { get; set; } = int.MaxValue;

    /// <summary>Relative lonely-death hazard of a lone resident (before the crisis factor); 0 for others.</summary>
    public double LonelyDeathWeight { get; set; }

    // The first death of a member, if any.
    public int DeathDay { get; set; } = int.MaxValue;
    public int DeadMember { get; set; } = -1;
    public bool DiedAlone { get; set; }
    public int NaturalDiscoveryDay { get; set; } = int.MaxValue;
    public int DiscoveryDay { get; set; } = int.MaxValue;
    public double DeathDayAliveFraction { get; set; } = 0.5;

    /// <summary>Per window day: telecom lines suspended for unpaid bills (outgoing calls and SMS blocked).</summary>
    public bool[]? TelecomBlocked { get; set; }

    public DayState[] States { get; set; } = [];

    public List<WelfareRow> Welfare { get; } = [];
    public List<ReportRow> Reports { get; } = [];
    public List<VisitRow> Visits { get; } = [];
    public List<RegistryChange> RegistryChanges { get; } = [];

    public bool InCrisisOn(int day) => day >= CrisisOnsetDay && day < CrisisEndDay;
}
