using System.Collections.Concurrent;
using System.Data.Common;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// One range's slabs of every day of a window, copied out of the store day by day into day-major columns (index
/// day × <see cref="UsageSlabs.Span"/> + offset). The store keeps usage by day; a household's features need it by
/// household: the nightly reader copies from here into its chunk's household-major block a few households at a time, so
/// its writes run along those households' series instead of landing on a different household for every value of a day
/// (a cache miss each: that scatter was most of the history stage's CPU).
/// </summary>
internal sealed class SlabWindow
{
    private readonly bool[] _read;

    private SlabWindow(SlabFeed feed, int days)
    {
        Feed = feed;
        Days = days;
        _read = new bool[days];
        var length = days * UsageSlabs.Span;
        Values = new float[length];
        ActiveHours = feed == SlabFeed.Electricity ? new sbyte[length] : [];
        CallsOut = feed == SlabFeed.Telecom ? new short[length] : [];
        CallsIn = feed == SlabFeed.Telecom ? new short[length] : [];
        SmsOut = feed == SlabFeed.Telecom ? new short[length] : [];
    }

    public SlabFeed Feed { get; }

    public int Days { get; }

    /// <summary>kWh (electricity), liters (water) or data MB (telecom); NaN (0 for telecom) where there is none.</summary>
    public float[] Values { get; }

    /// <summary>-1 where there is none.</summary>
    public sbyte[] ActiveHours { get; }

    /// <summary>-1 where the subject sent no telecom row that day.</summary>
    public short[] CallsOut { get; }

    public short[] CallsIn { get; }

    public short[] SmsOut { get; }

    /// <summary>Reads the range starting at <paramref name="firstNo"/> for every day of the window, over what it held.</summary>
    public async Task LoadAsync(DbConnection connection, long firstNo, DateOnly start, CancellationToken cancellationToken)
    {
        Array.Clear(_read);
        await UsageSlabs.ReadAsync(connection, Feed, firstNo, start, start.AddDays(Days - 1), Add, cancellationToken);
        for (var day = 0; day < Days; day++)
        {
            if (!_read[day])
            {
                Absent(day * UsageSlabs.Span, UsageSlabs.Span);
            }
        }
    }

    private void Add(int day, SlabView slab)
    {
        var at = day * UsageSlabs.Span;
        var count = slab.Count;
        switch (Feed)
        {
            case SlabFeed.Electricity:
                slab.Kwh.CopyTo(Values.AsSpan(at));
                slab.ActiveHours.CopyTo(ActiveHours.AsSpan(at));
                break;
            case SlabFeed.Water:
                slab.Liters.CopyTo(Values.AsSpan(at));
                break;
            default:
                slab.CallsOut.CopyTo(CallsOut.AsSpan(at));
                slab.CallsIn.CopyTo(CallsIn.AsSpan(at));
                slab.SmsOut.CopyTo(SmsOut.AsSpan(at));
                slab.DataMb.CopyTo(Values.AsSpan(at));
                break;
        }

        // A slab ends at its highest offset with a row: the rest of the range has no value that day.
        Absent(at + count, UsageSlabs.Span - count);
        _read[day] = true;
    }

    private void Absent(int at, int count)
    {
        Values.AsSpan(at, count).Fill(Feed == SlabFeed.Telecom ? 0f : float.NaN);
        switch (Feed)
        {
            case SlabFeed.Electricity:
                ActiveHours.AsSpan(at, count).Fill(-1);
                break;
            case SlabFeed.Telecom:
                CallsOut.AsSpan(at, count).Fill(-1);
                CallsIn.AsSpan(at, count).Clear();
                SmsOut.AsSpan(at, count).Clear();
                break;
        }
    }

    /// <summary>
    /// Windows kept for the next chunk: a fresh one per chunk would be tens of MB of new pages each time (the page
    /// faults of first touching them cost more than reading the slabs into them).
    /// </summary>
    internal sealed class Pool(int days)
    {
        // Stacks, not bags: a bag keeps its items in thread-local lists that outlive the bag until a finalizer runs, and
        // the pass's collection after the reads must find these windows dead.
        private readonly ConcurrentStack<SlabWindow>[] _spare = [new(), new(), new()];

        public SlabWindow Rent(SlabFeed feed) => _spare[(int)feed].TryPop(out var window) ? window : new SlabWindow(feed, days);

        public void Return(SlabWindow window) => _spare[(int)window.Feed].Push(window);
    }
}
