using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The nightly pass's reader: the same <see cref="HouseholdRecord"/>s as <see cref="HistoryLoader"/>, a chunk of
/// <see cref="UsageSlabs.Span"/> household numbers at a time, with the usage read from the day slabs. Memory is one
/// chunk's arrays whatever the district's size; the small event tables are read once per night.
/// </summary>
internal sealed class ChunkedHistory
{
    private readonly RiskStore _store;
    private readonly DateOnly _start;
    private readonly DateOnly _end;
    private readonly HashSet<string>? _dongs;
    private readonly Dictionary<long, HistoryLoader.HouseholdEvents> _events;
    private readonly SlabWindow.Pool _windows;
    private readonly UsageArrays.Pool _arrays;

    private ChunkedHistory(
        RiskStore store, DateOnly start, DateOnly end, HashSet<string>? dongs, Dictionary<long, HistoryLoader.HouseholdEvents> events,
        IReadOnlyList<long> chunks)
    {
        _store = store;
        _start = start;
        _end = end;
        _dongs = dongs;
        _events = events;
        _windows = new SlabWindow.Pool(end.DayNumber - start.DayNumber + 1);
        _arrays = new UsageArrays.Pool(end.DayNumber - start.DayNumber + 1);
        Chunks = chunks;
    }

    /// <summary>The first household number of each chunk that has registered households, ascending.</summary>
    public IReadOnlyList<long> Chunks { get; }

    /// <summary>Brings the window's slabs up to date with the ledger, reads the events once and finds the chunks.</summary>
    public static async Task<ChunkedHistory> OpenAsync(
        RiskStore store, DateOnly start, DateOnly end, IReadOnlyCollection<string>? dongs, CancellationToken cancellationToken)
    {
        if (end < start)
        {
            throw new ArgumentException($"The window ends ({end}) before it starts ({start}).", nameof(end));
        }

        // The slabs of the new day are built under the write lock while the events are read on another connection (WAL
        // readers do not wait for the writer; events do not depend on slabs): on two cores the two overlap.
        var ensure = Task.Run(() => new UsageSlabs(store).EnsureAsync(start, end, cancellationToken), cancellationToken);
        var events = new Dictionary<long, HistoryLoader.HouseholdEvents>();
        List<long> chunks;
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);
            await HistoryLoader.ReadEventsAsync(
                connection,
                end,
                no =>
                {
                    if (!events.TryGetValue(no, out var e))
                    {
                        e = new HistoryLoader.HouseholdEvents();
                        events.Add(no, e);
                    }

                    return e;
                },
                withOutcomes: false,
                cancellationToken);
            chunks = (await connection.QueryAsync<long>(new CommandDefinition(
                    $"SELECT DISTINCT household_no - (household_no % {UsageSlabs.Span}) FROM household WHERE dong_code IS NOT NULL",
                    cancellationToken: cancellationToken)))
                .Order()
                .ToList();
        }
        finally
        {
            // Whatever happened here, the build ends (or fails) before the pass goes on: its error is the one to see.
            await ensure;
        }

        var set = dongs is { Count: > 0 } ? new HashSet<string>(dongs, StringComparer.Ordinal) : null;
        return new ChunkedHistory(store, start, end, set, events, chunks);
    }

    /// <summary>
    /// Hands the usage arrays of a chunk's records to the chunks still to be read: the caller keeps no reference to
    /// them (it has built their features and keeps records without usage).
    /// </summary>
    public void Recycle(IReadOnlyList<HouseholdRecord> records) => _arrays.Return(records);

    /// <summary>The records of the registered households numbered firstNo … firstNo + Span - 1, by household number.</summary>
    public async Task<IReadOnlyList<HouseholdRecord>> LoadChunkAsync(long firstNo, CancellationToken cancellationToken)
    {
        var days = _end.DayNumber - _start.DayNumber + 1;
        var lastNo = firstNo + UsageSlabs.Span;
        await using var connection = await _store.OpenConnectionAsync(cancellationToken);
        var households = new List<HistoryLoader.HouseholdRow>();
        await using (var command = Command(
            connection,
            """
            SELECT household_no, household_key, dong_code, household_size, housing_type, first_seen_on
            FROM household
            WHERE dong_code IS NOT NULL AND household_no >= @firstNo AND household_no < @lastNo
            """,
            firstNo,
            lastNo))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = HistoryLoader.HouseholdRow.Read(reader);
                if (_dongs is null || _dongs.Contains(row.DongCode))
                {
                    households.Add(row);
                }
            }
        }

        var builders = new HistoryLoader.Builder?[UsageSlabs.Span];
        foreach (var row in households)
        {
            builders[row.HouseholdNo - firstNo] = new HistoryLoader.Builder(row, days, _events.GetValueOrDefault(row.HouseholdNo), _arrays.Rent());
        }

        var persons = await ReadPersonsAsync(connection, builders, firstNo, lastNo, cancellationToken);
        var electricity = _windows.Rent(SlabFeed.Electricity);
        var water = _windows.Rent(SlabFeed.Water);
        await electricity.LoadAsync(connection, firstNo, _start, cancellationToken);
        await water.LoadAsync(connection, firstNo, _start, cancellationToken);
        for (var i = 0; i < builders.Length; i++)
        {
            if (builders[i] is not { } b)
            {
                continue;
            }

            for (int day = 0, at = i; day < days; day++, at += UsageSlabs.Span)
            {
                b.Usage.Kwh[day] = electricity.Values[at];
                b.Usage.ActiveHours[day] = electricity.ActiveHours[at];
                b.Usage.Water[day] = water.Values[at];
            }
        }

        _windows.Return(electricity);
        _windows.Return(water);

        await ReadTelecomAsync(connection, persons, cancellationToken);

        if (connection is SqliteConnection)
        {
            // The slabs went through this pooled connection's page cache (64 MiB) and will not be read again tonight: give
            // the memory back rather than keep a full cache per reader connection to the end of the pass.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA shrink_memory", cancellationToken: cancellationToken));
        }

        var records = new List<HouseholdRecord>(households.Count);
        foreach (var builder in builders)
        {
            if (builder is not null && builder.TryBuild(_start, out var record))
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>
    /// Every person of the chunk's households (members need a birth date, as in <see cref="HistoryLoader"/>; telecom lines
    /// count without one), ordered by person number: the order the telecom rows are added in, as the row reader does.
    /// </summary>
    private static async Task<List<(long PersonNo, HistoryLoader.Builder Builder)>> ReadPersonsAsync(
        DbConnection connection, HistoryLoader.Builder?[] builders, long firstNo, long lastNo, CancellationToken cancellationToken)
    {
        // A typed reader, not Dapper: a chunk has ~2 persons a household, and this loop was most of the chunk's CPU
        // outside the slabs.
        var persons = new List<(long, HistoryLoader.Builder)>();
        await using var command = Command(
            connection,
            """
            SELECT person_no, household_no, birth_date, sex, relation, status, status_date, reported_on
            FROM person
            WHERE household_no >= @firstNo AND household_no < @lastNo
            ORDER BY person_no
            """,
            firstNo,
            lastNo);
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
                    builder.Members.Add(person);
                }
            }
        }

        return persons;
    }

    private static DbCommand Command(DbConnection connection, string sql, long firstNo, long lastNo)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("@firstNo", firstNo);
        command.AddParameter("@lastNo", lastNo);

        return command;
    }

    private async Task ReadTelecomAsync(
        DbConnection connection, List<(long PersonNo, HistoryLoader.Builder Builder)> persons, CancellationToken cancellationToken)
    {
        // A household's lines may sit in different person ranges; each range's slabs are read once, ranges ascending, and
        // within a day persons ascending, so a household's lines are summed in person order.
        var at = 0;
        while (at < persons.Count)
        {
            var first = UsageSlabs.FirstNoOf(persons[at].PersonNo);
            var end = at;
            while (end < persons.Count && persons[end].PersonNo < first + UsageSlabs.Span)
            {
                end++;
            }

            // Person by person through the range's window: a household's lines are still summed in person order on each day.
            var window = _windows.Rent(SlabFeed.Telecom);
            await window.LoadAsync(connection, first, _start, cancellationToken);
            for (var p = at; p < end; p++)
            {
                var builder = persons[p].Builder;
                var hasLine = false;
                for (int day = 0, cell = (int)(persons[p].PersonNo - first); day < window.Days; day++, cell += UsageSlabs.Span)
                {
                    if (window.CallsOut[cell] >= 0)
                    {
                        hasLine = true;
                        builder.AddTelecomDay(day, window.CallsOut[cell], window.CallsIn[cell], window.SmsOut[cell], window.Values[cell]);
                    }
                }

                // A line counts once, however many of the window's days it sent a row on.
                if (hasLine)
                {
                    builder.AddLine(persons[p].PersonNo);
                }
            }

            _windows.Return(window);
            at = end;
        }
    }
}
