using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The nightly pass's reader: the same <see cref="HouseholdRecord"/>s as <see cref="HistoryLoader"/>, a chunk of
/// <see cref="UsageSlabs.Span"/> household numbers at a time, with the usage read from the day slabs into one block per
/// chunk (<see cref="UsageBlock"/>). Memory is that of the chunks in flight whatever the district's size; the small event
/// tables are read once per night, beside the first chunks.
/// </summary>
internal sealed class ChunkedHistory : IAsyncDisposable
{
    // Households (or persons) whose series are filled together: a cache line of each of their series (16 days of a float
    // series) stays in L1 while the fill goes day by day.
    private const int FillBlock = 64;

    private const string HouseholdsSql =
        """
        SELECT household_no, household_key, dong_code, household_size, housing_type, first_seen_on
        FROM household
        WHERE dong_code IS NOT NULL AND household_no >= @firstNo AND household_no < @lastNo
        """;

    private const string PersonsSql =
        """
        SELECT person_no, household_no, birth_date, sex, relation, status, status_date, reported_on
        FROM person
        WHERE household_no >= @firstNo AND household_no < @lastNo
        ORDER BY household_no, person_no
        """;

    private readonly RiskStore _store;
    private readonly DateOnly _start;
    private readonly DateOnly _end;
    private readonly HashSet<string>? _dongs;
    private readonly Task<EventColumns> _events;
    private readonly SlabWindow.Pool _windows;
    private readonly UsageBlock.Pool _usage;
    private readonly TextPool.Pool _texts = new();

    // A chunk's members, household after household, for the next chunk once its records are built.
    private readonly ConcurrentQueue<List<HistoryLoader.PersonRow>> _members = new();
    private readonly SharedWindows _telecom;

    private ChunkedHistory(
        RiskStore store, DateOnly start, DateOnly end, HashSet<string>? dongs, Task<EventColumns> events,
        IReadOnlyList<long> chunks, IEnumerable<(long ChunkFirstNo, long RangeFirstNo)> telecomPlan)
    {
        _store = store;
        _start = start;
        _end = end;
        _dongs = dongs;
        _events = events;
        _windows = new SlabWindow.Pool(end.DayNumber - start.DayNumber + 1);
        _usage = new UsageBlock.Pool(end.DayNumber - start.DayNumber + 1);
        // Only chunks the pass reads give their claims up; a chunk of households without a dong would hold its
        // ranges' windows all night.
        var read = chunks.ToHashSet();
        _telecom = new SharedWindows(_windows, telecomPlan.Where(claim => read.Contains(claim.ChunkFirstNo)));
        Chunks = chunks;
    }

    /// <summary>The first household number of each chunk that has registered households, ascending.</summary>
    public IReadOnlyList<long> Chunks { get; }

    /// <summary>
    /// Brings the window's slabs up to date with the ledger, finds the chunks and starts reading the events (once a
    /// night); the caller disposes the history, which waits for that read if no chunk did.
    /// </summary>
    public static async Task<ChunkedHistory> OpenAsync(
        RiskStore store, DateOnly start, DateOnly end, IReadOnlyCollection<string>? dongs, CancellationToken cancellationToken)
    {
        if (end < start)
        {
            throw new ArgumentException($"The window ends ({end}) before it starts ({start}).", nameof(end));
        }

        // The slabs of a day the ingest did not build are built under the write lock while the persons' households are
        // read on another connection (WAL readers do not wait for the writer). The events are read on a connection of
        // their own while the first chunks are read: a chunk needs them only when its records are built.
        var ensure = Task.Run(() => new UsageSlabs(store).EnsureAsync(start, end, cancellationToken), cancellationToken);
        Task<IEnumerable<(long, long)>>? telecomPlan = null;
        Task<EventColumns>? events = null;
        List<long> chunks;
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);
            chunks = (await connection.QueryAsync<long>(new CommandDefinition(
                    $"SELECT DISTINCT household_no - (household_no % {UsageSlabs.Span}) FROM household WHERE dong_code IS NOT NULL",
                    cancellationToken: cancellationToken)))
                .Order()
                .ToList();
            if (connection is SqliteConnection sqlite)
            {
                // SQLite: the persons' households, read once, give the plan and join the events.
                var persons = PersonHouseholds.Read(sqlite, cancellationToken);
                telecomPlan = Task.FromResult<IEnumerable<(long, long)>>(persons.TelecomPlan());
                events = ReadEventsAsync(store, end, persons, cancellationToken);
            }
            else
            {
                telecomPlan = Task.Run(() => TelecomPlanAsync(store, cancellationToken), cancellationToken);
                events = ReadEventsAsync(store, end, persons: null, cancellationToken);
            }

            await Task.WhenAll(ensure, telecomPlan);
        }
        catch
        {
            // Whatever happened here, the build, the plan and the events end (or fail) before the pass goes on, so no
            // connection outlives the open: the first error is the one to see.
            Task[] started = [ensure, .. telecomPlan is null ? [] : new Task[] { telecomPlan }, .. events is null ? [] : new Task[] { events }];
            await Task.WhenAny(Task.WhenAll(started));
            throw;
        }

        var set = dongs is { Count: > 0 } ? new HashSet<string>(dongs, StringComparer.Ordinal) : null;
        return new ChunkedHistory(store, start, end, set, events, chunks, await telecomPlan);
    }

    /// <summary>The night's events, joined to their households, on a connection of their own.</summary>
    private static Task<EventColumns> ReadEventsAsync(RiskStore store, DateOnly end, PersonHouseholds? persons, CancellationToken cancellationToken) =>
        Task.Run(
            async () =>
            {
                var events = new EventColumns();
                await using var connection = await store.OpenConnectionAsync(cancellationToken);
                if (connection is SqliteConnection sqlite && persons is not null)
                {
                    HistoryLoader.ReadEventsInPlace(sqlite, end, persons, events, cancellationToken);
                }
                else
                {
                    await HistoryLoader.ReadEventsAsync(connection, end, events, cancellationToken);
                }

                events.Seal();
                return events;
            },
            cancellationToken);

    /// <summary>
    /// Waits for the events' read to end (the pass failed before a chunk waited for it), whatever its outcome: its error,
    /// if any, is the chunks' to report, or comes after the pass's own.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAny(_events);
        _ = _events.Exception;
    }

    /// <summary>Which household chunks have persons in which telecom range: how long <see cref="SharedWindows"/> keeps a window.</summary>
    private static async Task<IEnumerable<(long, long)>> TelecomPlanAsync(RiskStore store, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        return await connection.QueryAsync<(long, long)>(new CommandDefinition(
            $"""
            SELECT DISTINCT household_no - (household_no % {UsageSlabs.Span}), person_no - (person_no % {UsageSlabs.Span})
            FROM person WHERE household_no IS NOT NULL
            """,
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Hands a chunk's usage block to the chunks still to be read: the caller keeps no reference to its records' series
    /// (it has built their features and keeps records without usage).
    /// </summary>
    public void Recycle(Chunk chunk) => _usage.Return(chunk.Usage);

    /// <summary>The records of the registered households numbered firstNo … firstNo + Span - 1, by household number.</summary>
    public async Task<Chunk> LoadChunkAsync(long firstNo, CancellationToken cancellationToken)
    {
        var days = _end.DayNumber - _start.DayNumber + 1;
        var lastNo = firstNo + UsageSlabs.Span;
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        // A read that fails drops its pool rather than give it back: the next read starts a new one.
        var texts = _texts.Rent();
        var households = connection is SqliteConnection sqlite
            ? ReadHouseholdsInPlace(sqlite, texts, firstNo, lastNo, cancellationToken)
            : await ReadHouseholdsAsync(connection, firstNo, lastNo, cancellationToken);

        // The chunk's households take the block's slots in household order. A read that fails drops its block rather than
        // give it back, like its text pool.
        var usage = _usage.Rent(households.Count);
        var builders = new HistoryLoader.Builder?[UsageSlabs.Span];
        for (var slot = 0; slot < households.Count; slot++)
        {
            var row = households[slot];
            builders[row.HouseholdNo - firstNo] = new HistoryLoader.Builder(row, days, usage: usage, slot: slot);
        }

        var members = _members.TryDequeue(out var spare) ? spare : [];
        var persons = await ReadPersonsAsync(connection, builders, members, texts, firstNo, lastNo, cancellationToken);
        _texts.Return(texts);
        var electricity = _windows.Rent(SlabFeed.Electricity);
        var water = _windows.Rent(SlabFeed.Water);
        await electricity.LoadAsync(connection, firstNo, _start, cancellationToken);
        await water.LoadAsync(connection, firstNo, _start, cancellationToken);
        FillMeters(usage, households, firstNo, electricity, water);
        _windows.Return(electricity);
        _windows.Return(water);

        await ReadTelecomAsync(connection, firstNo, persons, usage, cancellationToken);

        // No `PRAGMA shrink_memory` here: the slab blobs are read past the connection's page cache (SQLite reads overflow
        // pages straight into the blob), so there was little to give back, and the cache's pages were faulted in again by
        // the next chunk (the 1M night's history 0.1–0.3 s faster without it, the same peak).
        var events = await _events;
        var records = new List<HouseholdRecord>(households.Count);
        for (var i = 0; i < builders.Length; i++)
        {
            if (builders[i] is not { } builder)
            {
                continue;
            }

            builder.UseEvents(events.For(firstNo + i));
            if (builder.TryBuild(_start, out var record))
            {
                records.Add(record);
            }
        }

        // The records keep nothing of the members (their profiles hold parsed values).
        members.Clear();
        _members.Enqueue(members);
        return new Chunk(records, usage);
    }

    private async Task<List<HistoryLoader.HouseholdRow>> ReadHouseholdsAsync(
        DbConnection connection, long firstNo, long lastNo, CancellationToken cancellationToken)
    {
        var households = new List<HistoryLoader.HouseholdRow>();
        await using var command = Command(connection, HouseholdsSql, firstNo, lastNo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = HistoryLoader.HouseholdRow.Read(reader);
            if (_dongs is null || _dongs.Contains(row.DongCode))
            {
                households.Add(row);
            }
        }

        return households;
    }

    /// <summary>SQLite: the same rows through the connection's own handle, codes and dates from the chunk's text pool.</summary>
    private List<HistoryLoader.HouseholdRow> ReadHouseholdsInPlace(
        SqliteConnection connection, TextPool texts, long firstNo, long lastNo, CancellationToken cancellationToken)
    {
        var households = new List<HistoryLoader.HouseholdRow>();
        SqliteRows.ForEach(connection, HouseholdsSql, statement => BindRange(statement, firstNo, lastNo), row =>
        {
            var dong = texts.Get(row.Bytes(2));
            if (_dongs is not null && !_dongs.Contains(dong))
            {
                return;
            }

            households.Add(new HistoryLoader.HouseholdRow
            {
                HouseholdNo = row.Int64(0),
                // Unique to the household: the one text not pooled.
                HouseholdKey = row.Text(1),
                DongCode = dong,
                HouseholdSize = row.IsNull(3) ? null : checked((int)row.Int64(3)),
                HousingType = Text(row, 4, texts),
                FirstSeenOn = Text(row, 5, texts),
            });
        },
        cancellationToken);
        return households;
    }

    /// <summary>
    /// Every person of the chunk's households (members need a birth date, as in <see cref="HistoryLoader"/>; telecom lines
    /// count without one), ordered by person number: the order the telecom rows are added in, as the row reader does.
    /// </summary>
    /// <remarks>
    /// The rows come in the household index's own order (each household's members still by person number) and the list is
    /// sorted here: ordered by person number, SQLite sorted each chunk's ~70k rows in a temporary B-tree, a third of the query.
    /// </remarks>
    private static async Task<List<(long PersonNo, HistoryLoader.Builder Builder)>> ReadPersonsAsync(
        DbConnection connection, HistoryLoader.Builder?[] builders, List<HistoryLoader.PersonRow> members, TextPool texts, long firstNo, long lastNo,
        CancellationToken cancellationToken)
    {
        var persons = connection is SqliteConnection sqlite
            ? ReadPersonsInPlace(sqlite, builders, members, texts, firstNo, lastNo, cancellationToken)
            : await ReadPersonsRowsAsync(connection, builders, members, firstNo, lastNo, cancellationToken);
        CollectionsMarshal.AsSpan(persons).Sort(default(ByPersonNo));
        return persons;
    }

    private static async Task<List<(long PersonNo, HistoryLoader.Builder Builder)>> ReadPersonsRowsAsync(
        DbConnection connection, HistoryLoader.Builder?[] builders, List<HistoryLoader.PersonRow> members, long firstNo, long lastNo,
        CancellationToken cancellationToken)
    {
        // A typed reader, not Dapper: a chunk has ~2 persons a household, and this loop was most of the chunk's CPU
        // outside the slabs.
        var persons = new List<(long, HistoryLoader.Builder)>();
        await using var command = Command(connection, PersonsSql, firstNo, lastNo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (builders[reader.GetInt64(1) - firstNo] is not { } builder)
            {
                continue;
            }

            var personNo = reader.GetInt64(0);
            persons.Add((personNo, builder));
            if (!reader.IsDBNull(2))
            {
                var person = HistoryLoader.PersonRow.Read(reader);
                if (person.BirthDate.Length > 0)
                {
                    builder.AddMember(members, person);
                }
            }
        }

        return persons;
    }

    /// <summary>
    /// SQLite: the same rows through the connection's own handle, each text taken from the chunk's pool where SQLite
    /// holds it. Through the ADO.NET reader every column of every person became a new string (dates and a handful of
    /// codes, ~2M persons at a million households), and its per-column checks cost more than SQLite's own step.
    /// </summary>
    private static List<(long PersonNo, HistoryLoader.Builder Builder)> ReadPersonsInPlace(
        SqliteConnection connection, HistoryLoader.Builder?[] builders, List<HistoryLoader.PersonRow> members, TextPool texts, long firstNo,
        long lastNo, CancellationToken cancellationToken)
    {
        var persons = new List<(long, HistoryLoader.Builder)>();
        SqliteRows.ForEach(connection, PersonsSql, statement => BindRange(statement, firstNo, lastNo), row =>
        {
            var householdNo = row.Int64(1);
            if (builders[householdNo - firstNo] is not { } builder)
            {
                return;
            }

            var personNo = row.Int64(0);
            persons.Add((personNo, builder));
            if (Text(row, 2, texts) is { Length: > 0 } birthDate)
            {
                builder.AddMember(members, new HistoryLoader.PersonRow
                {
                    PersonNo = personNo,
                    HouseholdNo = householdNo,
                    BirthDate = birthDate,
                    Sex = Text(row, 3, texts),
                    Relation = Text(row, 4, texts),
                    Status = Text(row, 5, texts),
                    StatusDate = Text(row, 6, texts),
                    ReportedOn = Text(row, 7, texts),
                });
            }
        },
        cancellationToken);
        return persons;
    }

    private static void BindRange(sqlite3_stmt statement, long firstNo, long lastNo)
    {
        SqliteRows.Bind(statement, 1, firstNo);
        SqliteRows.Bind(statement, 2, lastNo);
    }

    private static string? Text(SqliteRow row, int column, TextPool texts) =>
        row.IsNull(column) ? null : texts.Get(row.Bytes(column));

    private static DbCommand Command(DbConnection connection, string sql, long firstNo, long lastNo)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("@firstNo", firstNo);
        command.AddParameter("@lastNo", lastNo);

        return command;
    }

    /// <summary>
    /// The chunk's electricity and water series from its day-major windows into its household-major block, a block of
    /// households at a time: day by day through the block, the window is read along its rows and the block's stretch of
    /// the series stays in cache, where household by household every value read was a cache miss (and, a row being
    /// 128 KB, a new page).
    /// </summary>
    // Optimized from the first call: a night's profile found the fill loops' tier-0 code (and the per-value calls it does
    // not inline) running for a good part of the history stage before tiering promoted it.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <summary>
    /// Every day of every household's meter series, from the windows (absent where the windows are): the pool's blocks
    /// come with the last chunk's meter values (<see cref="UsageBlock.Pool.Rent"/>).
    /// </summary>
    private static void FillMeters(
        UsageBlock usage, List<HistoryLoader.HouseholdRow> households, long firstNo, SlabWindow electricity, SlabWindow water)
    {
        Span<int> cells = stackalloc int[FillBlock];
        var days = usage.Days;
        var kwh = usage.Kwh;
        var activeHours = usage.ActiveHours;
        var liters = usage.Water;
        var windowKwh = electricity.Values;
        var windowHours = electricity.ActiveHours;
        var windowLiters = water.Values;
        for (var first = 0; first < households.Count; first += FillBlock)
        {
            var count = Math.Min(FillBlock, households.Count - first);
            for (var i = 0; i < count; i++)
            {
                cells[i] = (int)(households[first + i].HouseholdNo - firstNo);
            }

            for (var day = 0; day < days; day++)
            {
                var row = day * UsageSlabs.Span;
                var at = usage.Cell(first, day);
                for (var i = 0; i < count; i++, at += days)
                {
                    var cell = row + cells[i];
                    kwh[at] = windowKwh[cell];
                    activeHours[at] = windowHours[cell];
                    liters[at] = windowLiters[cell];
                }
            }
        }
    }

    /// <summary>
    /// The telecom rows of persons[at..end) (one range, persons ascending) summed into their households' days, a block of
    /// persons at a time as in <see cref="FillMeters"/>. Within a day the block's persons are added in person order and
    /// blocks follow each other in person order, so a household's lines are still summed in person order on each day.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillTelecom(
        List<(long PersonNo, HistoryLoader.Builder Builder)> persons, int at, int end, long firstNo, SlabWindow window, UsageBlock usage)
    {
        // The block's cells and household rows are looked up once, not once a day, and the arrays are locals: the loop
        // below runs ~250M times at a million households, and the list, tuple, builder and field reads in it were a third
        // of its time.
        Span<bool> hasLine = stackalloc bool[FillBlock];
        Span<int> cells = stackalloc int[FillBlock];
        Span<int> households = stackalloc int[FillBlock];
        var callsOut = window.CallsOut;
        var callsIn = window.CallsIn;
        var smsOut = window.SmsOut;
        var dataMb = window.Values;
        var sums = new UsageBlock.TelecomSums(usage);
        for (var first = at; first < end; first += FillBlock)
        {
            var count = Math.Min(FillBlock, end - first);
            hasLine.Clear();
            for (var p = 0; p < count; p++)
            {
                var (personNo, builder) = persons[first + p];
                cells[p] = (int)(personNo - firstNo);
                households[p] = usage.Cell(builder.Slot, 0);
            }

            for (var day = 0; day < window.Days; day++)
            {
                var row = day * UsageSlabs.Span;
                for (var p = 0; p < count; p++)
                {
                    var cell = row + cells[p];
                    if (callsOut[cell] >= 0)
                    {
                        hasLine[p] = true;
                        sums.Add(households[p] + day, callsOut[cell], callsIn[cell], smsOut[cell], dataMb[cell]);
                    }
                }
            }

            // A line counts once, however many of the window's days it sent a row on.
            for (var p = 0; p < count; p++)
            {
                if (hasLine[p])
                {
                    persons[first + p].Builder.CountLine();
                }
            }
        }
    }

    private async Task ReadTelecomAsync(
        DbConnection connection, long chunkFirstNo, List<(long PersonNo, HistoryLoader.Builder Builder)> persons, UsageBlock usage,
        CancellationToken cancellationToken)
    {
        // A household's lines may sit in different person ranges; each range's slabs are read once a night (shared with
        // the neighbouring chunk), ranges ascending, and within a day persons ascending, so a household's lines are summed
        // in person order.
        try
        {
            var at = 0;
            while (at < persons.Count)
            {
                var first = UsageSlabs.FirstNoOf(persons[at].PersonNo);
                var end = at;
                while (end < persons.Count && persons[end].PersonNo < first + UsageSlabs.Span)
                {
                    end++;
                }

                var window = await _telecom.AcquireAsync(
                    chunkFirstNo, first, w => w.LoadAsync(connection, first, _start, cancellationToken));
                try
                {
                    FillTelecom(persons, at, end, first, window, usage);
                }
                finally
                {
                    _telecom.Release(chunkFirstNo, first);
                }

                at = end;
            }
        }
        finally
        {
            _telecom.ChunkDone(chunkFirstNo);
        }
    }

    // A struct comparer: the sort is specialized for it and the compare inlined, where a Comparison delegate was a call per
    // compare (~40M a night at a million households).
    private readonly struct ByPersonNo : IComparer<(long PersonNo, HistoryLoader.Builder Builder)>
    {
        public int Compare((long PersonNo, HistoryLoader.Builder Builder) x, (long PersonNo, HistoryLoader.Builder Builder) y) =>
            x.PersonNo.CompareTo(y.PersonNo);
    }

    /// <summary>A chunk's records, by household number, and the block their usage series are slices of.</summary>
    internal sealed record Chunk(IReadOnlyList<HouseholdRecord> Records, UsageBlock Usage);
}
