using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The daily usage series of a block of households side by side: household <c>slot</c>'s day <c>d</c> is at
/// <c>slot * Days + d</c> of each array, and its <see cref="RiskWatch.Scoring.Features.HouseholdHistory"/> reads slices of
/// them. The nightly reader keeps one block per chunk of households instead of seven small arrays per household: a
/// million households' arrays were most of the objects each full collection of the night marked and swept.
/// </summary>
internal sealed class UsageBlock
{
    /// <summary>A block of <paramref name="households"/> households' windows, every value absent.</summary>
    public UsageBlock(int households, int days)
    {
        Households = households;
        Days = days;
        var length = households * days;
        Kwh = new float[length];
        ActiveHours = new sbyte[length];
        Water = new float[length];
        CallsOut = new short[length];
        CallsIn = new short[length];
        SmsOut = new short[length];
        DataMb = new float[length];
        Clear(households);
    }

    public int Households { get; }
    public int Days { get; }

    public float[] Kwh { get; }
    public sbyte[] ActiveHours { get; }
    public float[] Water { get; }
    public short[] CallsOut { get; }
    public short[] CallsIn { get; }
    public short[] SmsOut { get; }
    public float[] DataMb { get; }

    /// <summary>Where household <paramref name="slot"/>'s <paramref name="day"/> is in each array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Cell(int slot, int day) => (slot * Days) + day;

    /// <summary>Household <paramref name="slot"/>'s days of one of the block's arrays, as its history reads them.</summary>
    public ReadOnlyMemory<T> Series<T>(T[] values, int slot) => values.AsMemory(Cell(slot, 0), Days);

    /// <summary>Every value of the first <paramref name="households"/> slots absent (HouseholdHistory's markers: NaN, -1).</summary>
    public void Clear(int households)
    {
        var length = households * Days;
        Kwh.AsSpan(0, length).Fill(float.NaN);
        ActiveHours.AsSpan(0, length).Fill(-1);
        Water.AsSpan(0, length).Fill(float.NaN);
        ClearTelecom(households);
    }

    /// <summary>The telecom values of the first <paramref name="households"/> slots absent: the lines' sums start from there.</summary>
    public void ClearTelecom(int households)
    {
        var length = households * Days;
        CallsOut.AsSpan(0, length).Fill(-1);
        CallsIn.AsSpan(0, length).Fill(-1);
        SmsOut.AsSpan(0, length).Fill(-1);
        DataMb.AsSpan(0, length).Fill(float.NaN);
    }

    /// <summary>One telecom line's row of a day, summed into household <paramref name="slot"/>'s day (<see cref="TelecomSums.Add"/>).</summary>
    public void AddTelecomDay(int slot, int day, int callsOut, int callsIn, int smsOut, float dataMb) =>
        new TelecomSums(this).Add(Cell(slot, day), callsOut, callsIn, smsOut, dataMb);

    /// <summary>
    /// The block's four telecom arrays, for a loop that adds millions of rows: as a local, the JIT keeps the arrays in
    /// registers instead of reading the block's fields again after every store.
    /// </summary>
    internal readonly struct TelecomSums(UsageBlock block)
    {
        private readonly short[] _callsOut = block.CallsOut;
        private readonly short[] _callsIn = block.CallsIn;
        private readonly short[] _smsOut = block.SmsOut;
        private readonly float[] _dataMb = block.DataMb;

        /// <summary>
        /// One telecom line's row, summed into the household's day at <paramref name="cell"/> (the first line of a day
        /// turns its absent markers into zeros). Counts saturate at <see cref="short.MaxValue"/>; data is summed in the
        /// order lines are added.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int cell, int callsOut, int callsIn, int smsOut, float dataMb)
        {
            if (_callsOut[cell] < 0)
            {
                _callsOut[cell] = 0;
                _callsIn[cell] = 0;
                _smsOut[cell] = 0;
                _dataMb[cell] = 0;
            }

            _callsOut[cell] = Saturate(_callsOut[cell] + callsOut);
            _callsIn[cell] = Saturate(_callsIn[cell] + callsIn);
            _smsOut[cell] = Saturate(_smsOut[cell] + smsOut);
            _dataMb[cell] += dataMb;
        }

        private static short Saturate(int value) => (short)Math.Min(value, short.MaxValue);
    }

    /// <summary>
    /// Blocks of scored chunks, handed to the chunks still to be read. A night allocates the window of every household
    /// otherwise (2.3 KB each, 2.3 GB at a million households): the GC's copying of them and the kernel's zeroing of
    /// fresh pages for them were a third of the pass's CPU.
    /// </summary>
    internal sealed class Pool(int days)
    {
        // A stack, not a bag: a bag keeps its items in thread-local lists that outlive the bag until a finalizer runs,
        // and the pass's collection after the reads must find these blocks dead.
        private readonly ConcurrentStack<UsageBlock> _spare = new();

        /// <summary>
        /// A block for at least <paramref name="households"/> households, their telecom values absent: a spare one when
        /// it is large enough (a partition's chunks may hold few), else a new one of that size. A spare block's meter
        /// values are the last chunk's: the reader writes every meter cell of its households, absent or not, so clearing
        /// them first was half of the 2.3 GB a million-household night filled for nothing.
        /// </summary>
        public UsageBlock Rent(int households)
        {
            if (!_spare.TryPop(out var block) || block.Households < households)
            {
                return new UsageBlock(households, days);
            }

            block.ClearTelecom(households);
            return block;
        }

        /// <summary>Takes back a block nothing reads any more (its households' features are built).</summary>
        public void Return(UsageBlock block) => _spare.Push(block);
    }
}
