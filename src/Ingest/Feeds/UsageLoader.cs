using System.Collections.Concurrent;
using Dapper;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// The daily usage feeds, tables keyed (date, subject). Valid rows are buffered in chunks, sorted by that key and
/// upserted in key order, so the B-tree is appended to rather than split at random places; the buffer bounds memory
/// whatever the file size. A full chunk is stored on the file's writer thread (<see cref="WriteBehind"/>) while the next
/// one is parsed. A (date, subject) seen twice in a file is quarantined on its second line.
/// </summary>
internal abstract class UsageLoader<TRow> : FeedLoader
    where TRow : struct, IUsageRow<TRow>
{
    // 64k rows: a whole day of a large district in one sorted run, a few MiB of buffer.
    private const int ChunkSize = 65_536;

    private readonly SeenDays _seen = new();

    // Chunks the writer thread has written, ready to be filled again: with the one being filled, the one queued and the
    // one being written, at most three chunks exist whatever the file size.
    private readonly ConcurrentQueue<TRow[]> _spare = new();
    private TRow[] _buffer = new TRow[ChunkSize];
    private int _count;

    // The file's as-of day as slabs, filled on the writer thread as its rows are stored (see WriteDaySlabsAsync).
    private readonly SlabFeed _slabFeed;
    private readonly DaySlabs _daySlabs;
    private readonly bool _dayIsNew;

    // The row whose subject is resolved when the next row comes, or when the rows end (see Defer).
    private TRow _pending;
    private SubjectKey _pendingKey;
    private int _pendingLine;
    private bool _hasPending;

    protected UsageLoader(LoadContext context, TableSpec table, SlabFeed slabFeed)
        : base(context)
    {
        Writer = context.Upsert(table);
        _slabFeed = slabFeed;
        _daySlabs = new DaySlabs(slabFeed);

        // Whether the table has no row of the file's day yet (an earlier version's rows are already gone): then, once
        // stored, this file's rows of the day are all of the day's rows (see WriteDaySlabsAsync). One index probe; a
        // count after the load read the whole day back (0.1–0.3 s a feed at a million households).
        _dayIsNew = context.Connection.ExecuteScalar<long?>(new CommandDefinition(
            $"SELECT MIN({table.KeyColumns[1]}) FROM {table.Name} WHERE {table.KeyColumns[0]} = @date",
            new { date = context.AsOfText },
            context.Transaction)) is null;

        // Usage rows only write: the parse and validation of the next chunk runs while this one is stored.
        context.StartWriteBehind();
    }

    /// <summary>The table's writer: used on the writer thread only (from <see cref="Write"/>), until the file's writes are finished.</summary>
    protected IBulkWriter Writer { get; }

    /// <summary>Why a row whose (date, subject) is on an earlier line is quarantined, naming the feed's subject column.</summary>
    protected abstract string RepeatedRowReason { get; }

    public override void EndRows() => ResolvePending();

    public override async Task CompleteAsync(CancellationToken cancellationToken)
    {
        ResolvePending();
        HandOff();
        Context.FinishWrites();
        await Writer.FlushAsync(cancellationToken);
        await WriteDaySlabsAsync(cancellationToken);
    }

    /// <summary>Puts a stored row of the file's as-of day into its slab, as the pass's build would read it from the table.</summary>
    protected abstract void AddToSlab(SlabWriter slab, int offset, in TRow row);

    /// <summary>
    /// The slabs of the file's as-of day, from the rows it stored, in the file's transaction: the nightly pass then finds
    /// its new day built instead of reading a million rows back out of the table (~0.9 s of a core at a million
    /// households). Only when the file's rows are all of the day's rows (a day first sent, or re-sent whole by a later
    /// version); otherwise the pass builds the day from the table, as before. The marker names the day's loaded files as
    /// the ledger will once this transaction commits.
    /// </summary>
    private async Task WriteDaySlabsAsync(CancellationToken cancellationToken)
    {
        if (!_dayIsNew || _daySlabs.Rows == 0)
        {
            return;
        }

        var table = UsageSlab.TableOf(_slabFeed);
        var date = Context.AsOfText;
        var files = await Context.Connection.QueryAsync<long>(new CommandDefinition(
            "SELECT file_id FROM ingest_file WHERE status = 'loaded' AND feed = @table AND as_of = @date",
            new { table, date },
            Context.Transaction,
            cancellationToken: cancellationToken));
        await UsageSlab.WriteDateAsync(
            Context.Connection, Context.Transaction, Context.Dialect, _slabFeed, date, UsageSlab.Source(files), _daySlabs.TakeSlabs(), cancellationToken);
    }

    /// <summary>Binds and adds one row to <see cref="Writer"/> (on the writer thread).</summary>
    protected abstract void Write(in TRow row);

    /// <summary>The subject number of a key from <see cref="FeedLoader.HouseholdKey"/> or <see cref="FeedLoader.PersonKey"/>, created if unseen.</summary>
    protected abstract long SubjectOf(in SubjectKey key);

    /// <summary>
    /// Takes a valid row of line <paramref name="line"/> whose subject is known by its key, and resolves the subject of
    /// the row before it. The key's slot in the run's table was fetched into cache when the key was made, but a lookup
    /// in the same row still waited for memory (a quarter of the row loop's time at a million households); a row later,
    /// its parse and hash have hidden the wait. A row that then repeats an earlier (date, subject) is quarantined then,
    /// counted in <see cref="FeedLoader.LateQuarantined"/>; subjects are still numbered in the file's order.
    /// </summary>
    protected void Defer(in SubjectKey key, in TRow row, int line)
    {
        ResolvePending();
        _pendingKey = key;
        _pending = row;
        _pendingLine = line;
        _hasPending = true;
    }

    private void ResolvePending()
    {
        if (!_hasPending)
        {
            return;
        }

        _hasPending = false;
        if (!Buffer(_pending.WithSubject(SubjectOf(_pendingKey))))
        {
            Context.Quarantine(_pendingLine, new RowError(RowError.WholeRow, RepeatedRowReason));
            LateQuarantined++;
        }
    }

    /// <summary>Buffers a valid row; false when its (date, subject) is already in this file.</summary>
    private bool Buffer(in TRow row)
    {
        if (!_seen.Add(row.Day, row.Subject))
        {
            return false;
        }

        _buffer[_count++] = row;
        if (_count == _buffer.Length)
        {
            HandOff();
        }

        return true;
    }

    /// <summary>Queues the chunk, and the subjects its rows created, for the writer thread; goes on with an empty chunk.</summary>
    private void HandOff()
    {
        var chunk = _buffer;
        var count = _count;
        var subjects = Context.Subjects.TakeNewRows();
        if (count == 0 && subjects is null)
        {
            return;
        }

        Context.Write(() =>
        {
            subjects?.Invoke();
            Store(chunk.AsSpan(0, count));
            _spare.Enqueue(chunk);
        });
        _buffer = _spare.TryDequeue(out var spare) ? spare : new TRow[ChunkSize];
        _count = 0;
    }

    private void Store(Span<TRow> rows)
    {
        // Files usually list subjects in the order they were first seen, which is the order of their numbers: then
        // the chunk is already in key order and one pass proves it.
        if (!IsInKeyOrder(rows))
        {
            rows.Sort(default(KeyOrder));
        }

        var day = Context.AsOf.DayNumber;
        foreach (ref readonly var row in rows)
        {
            Write(row);
            if (row.Day == day)
            {
                AddToSlab(_daySlabs.For(row.Subject, out var offset), offset, row);
            }
        }

        rows.Clear();
    }

    private static bool IsInKeyOrder(ReadOnlySpan<TRow> rows)
    {
        var order = default(KeyOrder);
        for (var i = 1; i < rows.Length; i++)
        {
            if (order.Compare(rows[i - 1], rows[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private readonly struct KeyOrder : IComparer<TRow>
    {
        public int Compare(TRow x, TRow y)
        {
            var byDay = x.Day.CompareTo(y.Day);
            return byDay != 0 ? byDay : x.Subject.CompareTo(y.Subject);
        }
    }

    /// <summary>
    /// The (day, subject) pairs of a file as one bit set per day over the subject numbers: surrogates are dense
    /// integers, so a million households cost 125 KiB per day instead of a hash set of a million entries.
    /// </summary>
    private sealed class SeenDays
    {
        private readonly Dictionary<int, ulong[]> _days = [];
        private int _lastDay = int.MinValue;
        private ulong[] _lastBits = [];

        public bool Add(int day, long subject)
        {
            if (day != _lastDay)
            {
                if (!_days.TryGetValue(day, out var found))
                {
                    found = new ulong[1024];
                    _days.Add(day, found);
                }

                _lastDay = day;
                _lastBits = found;
            }

            var word = (int)(subject >> 6);
            if (word >= _lastBits.Length)
            {
                var grown = new ulong[Math.Max(word + 1, _lastBits.Length * 2)];
                _lastBits.CopyTo(grown, 0);
                _lastBits = grown;
                _days[day] = grown;
            }

            var mask = 1UL << (int)(subject & 63);
            if ((_lastBits[word] & mask) != 0)
            {
                return false;
            }

            _lastBits[word] |= mask;
            return true;
        }
    }
}

/// <summary>A buffered usage row: its day (for sorting) and subject surrogate.</summary>
internal interface IUsageRow<TSelf>
    where TSelf : struct, IUsageRow<TSelf>
{
    public int Day { get; }

    public long Subject { get; }

    /// <summary>The row of the subject once its key is resolved.</summary>
    public TSelf WithSubject(long subject);
}
