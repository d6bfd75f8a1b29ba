using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The telecom windows of a night's person ranges, each read once and shared by the household chunks whose persons it
/// holds. Persons are numbered in the order they were first seen, so a chunk's ~2 persons a household span three or four
/// ranges and the range at each end is also its neighbour's: read per chunk, a third of the night's telecom slabs (three
/// quarters of its slab bytes) were read twice.
/// </summary>
/// <remarks>
/// The plan (which chunks have persons in which range) only decides how long a window is kept, never what a chunk reads:
/// a range a chunk asks for outside the plan is read for it, and a planned chunk that never asks (its households are
/// outside the partition's dongs) gives its claim up in <see cref="ChunkDone"/>. A window nobody holds but a later chunk
/// needs waits idle, at most <see cref="MaxIdle"/> of them; beyond that the one needed last is dropped and read again
/// when its chunk comes.
/// </remarks>
internal sealed class SharedWindows(SlabWindow.Pool pool, IEnumerable<(long ChunkFirstNo, long RangeFirstNo)> plan)
{
    /// <summary>Idle windows kept for a later chunk (a telecom window is ~40 MB).</summary>
    internal const int MaxIdle = 2;

    private readonly object _gate = new();
    private readonly Dictionary<long, SortedSet<long>> _waiting = Plan(plan);
    private readonly Dictionary<long, Entry> _entries = [];

    /// <summary>Reads of a window, for tests: a range shared by two chunks is read once.</summary>
    internal int Reads { get; private set; }

    /// <summary>The window of the range starting at <paramref name="rangeFirstNo"/> for the chunk, read by <paramref name="load"/> unless it is held.</summary>
    public async Task<SlabWindow> AcquireAsync(long chunkFirstNo, long rangeFirstNo, Func<SlabWindow, Task> load)
    {
        Entry entry;
        var reader = false;
        lock (_gate)
        {
            if (!_entries.TryGetValue(rangeFirstNo, out entry!))
            {
                entry = new Entry();
                _entries.Add(rangeFirstNo, entry);
                reader = true;
                Reads++;
            }

            entry.Holders++;
        }

        if (reader)
        {
            // Read outside the lock (SQLite's read is synchronous): the other chunk goes on with its own ranges meanwhile.
            try
            {
                // Rented inside the try: a failed allocation must fail the waiters too, not leave them waiting.
                var window = pool.Rent(SlabFeed.Telecom);
                await load(window);
                entry.Read.SetResult(window);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    // A failed read is not kept (whoever asks again reads again), nor is its window given back.
                    _entries.Remove(rangeFirstNo);
                }

                entry.Read.SetException(e);
            }
        }

        return await entry.Read.Task;
    }

    /// <summary>The chunk is done with the window: it goes back to the pool when no later chunk needs it.</summary>
    public void Release(long chunkFirstNo, long rangeFirstNo)
    {
        lock (_gate)
        {
            if (_waiting.TryGetValue(rangeFirstNo, out var chunks))
            {
                chunks.Remove(chunkFirstNo);
            }

            if (_entries.TryGetValue(rangeFirstNo, out var entry))
            {
                entry.Holders--;
                Settle();
            }
        }
    }

    /// <summary>The chunk reads no more ranges: what it was planned to need and did not ask for is not kept for it.</summary>
    public void ChunkDone(long chunkFirstNo)
    {
        lock (_gate)
        {
            foreach (var chunks in _waiting.Values)
            {
                chunks.Remove(chunkFirstNo);
            }

            Settle();
        }
    }

    /// <summary>Gives back idle windows no chunk waits for, then the ones needed last while more than <see cref="MaxIdle"/> wait.</summary>
    private void Settle()
    {
        var idle = new List<(long Range, long NextChunk)>();
        foreach (var (range, entry) in _entries)
        {
            if (entry.Holders > 0 || !entry.Read.Task.IsCompletedSuccessfully)
            {
                continue;
            }

            if (_waiting.GetValueOrDefault(range) is { Count: > 0 } chunks)
            {
                idle.Add((range, chunks.Min));
            }
            else
            {
                Drop(range, entry);
            }
        }

        if (idle.Count > MaxIdle)
        {
            idle.Sort((a, b) => b.NextChunk.CompareTo(a.NextChunk));
            foreach (var (range, _) in idle.Take(idle.Count - MaxIdle))
            {
                Drop(range, _entries[range]);
            }
        }
    }

    private void Drop(long range, Entry entry)
    {
        _entries.Remove(range);
        pool.Return(entry.Read.Task.Result);
    }

    private static Dictionary<long, SortedSet<long>> Plan(IEnumerable<(long ChunkFirstNo, long RangeFirstNo)> plan)
    {
        var waiting = new Dictionary<long, SortedSet<long>>();
        foreach (var (chunk, range) in plan)
        {
            if (!waiting.TryGetValue(range, out var chunks))
            {
                chunks = [];
                waiting.Add(range, chunks);
            }

            chunks.Add(chunk);
        }

        return waiting;
    }

    private sealed class Entry
    {
        public TaskCompletionSource<SlabWindow> Read { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Holders { get; set; }
    }
}
