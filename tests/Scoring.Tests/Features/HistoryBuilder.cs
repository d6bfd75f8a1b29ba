using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Tests.Features;

/// <summary>Builds <see cref="HouseholdHistory"/> values for tests: an ordinary life, then edits by day range.</summary>
public sealed class HistoryBuilder
{
    public static readonly DateOnly Start = new(2026, 1, 1);

    private readonly List<ArrearsObservation> _arrears = [];
    private readonly List<WelfareObservation> _welfare = [];
    private readonly List<DateOnly> _reports = [];

    private HistoryBuilder(int days)
    {
        Kwh = new float[days];
        ActiveHours = new sbyte[days];
        WaterLiters = new float[days];
        CallsOut = new short[days];
        CallsIn = new short[days];
        SmsOut = new short[days];
        DataMb = new float[days];
    }

    public float[] Kwh { get; }

    public sbyte[] ActiveHours { get; }

    public float[] WaterLiters { get; }

    public short[] CallsOut { get; }

    public short[] CallsIn { get; }

    public short[] SmsOut { get; }

    public float[] DataMb { get; }

    public int TelecomLines { get; set; } = 1;

    public HouseholdProfile Profile { get; set; } =
        new(1, new DateOnly(1948, 3, 2), Sex.Male, HousingType.Basement, new DateOnly(2020, 5, 1), 1);

    /// <summary>Every day: 6 kWh over 10 active hours, 150 litres, 3 calls out, 2 in, 2 texts, 300 MB.</summary>
    public static HistoryBuilder Active(int days)
    {
        var b = new HistoryBuilder(days);
        Array.Fill(b.Kwh, 6f);
        Array.Fill(b.ActiveHours, (sbyte)10);
        Array.Fill(b.WaterLiters, 150f);
        Array.Fill(b.CallsOut, (short)3);
        Array.Fill(b.CallsIn, (short)2);
        Array.Fill(b.SmsOut, (short)2);
        Array.Fill(b.DataMb, 300f);
        return b;
    }

    public static int Day(DateOnly date) => date.DayNumber - Start.DayNumber;

    /// <summary>Days [from, to] at standby: a fridge's 1.2 kWh and no active hour.</summary>
    public HistoryBuilder Standby(int from, int to)
    {
        for (var day = from; day <= to; day++)
        {
            Kwh[day] = 1.2f;
            ActiveHours[day] = 0;
        }

        return this;
    }

    /// <summary>Days [from, to] with the meter's `missing` quality.</summary>
    public HistoryBuilder MeterMissing(int from, int to)
    {
        for (var day = from; day <= to; day++)
        {
            Kwh[day] = float.NaN;
            ActiveHours[day] = -1;
        }

        return this;
    }

    /// <summary>Days [from, to] without outgoing contact: nobody calls out or texts, the phone syncs in the background.</summary>
    public HistoryBuilder Silent(int from, int to, short callsIn = 0, float backgroundMb = 2f)
    {
        for (var day = from; day <= to; day++)
        {
            CallsOut[day] = 0;
            SmsOut[day] = 0;
            CallsIn[day] = callsIn;
            DataMb[day] = backgroundMb;
        }

        return this;
    }

    /// <summary>Days [from, to] without any telecom row.</summary>
    public HistoryBuilder NoTelecomRows(int from, int to)
    {
        for (var day = from; day <= to; day++)
        {
            CallsOut[day] = -1;
            CallsIn[day] = -1;
            SmsOut[day] = -1;
            DataMb[day] = float.NaN;
        }

        return this;
    }

    public HistoryBuilder Arrears(ArrearsSource source, DateOnly reportedOn, int monthsOverdue, long amountKrw, SupplyAction action = SupplyAction.None)
    {
        _arrears.Add(new ArrearsObservation(source, reportedOn, monthsOverdue, amountKrw, action));
        return this;
    }

    public HistoryBuilder Welfare(WelfareEventKind kind, DateOnly on)
    {
        _welfare.Add(new WelfareObservation(kind, on));
        return this;
    }

    public HistoryBuilder Report(DateOnly on)
    {
        _reports.Add(on);
        return this;
    }

    public HouseholdHistory Build() => new()
    {
        HouseholdKey = "hh-test",
        DongCode = "2826051000",
        Profile = Profile,
        Start = Start,
        Kwh = (float[])Kwh.Clone(),
        ActiveHours = (sbyte[])ActiveHours.Clone(),
        WaterLiters = (float[])WaterLiters.Clone(),
        CallsOut = (short[])CallsOut.Clone(),
        CallsIn = (short[])CallsIn.Clone(),
        SmsOut = (short[])SmsOut.Clone(),
        DataMb = (float[])DataMb.Clone(),
        TelecomLines = TelecomLines,
        Arrears = [.. _arrears],
        Welfare = [.. _welfare],
        Reports = [.. _reports],
    };

    /// <summary>A history of noise: every series value, gap and event drawn at random (for the leakage test).</summary>
    public static HouseholdHistory Random(Random random, int days)
    {
        var b = new HistoryBuilder(days)
        {
            TelecomLines = random.Next(0, 3),
            Profile = new HouseholdProfile(
                random.Next(1, 5), new DateOnly(1930 + random.Next(70), 1 + random.Next(12), 1 + random.Next(28)),
                random.Next(2) == 0 ? Sex.Male : Sex.Female, (HousingType)random.Next(8),
                Start.AddDays(random.Next(-400, days)), random.Next(0, 3)),
        };
        b.Randomize(random, 0, days - 1);
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            b.AddRandomEvents(random, Start.AddDays(-30), Start.AddDays(days + 30));
        }

        return b.Build();
    }

    /// <summary>Redraws every series value in [from, to].</summary>
    public HistoryBuilder Randomize(Random random, int from, int to)
    {
        for (var day = from; day <= to; day++)
        {
            var missing = random.Next(8) == 0;
            Kwh[day] = missing ? float.NaN : (float)(random.NextDouble() * 12);
            ActiveHours[day] = missing ? (sbyte)-1 : (sbyte)random.Next(0, 25);
            WaterLiters[day] = random.Next(3) == 0 ? float.NaN : (float)(random.NextDouble() * 400);
            var noRow = random.Next(6) == 0;
            CallsOut[day] = noRow ? (short)-1 : (short)random.Next(0, 6);
            CallsIn[day] = noRow ? (short)-1 : (short)random.Next(0, 6);
            SmsOut[day] = noRow ? (short)-1 : (short)random.Next(0, 4);
            DataMb[day] = noRow ? float.NaN : (float)(random.NextDouble() * 500);
        }

        return this;
    }

    /// <summary>One arrears report, one welfare event and one report, each dated at random in [from, to].</summary>
    public HistoryBuilder AddRandomEvents(Random random, DateOnly from, DateOnly to)
    {
        DateOnly Any() => DateOnly.FromDayNumber(random.Next(from.DayNumber, to.DayNumber + 1));
        Arrears((ArrearsSource)random.Next(8), Any(), random.Next(0, 8), random.Next(0, 2_000_000), (SupplyAction)random.Next(5));
        Welfare((WelfareEventKind)random.Next(8), Any());
        Report(Any());
        return this;
    }

    /// <summary>A builder holding a copy of <paramref name="history"/> and <paramref name="extraDays"/> more (zero) days, to change it.</summary>
    public static HistoryBuilder From(HouseholdHistory history, int extraDays = 0)
    {
        var b = new HistoryBuilder(history.Days + extraDays) { TelecomLines = history.TelecomLines, Profile = history.Profile };
        history.Kwh.Span.CopyTo(b.Kwh);
        history.ActiveHours.Span.CopyTo(b.ActiveHours);
        history.WaterLiters.Span.CopyTo(b.WaterLiters);
        history.CallsOut.Span.CopyTo(b.CallsOut);
        history.CallsIn.Span.CopyTo(b.CallsIn);
        history.SmsOut.Span.CopyTo(b.SmsOut);
        history.DataMb.Span.CopyTo(b.DataMb);
        b._arrears.AddRange(history.Arrears);
        b._welfare.AddRange(history.Welfare);
        b._reports.AddRange(history.Reports);
        return b;
    }
}
