using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Histories;

/// <summary>The usage arrays of one household's window (<see cref="HouseholdHistory"/>'s daily series).</summary>
internal sealed class UsageArrays
{
    public UsageArrays(int days)
    {
        Kwh = new float[days];
        ActiveHours = new sbyte[days];
        Water = new float[days];
        CallsOut = new short[days];
        CallsIn = new short[days];
        SmsOut = new short[days];
        DataMb = new float[days];
    }

    private UsageArrays(HouseholdHistory history)
    {
        Kwh = history.Kwh;
        ActiveHours = history.ActiveHours;
        Water = history.WaterLiters;
        CallsOut = history.CallsOut;
        CallsIn = history.CallsIn;
        SmsOut = history.SmsOut;
        DataMb = history.DataMb;
    }

    public float[] Kwh { get; }
    public sbyte[] ActiveHours { get; }
    public float[] Water { get; }
    public short[] CallsOut { get; }
    public short[] CallsIn { get; }
    public short[] SmsOut { get; }
    public float[] DataMb { get; }

    /// <summary>Every value absent (HouseholdHistory's markers: NaN, -1).</summary>
    public void Clear()
    {
        Array.Fill(Kwh, float.NaN);
        Array.Fill(ActiveHours, (sbyte)-1);
        Array.Fill(Water, float.NaN);
        Array.Fill(CallsOut, (short)-1);
        Array.Fill(CallsIn, (short)-1);
        Array.Fill(SmsOut, (short)-1);
        Array.Fill(DataMb, float.NaN);
    }

    /// <summary>
    /// One telecom line's row of a day, summed into the household's day (the first line of a day turns its absent
    /// markers into zeros). Counts saturate at <see cref="short.MaxValue"/>; data is summed in the order lines are added.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddTelecomDay(int day, int callsOut, int callsIn, int smsOut, float dataMb)
    {
        if (CallsOut[day] < 0)
        {
            CallsOut[day] = 0;
            CallsIn[day] = 0;
            SmsOut[day] = 0;
            DataMb[day] = 0;
        }

        CallsOut[day] = Saturate(CallsOut[day] + callsOut);
        CallsIn[day] = Saturate(CallsIn[day] + callsIn);
        SmsOut[day] = Saturate(SmsOut[day] + smsOut);
        DataMb[day] += dataMb;
    }

    private static short Saturate(int value) => (short)Math.Min(value, short.MaxValue);

    /// <summary>
    /// Arrays of scored households, handed to the households of a later chunk. A night allocates the window of every
    /// household otherwise (2.3 KB each, 2.3 GB at a million households): the GC's copying of them and the kernel's
    /// zeroing of fresh pages for them were a third of the pass's CPU.
    /// </summary>
    internal sealed class Pool(int days)
    {
        private readonly ConcurrentStack<UsageArrays> _spare = new();

        public UsageArrays Rent() => _spare.TryPop(out var arrays) ? arrays : new UsageArrays(days);

        /// <summary>Takes back the arrays of records nothing reads any more (their features are built).</summary>
        public void Return(IEnumerable<HouseholdRecord> records)
        {
            foreach (var record in records)
            {
                if (record.History.Kwh.Length == days)
                {
                    _spare.Push(new UsageArrays(record.History));
                }
            }
        }
    }
}
