using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using Microsoft.Data.Sqlite;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;
using SQLitePCL;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// Reads the store once per window into Scoring's columnar <see cref="HouseholdHistory"/>: one range scan per usage
/// table (they are keyed by date first), arrays per household, so the cost grows with households × days read once,
/// not with the number of as-of dates built from them.
/// </summary>
internal sealed class HistoryLoader(RiskStore store)
{
    public async Task<DistrictHistory> LoadAsync(
        DateOnly start, DateOnly end, IReadOnlyCollection<string>? dongs, CancellationToken cancellationToken)
    {
        if (end < start)
        {
            throw new ArgumentException($"The window ends ({end}) before it starts ({start}).", nameof(end));
        }

        var days = end.DayNumber - start.DayNumber + 1;
        await using var connection = await store.OpenConnectionAsync(cancellationToken);

        var households = await ReadHouseholdsAsync(connection, dongs, cancellationToken);
        var builders = new Dictionary<long, Builder>(households.Count);
        foreach (var household in households)
        {
            builders[household.HouseholdNo] = new Builder(household, days);
        }

        await ReadPersonsAsync(connection, builders, cancellationToken);
        var dates = new DateIndex(start, days);
        await ReadElectricityAsync(connection, dates, builders, cancellationToken);
        await ReadWaterAsync(connection, dates, builders, cancellationToken);
        await ReadTelecomAsync(connection, dates, builders, cancellationToken);
        HouseholdEvents? EventsOf(long no) => builders.TryGetValue(no, out var b) ? b.Events : null;
        await ReadEventsAsync(connection, end, new EventLists(EventsOf), cancellationToken);
        await ReadOutcomesAsync(connection, EventsOf, cancellationToken);

        var records = new List<HouseholdRecord>(builders.Count);
        foreach (var builder in builders.Values)
        {
            if (builder.TryBuild(start, out var record))
            {
                records.Add(record);
            }
        }

        records.Sort((a, b) => a.HouseholdNo.CompareTo(b.HouseholdNo));
        return new DistrictHistory { Start = start, End = end, Households = records };
    }

    internal static async Task<List<HouseholdRow>> ReadHouseholdsAsync(
        DbConnection connection, IReadOnlyCollection<string>? dongs, CancellationToken cancellationToken)
    {
        var sql = """
            SELECT household_no AS HouseholdNo, household_key AS HouseholdKey, dong_code AS DongCode,
                   household_size AS HouseholdSize, housing_type AS HousingType, first_seen_on AS FirstSeenOn
            FROM household
            WHERE dong_code IS NOT NULL
            """;
        var rows = await connection.QueryAsync<HouseholdRow>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        var set = dongs is { Count: > 0 } ? new HashSet<string>(dongs, StringComparer.Ordinal) : null;
        return rows.Where(r => set is null || set.Contains(r.DongCode)).ToList();
    }

    private static async Task ReadPersonsAsync(
        DbConnection connection, Dictionary<long, Builder> builders, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT person_no, household_no, birth_date, sex, relation, status, status_date, reported_on
            FROM person
            WHERE household_no IS NOT NULL AND birth_date IS NOT NULL
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var person = PersonRow.Read(reader);
            if (builders.TryGetValue(person.HouseholdNo, out var builder))
            {
                builder.AddMember(person);
            }
        }
    }

    private static async Task ReadElectricityAsync(
        DbConnection connection, DateIndex dates, Dictionary<long, Builder> builders, CancellationToken cancellationToken)
    {
        await using var command = RangeCommand(
            connection,
            "SELECT date, household_no, kwh, active_hours FROM usage_electricity WHERE date >= @from AND date <= @to",
            dates);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!builders.TryGetValue(reader.GetInt64(1), out var builder) || !dates.TryGet(reader.GetString(0), out var day))
            {
                continue;
            }

            builder.Usage.Kwh[builder.Cell(day)] = reader.IsDBNull(2) ? float.NaN : (float)reader.GetDouble(2);
            builder.Usage.ActiveHours[builder.Cell(day)] = reader.IsDBNull(3) ? (sbyte)-1 : (sbyte)reader.GetInt32(3);
        }
    }

    private static async Task ReadWaterAsync(
        DbConnection connection, DateIndex dates, Dictionary<long, Builder> builders, CancellationToken cancellationToken)
    {
        await using var command = RangeCommand(
            connection,
            "SELECT date, household_no, liters FROM usage_water WHERE date >= @from AND date <= @to",
            dates);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (builders.TryGetValue(reader.GetInt64(1), out var builder) && dates.TryGet(reader.GetString(0), out var day))
            {
                builder.Usage.Water[builder.Cell(day)] = reader.IsDBNull(2) ? float.NaN : (float)reader.GetDouble(2);
            }
        }
    }

    private static async Task ReadTelecomAsync(
        DbConnection connection, DateIndex dates, Dictionary<long, Builder> builders, CancellationToken cancellationToken)
    {
        await using var command = RangeCommand(
            connection,
            """
            SELECT t.date, p.household_no, t.calls_out, t.calls_in, t.sms_out, t.data_mb, t.person_no
            FROM usage_telecom t JOIN person p ON p.person_no = t.person_no
            WHERE t.date >= @from AND t.date <= @to AND p.household_no IS NOT NULL
            """,
            dates);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!builders.TryGetValue(reader.GetInt64(1), out var builder) || !dates.TryGet(reader.GetString(0), out var day))
            {
                continue;
            }

            builder.AddTelecom(day, reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), (float)reader.GetDouble(5), reader.GetInt64(6));
        }
    }

    /// <summary>
    /// Arrears, welfare events and reports dated on or before <paramref name="end"/>, handed to <paramref name="sink"/> in
    /// the order the store returns them; the builder then sorts each household's list by date (not a stable sort: events
    /// of one date keep no particular order, the same for the same rows).
    /// </summary>
    internal static async Task ReadEventsAsync(DbConnection connection, DateOnly end, IEventSink sink, CancellationToken cancellationToken)
    {
        // Typed readers rather than Dapper: a district has a few hundred thousand event rows and the pass reads them nightly.
        if (connection is SqliteConnection sqlite)
        {
            ReadEventsInPlace(sqlite, end, PersonHouseholds.Read(sqlite, cancellationToken), sink, cancellationToken);
        }
        else
        {
            await ReadEventRowsAsync(connection, IsoDate.Text(end), sink, cancellationToken);
        }
    }

    /// <summary>The visits' outcomes, for training: labels may look past the window's end, the future the model learns to foresee.</summary>
    private static async Task ReadOutcomesAsync(DbConnection connection, Func<long, HouseholdEvents?> eventsOf, CancellationToken cancellationToken)
    {
        var outcomes = await connection.QueryAsync<OutcomeRow>(new CommandDefinition(
            "SELECT household_no AS HouseholdNo, visited_on AS VisitedOn, outcome AS Outcome FROM outcome",
            cancellationToken: cancellationToken));
        foreach (var row in outcomes)
        {
            if (eventsOf(row.HouseholdNo) is not { } events)
            {
                continue;
            }

            var kind = row.Outcome switch
            {
                "crisis_confirmed" or "supported" => TargetEventKind.CrisisConfirmed,
                "died_alone" => TargetEventKind.LonelyDeath,
                _ => (TargetEventKind?)null,
            };
            if (kind is { } k)
            {
                events.Targets.Add(new TargetEvent(IsoDate.Parse(row.VisitedOn), k));
            }
        }
    }

    private const string ArrearsSql =
        """
        SELECT p.household_no, a.source, a.reported_on, a.months_overdue, a.amount_krw, a.action
        FROM arrears a JOIN person p ON p.person_no = a.person_no
        WHERE p.household_no IS NOT NULL AND a.reported_on <= @to
        """;

    private const string WelfareSql =
        """
        SELECT p.household_no, w.event, w.event_date
        FROM welfare_event w JOIN person p ON p.person_no = w.person_no
        WHERE p.household_no IS NOT NULL AND w.event_date <= @to
        """;

    private const string ReportsSql =
        """
        SELECT COALESCE(r.household_no, p.household_no), r.reported_on
        FROM report r LEFT JOIN person p ON p.person_no = r.person_no
        WHERE r.reported_on <= @to
        """;

    internal static async Task ReadEventRowsAsync(DbConnection connection, string to, IEventSink sink, CancellationToken cancellationToken)
    {
        await using (var command = UpToCommand(connection, ArrearsSql, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                sink.AddArrears(reader.GetInt64(0), new ArrearsObservation(
                    SpecValue.Parse<ArrearsSource>(reader.GetString(1)),
                    IsoDate.Parse(reader.GetString(2)),
                    checked((int)reader.GetInt64(3)),
                    reader.GetInt64(4),
                    SpecValue.Parse<SupplyAction>(reader.GetString(5))));
            }
        }

        await using (var command = UpToCommand(connection, WelfareSql, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                sink.AddWelfare(reader.GetInt64(0), new WelfareObservation(SpecValue.Parse<WelfareEventKind>(reader.GetString(1)), IsoDate.Parse(reader.GetString(2))));
            }
        }

        await using (var command = UpToCommand(connection, ReportsSql, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!reader.IsDBNull(0))
                {
                    sink.AddReport(reader.GetInt64(0), IsoDate.Parse(reader.GetString(1)));
                }
            }
        }
    }

    /// <summary>
    /// SQLite: the same rows through the connection's own handle, codes and dates from one text pool (a million-household
    /// district has ~900k event rows, read every night; through the ADO.NET reader each brought three new strings), and
    /// each event's person joined to its household through <paramref name="persons"/> rather than by SQLite. The tables
    /// are read in the order the joins read them (arrears and reports as stored, welfare events by their key).
    /// </summary>
    internal static void ReadEventsInPlace(
        SqliteConnection connection, DateOnly end, PersonHouseholds persons, IEventSink sink, CancellationToken cancellationToken)
    {
        var to = IsoDate.Text(end);
        var texts = new TextPool();
        ForEachRow(
            connection,
            "SELECT person_no, source, reported_on, months_overdue, amount_krw, action FROM arrears WHERE reported_on <= ?1",
            to,
            cancellationToken,
            row =>
            {
                if (persons.TryGet(row.Int64(0), out var householdNo))
                {
                    sink.AddArrears(householdNo, new ArrearsObservation(
                        SpecValue.Parse<ArrearsSource>(texts.Get(row.Bytes(1))),
                        IsoDate.Parse(texts.Get(row.Bytes(2))),
                        checked((int)row.Int64(3)),
                        row.Int64(4),
                        SpecValue.Parse<SupplyAction>(texts.Get(row.Bytes(5)))));
                }
            });
        ForEachRow(
            connection,
            "SELECT person_no, event, event_date FROM welfare_event WHERE event_date <= ?1 ORDER BY person_no, event, event_date",
            to,
            cancellationToken,
            row =>
            {
                if (persons.TryGet(row.Int64(0), out var householdNo))
                {
                    sink.AddWelfare(householdNo, new WelfareObservation(
                        SpecValue.Parse<WelfareEventKind>(texts.Get(row.Bytes(1))),
                        IsoDate.Parse(texts.Get(row.Bytes(2)))));
                }
            });
        ForEachRow(
            connection,
            "SELECT household_no, person_no, reported_on FROM report WHERE reported_on <= ?1",
            to,
            cancellationToken,
            row =>
            {
                if (!row.IsNull(0))
                {
                    sink.AddReport(row.Int64(0), IsoDate.Parse(texts.Get(row.Bytes(2))));
                }
                else if (!row.IsNull(1) && persons.TryGet(row.Int64(1), out var householdNo))
                {
                    sink.AddReport(householdNo, IsoDate.Parse(texts.Get(row.Bytes(2))));
                }
            });
    }

    private static void ForEachRow(SqliteConnection connection, string sql, string to, CancellationToken cancellationToken, Action<SqliteRow> onRow) =>
        SqliteRows.ForEach(connection, sql, statement => SqliteRows.Bind(statement, 1, to), onRow, cancellationToken);

    // The callers dispose the command, not only its reader: a command left to the finalizer frees its statement on the
    // finalizer thread, which in SQLite's multi-thread mode (SqliteThreading) may race the connection's next read.
    private static DbCommand UpToCommand(DbConnection connection, string sql, string to)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("@to", to);
        return command;
    }

    private static DbCommand RangeCommand(DbConnection connection, string sql, DateIndex dates)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.AddParameter("@from", IsoDate.Text(dates.Start));
        command.AddParameter("@to", IsoDate.Text(dates.Start.AddDays(dates.Days - 1)));
        // Not SequentialAccess: the loops read the subject (column 1) before the date (column 0), which Npgsql refuses in
        // sequential mode; the rows are a few numbers each, so buffering a row costs nothing.
        return command;
    }

    /// <summary>Maps the store's date text to a day index without parsing each of millions of rows.</summary>
    private sealed class DateIndex
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public DateIndex(DateOnly start, int days)
        {
            Start = start;
            Days = days;
            for (var i = 0; i < days; i++)
            {
                _index[IsoDate.Text(start.AddDays(i))] = i;
            }
        }

        public DateOnly Start { get; }

        public int Days { get; }

        public bool TryGet(string date, out int day) => _index.TryGetValue(date, out day);
    }

    /// <summary>One household's series and lists while a window is read; <see cref="TryBuild"/> makes its record.</summary>
    internal sealed class Builder
    {
        private readonly HouseholdRow _row;
        // The lines seen by the row reader, which meets a line once per row; the chunked reader meets each line once and
        // only counts it (a set per household was a good part of the chunk's garbage at a million households).
        private HashSet<long>? _lines;
        private int _countedLines;
        private HouseholdEvents? _events;
        private List<PersonRow>? _members;
        private int _firstMember;
        private int _memberCount;

        /// <summary>
        /// A household whose series are <paramref name="slot"/> of <paramref name="usage"/> (a chunk's block, every value
        /// absent), or a block of its own.
        /// </summary>
        public Builder(HouseholdRow row, int days, HouseholdEvents? events = null, UsageBlock? usage = null, int slot = 0)
        {
            _row = row;
            _events = events;
            Usage = usage ?? new UsageBlock(1, days);
            Slot = slot;
        }

        public UsageBlock Usage { get; }

        /// <summary>The household's place in <see cref="Usage"/>.</summary>
        public int Slot { get; }

        // Made when the first event comes: most households have none, and the chunked reader makes a million builders a night.
        public HouseholdEvents Events => _events ??= new HouseholdEvents();

        /// <summary>The household's events as read elsewhere (the chunked reader's, when its records are built).</summary>
        public void UseEvents(HouseholdEvents? events) => _events = events;

        private ReadOnlySpan<PersonRow> Members =>
            _members is null ? [] : CollectionsMarshal.AsSpan(_members).Slice(_firstMember, _memberCount);

        /// <summary>A member, in a list of the household's own (the row reader: persons come in any order).</summary>
        public void AddMember(in PersonRow person)
        {
            if (_memberCount > 0 && _firstMember != 0)
            {
                throw new InvalidOperationException("A household's members are either in a shared list or in its own.");
            }

            (_members ??= []).Add(person);
            _memberCount++;
        }

        /// <summary>
        /// A member appended to <paramref name="shared"/>, the list of a chunk's persons, which come household by household
        /// (the chunked reader): no list and no object per household or person.
        /// </summary>
        public void AddMember(List<PersonRow> shared, in PersonRow person)
        {
            if (_memberCount == 0)
            {
                _members = shared;
                _firstMember = shared.Count;
            }
            else if (!ReferenceEquals(_members, shared) || _firstMember + _memberCount != shared.Count)
            {
                throw new InvalidOperationException($"The members of household {_row.HouseholdNo} did not come together.");
            }

            shared.Add(person);
            _memberCount++;
        }

        public void AddTelecom(int day, int callsOut, int callsIn, int smsOut, float dataMb, long personNo)
        {
            (_lines ??= []).Add(personNo);
            Usage.AddTelecomDay(Slot, day, callsOut, callsIn, smsOut, dataMb);
        }

        /// <summary>Where the household's <paramref name="day"/> is in <see cref="Usage"/>'s arrays.</summary>
        public int Cell(int day) => Usage.Cell(Slot, day);

        /// <summary>A line of the household that sent at least one telecom row in the window, met once (the chunked reader).</summary>
        public void CountLine() => _countedLines++;

        public bool TryBuild(DateOnly start, out HouseholdRecord record)
        {
            record = null!;
            var members = Members;
            if (members.IsEmpty)
            {
                return false;
            }

            // Plain loops, not LINQ: a million households a night, and the closures and enumerators were most of this method.
            ref readonly var head = ref members[HeadOf(members)];
            var stillHere = false;
            var aged65 = 0;
            foreach (ref readonly var member in members)
            {
                if (member.Status == "active")
                {
                    stillHere = true;
                    if (IsoDate.Parse(member.BirthDate).AddYears(65) <= start)
                    {
                        aged65++;
                    }
                }
            }

            DateOnly? goneOn = null;
            if (!stillHere)
            {
                // The last report of a household nobody lives in any more: when it was gone.
                var lastReported = DateOnly.MinValue;
                foreach (ref readonly var member in members)
                {
                    if (member.ReportedOn is not null && IsoDate.Parse(member.ReportedOn) is var reported && reported > lastReported)
                    {
                        lastReported = reported;
                    }
                }

                goneOn = lastReported;
            }

            if (_row.HouseholdSize == 1)
            {
                // A death in a one-person household that the registry learnt of 3+ days later is a lonely death (SPEC Targets).
                foreach (ref readonly var member in members)
                {
                    if (member is { Status: "deceased", StatusDate: not null, ReportedOn: not null }
                        && IsoDate.Parse(member.ReportedOn).DayNumber - IsoDate.Parse(member.StatusDate).DayNumber >= 3)
                    {
                        Events.Targets.Add(new TargetEvent(IsoDate.Parse(member.ReportedOn), TargetEventKind.LonelyDeath));
                    }
                }
            }

            var events = _events;
            events?.Sort();
            var firstSeen = _row.FirstSeenOn is null ? start : IsoDate.Parse(_row.FirstSeenOn);
            var history = new HouseholdHistory
            {
                HouseholdKey = _row.HouseholdKey,
                DongCode = _row.DongCode,
                Profile = new HouseholdProfile(
                    Math.Max(1, _row.HouseholdSize ?? members.Length),
                    IsoDate.Parse(head.BirthDate),
                    head.Sex == "M" ? Sex.Male : Sex.Female,
                    _row.HousingType is null ? HousingType.Other : SpecValue.Parse<HousingType>(_row.HousingType),
                    firstSeen,
                    aged65),
                Start = start,
                Kwh = Usage.Series(Usage.Kwh, Slot),
                ActiveHours = Usage.Series(Usage.ActiveHours, Slot),
                WaterLiters = Usage.Series(Usage.Water, Slot),
                CallsOut = Usage.Series(Usage.CallsOut, Slot),
                CallsIn = Usage.Series(Usage.CallsIn, Slot),
                SmsOut = Usage.Series(Usage.SmsOut, Slot),
                DataMb = Usage.Series(Usage.DataMb, Slot),
                TelecomLines = (_lines?.Count ?? 0) + _countedLines,
                Arrears = events?.ArrearsRead ?? [],
                Welfare = events?.WelfareRead ?? [],
                Reports = events?.ReportsRead ?? [],
            };
            record = new HouseholdRecord(_row.HouseholdNo, history, firstSeen, goneOn, events?.TargetsRead ?? []);
            return true;
        }

        /// <summary>The active head; else any head; else the eldest (the earliest birth date, the first listed among equals).</summary>
        private static int HeadOf(ReadOnlySpan<PersonRow> members)
        {
            var head = -1;
            var eldest = 0;
            for (var i = 0; i < members.Length; i++)
            {
                ref readonly var member = ref members[i];
                if (member.Relation == "head")
                {
                    if (member.Status == "active")
                    {
                        return i;
                    }

                    if (head < 0)
                    {
                        head = i;
                    }
                }

                if (string.CompareOrdinal(member.BirthDate, members[eldest].BirthDate) < 0)
                {
                    eldest = i;
                }
            }

            return head >= 0 ? head : eldest;
        }
    }

    // Property classes rather than positional records: Dapper converts column types per property, which keeps the
    // same mapping working whatever integer width each dialect returns.
    internal sealed class HouseholdRow
    {
        public long HouseholdNo { get; init; }
        public string HouseholdKey { get; init; } = "";
        public string DongCode { get; init; } = "";
        public int? HouseholdSize { get; init; }
        public string? HousingType { get; init; }
        public string? FirstSeenOn { get; init; }

        /// <summary>The row at the reader: household_no, household_key, dong_code, household_size, housing_type, first_seen_on.</summary>
        public static HouseholdRow Read(DbDataReader reader) => new()
        {
            HouseholdNo = reader.GetInt64(0),
            HouseholdKey = reader.GetString(1),
            // A district has a few dozen dong codes and a night keeps one per household to the end: one string each.
            DongCode = string.Intern(reader.GetString(2)),
            HouseholdSize = reader.IsDBNull(3) ? null : checked((int)reader.GetInt64(3)),
            HousingType = TextOrNull(reader, 4),
            FirstSeenOn = TextOrNull(reader, 5),
        };
    }

    private static string? TextOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A person as the readers take it: a value, kept in its household's (or its chunk's) list.</summary>
    internal readonly record struct PersonRow
    {
        public long PersonNo { get; init; }
        public long HouseholdNo { get; init; }
        public string BirthDate { get; init; }
        public string? Sex { get; init; }
        public string? Relation { get; init; }
        public string? Status { get; init; }
        public string? StatusDate { get; init; }
        public string? ReportedOn { get; init; }

        /// <summary>The row at the reader: person_no, household_no, birth_date, sex, relation, status, status_date, reported_on.</summary>
        public static PersonRow Read(DbDataReader reader) => new()
        {
            PersonNo = reader.GetInt64(0),
            HouseholdNo = reader.GetInt64(1),
            BirthDate = TextOrNull(reader, 2) ?? "",
            Sex = TextOrNull(reader, 3),
            Relation = TextOrNull(reader, 4),
            Status = TextOrNull(reader, 5),
            StatusDate = TextOrNull(reader, 6),
            ReportedOn = TextOrNull(reader, 7),
        };
    }

    /// <summary>Where the event reader puts each row, by household number.</summary>
    internal interface IEventSink
    {
        public void AddArrears(long householdNo, ArrearsObservation arrears);

        public void AddWelfare(long householdNo, WelfareObservation welfare);

        public void AddReport(long householdNo, DateOnly reportedOn);
    }

    /// <summary>Rows appended to the lists <c>eventsOf</c> gives for a household number (null: not read).</summary>
    internal sealed class EventLists(Func<long, HouseholdEvents?> eventsOf) : IEventSink
    {
        public void AddArrears(long householdNo, ArrearsObservation arrears) => eventsOf(householdNo)?.Arrears.Add(arrears);

        public void AddWelfare(long householdNo, WelfareObservation welfare) => eventsOf(householdNo)?.Welfare.Add(welfare);

        public void AddReport(long householdNo, DateOnly reportedOn) => eventsOf(householdNo)?.Reports.Add(reportedOn);
    }

    /// <summary>A household's dated events, filled through <see cref="EventLists"/> or made by <see cref="EventColumns"/>.</summary>
    /// <remarks>
    /// A kind's list is made when its first event comes: most households have one kind or none, and the whole-window
    /// reader keeps every household's events to its end.
    /// </remarks>
    internal sealed class HouseholdEvents
    {
        private List<ArrearsObservation>? _arrears;
        private List<WelfareObservation>? _welfare;
        private List<DateOnly>? _reports;
        private List<TargetEvent>? _targets;

        /// <summary>A household's events as an <see cref="EventColumns"/> holds them, in the order they were read.</summary>
        public static HouseholdEvents Of(ReadOnlySpan<ArrearsObservation> arrears, ReadOnlySpan<WelfareObservation> welfare, ReadOnlySpan<DateOnly> reports) => new()
        {
            _arrears = arrears.IsEmpty ? null : [.. arrears],
            _welfare = welfare.IsEmpty ? null : [.. welfare],
            _reports = reports.IsEmpty ? null : [.. reports],
        };

        public List<ArrearsObservation> Arrears => _arrears ??= [];
        public List<WelfareObservation> Welfare => _welfare ??= [];
        public List<DateOnly> Reports => _reports ??= [];
        public List<TargetEvent> Targets => _targets ??= [];

        public IReadOnlyList<ArrearsObservation> ArrearsRead => (IReadOnlyList<ArrearsObservation>?)_arrears ?? [];
        public IReadOnlyList<WelfareObservation> WelfareRead => (IReadOnlyList<WelfareObservation>?)_welfare ?? [];
        public IReadOnlyList<DateOnly> ReportsRead => (IReadOnlyList<DateOnly>?)_reports ?? [];
        public IReadOnlyList<TargetEvent> TargetsRead => (IReadOnlyList<TargetEvent>?)_targets ?? [];

        /// <summary>Each kind in date order.</summary>
        public void Sort()
        {
            _targets?.Sort((a, b) => a.On.CompareTo(b.On));
            _arrears?.Sort((a, b) => a.ReportedOn.CompareTo(b.ReportedOn));
            _welfare?.Sort((a, b) => a.On.CompareTo(b.On));
            _reports?.Sort();
        }
    }

    private sealed class OutcomeRow
    {
        public long HouseholdNo { get; init; }
        public string VisitedOn { get; init; } = "";
        public string Outcome { get; init; } = "";
    }
}
