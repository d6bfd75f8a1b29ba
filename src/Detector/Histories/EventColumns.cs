using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The district's arrears, welfare events and reports as of the night, held by kind in household order for the chunked
/// reader, which asks for each household's once. A chunk's <see cref="HistoryLoader.HouseholdEvents"/> are made from
/// them when it is read and die with it.
/// </summary>
/// <remarks>
/// Held as a dictionary of per-household lists (~380k households with events at a million, and their lists), the events
/// were most of the objects every full collection of the pass had to mark again while the chunks were read.
/// </remarks>
internal sealed class EventColumns : HistoryLoader.IEventSink
{
    private readonly Column<ArrearsObservation> _arrears = new();
    private readonly Column<WelfareObservation> _welfare = new();
    private readonly Column<DateOnly> _reports = new();

    public void AddArrears(long householdNo, ArrearsObservation arrears) => _arrears.Add(householdNo, arrears);

    public void AddWelfare(long householdNo, WelfareObservation welfare) => _welfare.Add(householdNo, welfare);

    public void AddReport(long householdNo, DateOnly reportedOn) => _reports.Add(householdNo, reportedOn);

    /// <summary>Ends the reading: rows are grouped by household, each household's in the order they were added.</summary>
    public void Seal()
    {
        _arrears.Seal();
        _welfare.Seal();
        _reports.Seal();
    }

    /// <summary>A household's events (a new object, the caller's to change), or null when it has none.</summary>
    public HistoryLoader.HouseholdEvents? For(long householdNo)
    {
        var arrears = _arrears.Of(householdNo);
        var welfare = _welfare.Of(householdNo);
        var reports = _reports.Of(householdNo);
        return arrears.IsEmpty && welfare.IsEmpty && reports.IsEmpty
            ? null
            : HistoryLoader.HouseholdEvents.Of(arrears, welfare, reports);
    }

    /// <summary>One kind's rows, by household number: household n's are items[starts[n] .. starts[n + 1]).</summary>
    private sealed class Column<T>
    {
        private List<(long HouseholdNo, T Item)>? _rows = [];
        private int[] _starts = [0];
        private T[] _items = [];

        public void Add(long householdNo, T item)
        {
            if (_rows is null)
            {
                throw new InvalidOperationException("The events are sealed.");
            }

            ArgumentOutOfRangeException.ThrowIfNegative(householdNo);
            _rows.Add((householdNo, item));
        }

        /// <summary>A counting sort by household number: linear, and stable, so each household keeps its rows' order.</summary>
        public void Seal()
        {
            var rows = _rows ?? throw new InvalidOperationException("The events are sealed.");
            _rows = null;
            var max = -1L;
            foreach (var (no, _) in rows)
            {
                max = Math.Max(max, no);
            }

            // Household numbers are the store's dense surrogates, so the index is as long as the district is large.
            var starts = new int[checked((int)(max + 2))];
            foreach (var (no, _) in rows)
            {
                starts[no + 1]++;
            }

            for (var n = 1; n < starts.Length; n++)
            {
                starts[n] += starts[n - 1];
            }

            var items = new T[rows.Count];
            var next = starts[..^1];
            foreach (var (no, item) in rows)
            {
                items[next[no]++] = item;
            }

            _starts = starts;
            _items = items;
        }

        public ReadOnlySpan<T> Of(long householdNo)
        {
            if (_rows is not null)
            {
                throw new InvalidOperationException("The events are not sealed yet.");
            }

            return householdNo >= 0 && householdNo < _starts.Length - 1
                ? _items.AsSpan(_starts[householdNo], _starts[householdNo + 1] - _starts[householdNo])
                : [];
        }
    }
}
