using System.Data.Common;
using System.Runtime.InteropServices;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;
using SQLitePCL;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// The store's <c>usage_slab</c> table: per usage feed, date and range of <see cref="Span"/> subject numbers (households;
/// persons for telecom), the day's values as one blob indexed by the offset from the range's first number. It is derived
/// from the row tables and checked against the ingest ledger: a date whose loaded files differ from the ones its slabs were
/// built from (a .v2 re-send, a late file) is rebuilt. The ingest writes a usage file's own day with its rows when the
/// file holds all of that day's rows (<see cref="UsageSlab"/>), so a night usually finds its new day built. A build deletes and writes a date's slabs in one write transaction
/// and gives the same bytes for the same rows, so a crash leaves either the old date or the new one, and two workers
/// building the same date agree.
/// </summary>
internal sealed class UsageSlabs(RiskStore store)
{
    /// <summary>Subjects per slab (<see cref="UsageSlab.Span"/>): also the nightly pass's chunk of households.</summary>
    public const int Span = UsageSlab.Span;

    public static string TableOf(SlabFeed feed) => UsageSlab.TableOf(feed);

    /// <summary>Slab bytes a build keeps before it writes them: bounds its memory when a first night builds the whole window.</summary>
    internal long BatchBytes { get; init; } = 64L << 20;

    public static long FirstNoOf(long subjectNo) => UsageSlab.FirstNoOf(subjectNo);

    /// <summary>Builds every slab of the window that is missing or stale against the ledger; returns how many dates it built.</summary>
    public async Task<int> EnsureAsync(DateOnly start, DateOnly end, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var from = IsoDate.Text(start);
        var to = IsoDate.Text(end);
        var ledger = (await connection.QueryAsync<(string Feed, string Date, long FileId)>(new CommandDefinition(
                """
                SELECT feed, as_of, file_id FROM ingest_file
                WHERE status = 'loaded' AND as_of >= @from AND as_of <= @to
                  AND feed IN ('usage_electricity', 'usage_water', 'usage_telecom')
                """,
                new { from, to },
                cancellationToken: cancellationToken)))
            .GroupBy(r => (r.Feed, r.Date))
            .ToDictionary(g => g.Key, g => UsageSlab.Source(g.Select(r => r.FileId)));
        var built = (await connection.QueryAsync<(string Feed, string Date, string Source)>(new CommandDefinition(
                "SELECT feed, date, source FROM usage_slab WHERE first_no = @marker AND date >= @from AND date <= @to",
                new { marker = UsageSlab.MarkerNo, from, to },
                cancellationToken: cancellationToken)))
            .ToDictionary(r => (r.Feed, r.Date), r => r.Source);

        var count = 0;
        foreach (var feed in Enum.GetValues<SlabFeed>())
        {
            var table = TableOf(feed);
            var stale = new List<DateOnly>();
            for (var date = start; date <= end; date = date.AddDays(1))
            {
                var key = (table, IsoDate.Text(date));
                var source = ledger.GetValueOrDefault(key, "");
                if (!built.TryGetValue(key, out var had) || had != source)
                {
                    stale.Add(date);
                }
            }

            // One scan of the feed's rows for all its stale dates (a first night: the whole window), not one query and
            // one commit per date: a batch is one write transaction.
            for (var at = 0; at < stale.Count;)
            {
                at = await BuildAsync(connection, feed, stale, at, cancellationToken);
            }

            count += stale.Count;
        }

        return count;
    }

    /// <summary>
    /// Builds the stale dates <paramref name="dates"/>[<paramref name="at"/>..] (ascending) of a feed from one scan of its
    /// rows, in one write transaction, stopping at a date boundary once <see cref="BatchBytes"/> of slabs wait to be
    /// written; returns the index of the first date left for the next batch.
    /// </summary>
    private async Task<int> BuildAsync(
        DbConnection connection, SlabFeed feed, IReadOnlyList<DateOnly> dates, int at, CancellationToken cancellationToken)
    {
        // Under the write lock, so no ingest commits between reading the ledger and the rows: the sources name exactly
        // the rows the slabs hold.
        await using var transaction = await store.Dialect.BeginWriteTransactionAsync(connection, cancellationToken);
        var table = TableOf(feed);
        var from = IsoDate.Text(dates[at]);
        var to = IsoDate.Text(dates[^1]);
        var wanted = new HashSet<string>(dates.Skip(at).Select(IsoDate.Text), StringComparer.Ordinal);
        var sources = (await connection.QueryAsync<(string Date, long FileId)>(new CommandDefinition(
                "SELECT as_of, file_id FROM ingest_file WHERE status = 'loaded' AND feed = @table AND as_of >= @from AND as_of <= @to",
                new { table, from, to },
                transaction,
                cancellationToken: cancellationToken)))
            .GroupBy(r => r.Date)
            .ToDictionary(g => g.Key, g => UsageSlab.Source(g.Select(r => r.FileId)), StringComparer.Ordinal);

        var batch = new SlabBatch(feed, wanted, BatchBytes);
        if (connection is SqliteConnection sqlite)
        {
            ScanInPlace(sqlite, feed, from, to, batch, cancellationToken);
        }
        else
        {
            await ScanAsync(connection, transaction, feed, from, to, batch, cancellationToken);
        }

        batch.End();
        var stoppedAt = batch.StoppedAt;

        // Dates of the batch without a row in the table are built too: their marker says so.
        var next = at;
        var rows = batch.Finished.ToDictionary(f => f.Date, f => f.Slabs, StringComparer.Ordinal);
        for (; next < dates.Count; next++)
        {
            var text = IsoDate.Text(dates[next]);
            if (stoppedAt is not null && string.CompareOrdinal(text, stoppedAt) >= 0)
            {
                break;
            }

            await UsageSlab.WriteDateAsync(
                connection, transaction, store.Dialect, feed, text, sources.GetValueOrDefault(text, ""), rows.GetValueOrDefault(text) ?? [], cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return next;
    }

    private static string ScanSql(SlabFeed feed, string from, string to) => feed switch
    {
        SlabFeed.Electricity => $"SELECT date, household_no, kwh, active_hours FROM usage_electricity WHERE date >= {from} AND date <= {to} ORDER BY date",
        SlabFeed.Water => $"SELECT date, household_no, liters FROM usage_water WHERE date >= {from} AND date <= {to} ORDER BY date",
        _ => $"SELECT date, person_no, calls_out, calls_in, sms_out, data_mb FROM usage_telecom WHERE date >= {from} AND date <= {to} ORDER BY date",
    };

    /// <summary>The feed's rows of the batch's dates, in date order, into <paramref name="batch"/> (any dialect).</summary>
    private static async Task ScanAsync(
        DbConnection connection, DbTransaction transaction, SlabFeed feed, string from, string to, SlabBatch batch, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ScanSql(feed, "@from", "@to");
        command.AddParameter("@from", from);
        command.AddParameter("@to", to);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? current = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var date = reader.GetString(0);
            if (!string.Equals(date, current, StringComparison.Ordinal))
            {
                current = date;
                if (!batch.BeginDate(date))
                {
                    return;
                }
            }

            if (!batch.Building)
            {
                continue;
            }

            var no = reader.GetInt64(1);
            switch (feed)
            {
                case SlabFeed.Electricity:
                    batch.Electricity(
                        no,
                        reader.IsDBNull(2) ? float.NaN : (float)reader.GetDouble(2),
                        reader.IsDBNull(3) ? (sbyte)-1 : (sbyte)reader.GetInt64(3));
                    break;
                case SlabFeed.Water:
                    batch.Water(no, reader.IsDBNull(2) ? float.NaN : (float)reader.GetDouble(2));
                    break;
                default:
                    batch.Telecom(no, reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), (float)reader.GetDouble(5));
                    break;
            }
        }
    }

    /// <summary>
    /// SQLite: the same scan stepped through the connection's own handle, columns read as numbers where SQLite keeps
    /// them and the date compared as bytes (a string only when it changes): the ADO.NET reader's per-column work was most
    /// of a slab build.
    /// </summary>
    private static void ScanInPlace(SqliteConnection connection, SlabFeed feed, string from, string to, SlabBatch batch, CancellationToken cancellationToken)
    {
        var database = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var rc = raw.sqlite3_prepare_v2(database, ScanSql(feed, "?1", "?2"), out var statement);
        using (statement)
        {
            SqliteException.ThrowExceptionForRC(rc, database);
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, 1, from), database);
            SqliteException.ThrowExceptionForRC(raw.sqlite3_bind_text(statement, 2, to), database);
            Span<byte> current = stackalloc byte[32];
            var currentLength = -1;
            var rows = 0;
            var row = SqliteRow.Of(statement);
            while ((rc = SqliteRows.Step(statement)) == raw.SQLITE_ROW)
            {
                if ((++rows & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var date = row.Bytes(0);
                if (currentLength < 0 || !date.SequenceEqual(current[..currentLength]))
                {
                    if (date.Length > current.Length)
                    {
                        throw new InvalidDataException("A usage row's date is not an ISO date.");
                    }

                    date.CopyTo(current);
                    currentLength = date.Length;
                    if (!batch.BeginDate(Encoding.UTF8.GetString(date)))
                    {
                        return;
                    }
                }

                if (!batch.Building)
                {
                    continue;
                }

                var no = row.Int64(1);
                switch (feed)
                {
                    case SlabFeed.Electricity:
                        batch.Electricity(
                            no,
                            row.IsNull(2) ? float.NaN : (float)row.Double(2),
                            row.IsNull(3) ? (sbyte)-1 : (sbyte)row.Int64(3));
                        break;
                    case SlabFeed.Water:
                        batch.Water(no, row.IsNull(2) ? float.NaN : (float)row.Double(2));
                        break;
                    default:
                        batch.Telecom(
                            no,
                            row.Int64(2),
                            row.Int64(3),
                            row.Int64(4),
                            (float)row.Double(5));
                        break;
                }
            }

            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, database);
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="onDay"/> with each built date's slab of the range starting at <paramref name="firstNo"/>
    /// (dates without rows there are skipped: every value absent), in date order. The slab is valid during the call only.
    /// </summary>
    public static async Task ReadAsync(
        DbConnection connection, SlabFeed feed, long firstNo, DateOnly start, DateOnly end, SlabDay onDay,
        CancellationToken cancellationToken)
    {
        if (connection is SqliteConnection sqlite)
        {
            ReadInPlace(sqlite, feed, firstNo, start, end, onDay, cancellationToken);
            return;
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT date, payload FROM usage_slab WHERE feed = @feed AND first_no = @first AND date >= @from AND date <= @to ORDER BY date";
        command.AddParameter("@feed", TableOf(feed));
        command.AddParameter("@first", firstNo);
        command.AddParameter("@from", IsoDate.Text(start));
        command.AddParameter("@to", IsoDate.Text(end));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var day = IsoDate.Parse(reader.GetString(0)).DayNumber - start.DayNumber;
            var payload = reader.GetFieldValue<byte[]>(1);
            onDay(day, new SlabView(feed, payload));
        }
    }

    /// <summary>
    /// SQLite: each blob is decoded where SQLite assembled it from its overflow pages, through the connection's own
    /// handle: no managed copy, and no large-object-heap array per slab and day (those were a third of the read).
    /// </summary>
    private static void ReadInPlace(
        SqliteConnection connection, SlabFeed feed, long firstNo, DateOnly start, DateOnly end, SlabDay onDay,
        CancellationToken cancellationToken) =>
        SqliteRows.ForEach(
            connection,
            "SELECT date, payload FROM usage_slab WHERE feed = ?1 AND first_no = ?2 AND date >= ?3 AND date <= ?4 ORDER BY date",
            statement =>
            {
                SqliteRows.Bind(statement, 1, TableOf(feed));
                SqliteRows.Bind(statement, 2, firstNo);
                SqliteRows.Bind(statement, 3, IsoDate.Text(start));
                SqliteRows.Bind(statement, 4, IsoDate.Text(end));
            },
            row =>
            {
                var day = IsoDate.Parse(row.Text(0)).DayNumber - start.DayNumber;
                onDay(day, new SlabView(feed, row.Bytes(1)));
            },
            cancellationToken);

    /// <summary>
    /// The dates one build scans, filled row by row in date order: a date's slabs become bytes when its rows end, and the
    /// batch stops taking dates (at a date boundary) once <c>budget</c> bytes wait to be written.
    /// </summary>
    private sealed class SlabBatch(SlabFeed feed, HashSet<string> wanted, long budget)
    {
        private readonly DaySlabs _day = new(feed);
        private string? _current;
        private long _pending;

        /// <summary>Each finished date's slabs by range.</summary>
        public List<(string Date, List<(long FirstNo, byte[] Payload)> Slabs)> Finished { get; } = [];

        /// <summary>The first date the batch did not take (null: the scan reached its end).</summary>
        public string? StoppedAt { get; private set; }

        /// <summary>Rows of the current date go into slabs (it is one of the stale dates).</summary>
        public bool Building { get; private set; }

        /// <summary>The scan reached a new date; false when the batch is full and the scan must stop before it.</summary>
        public bool BeginDate(string date)
        {
            FinishCurrent();
            if (_pending >= budget)
            {
                StoppedAt = date;
                return false;
            }

            _current = date;
            Building = wanted.Contains(date);
            return true;
        }

        public void End()
        {
            if (StoppedAt is null)
            {
                FinishCurrent();
            }
        }

        public void Electricity(long no, float kwh, sbyte activeHours) => _day.For(no, out var offset).Electricity(offset, kwh, activeHours);

        public void Water(long no, float liters) => _day.For(no, out var offset).Water(offset, liters);

        public void Telecom(long no, long callsOut, long callsIn, long smsOut, float dataMb) =>
            _day.For(no, out var offset).Telecom(offset, callsOut, callsIn, smsOut, dataMb);

        private void FinishCurrent()
        {
            if (!Building)
            {
                return;
            }

            var slabs = _day.TakeSlabs();
            _pending += slabs.Sum(s => (long)s.Payload.Length);
            Finished.Add((_current!, slabs));
            Building = false;
        }
    }
}

/// <summary>Receives one date's slab (<paramref name="day"/>: days after the window's start) while a range is read.</summary>
internal delegate void SlabDay(int day, SlabView slab);

/// <summary>
/// One slab as read: the values at an offset from the range's first number; offsets past its end have none. The columns
/// are typed views over the blob (it is stored little-endian), taken once per day by the readers' inner loops; the blob
/// may be SQLite's own buffer, so a view lives only as long as the call it is given to.
/// </summary>
internal readonly ref struct SlabView
{
    private readonly SlabFeed _feed;
    private readonly ReadOnlySpan<byte> _payload;

    public SlabView(SlabFeed feed, ReadOnlySpan<byte> payload)
    {
        _feed = feed;
        _payload = payload;
    }

    public int Count => _feed switch
    {
        SlabFeed.Electricity => _payload.Length / 5,
        SlabFeed.Water => _payload.Length / 4,
        _ => _payload.Length / 10,
    };

    public ReadOnlySpan<float> Kwh => Floats(0);

    public ReadOnlySpan<sbyte> ActiveHours => MemoryMarshal.Cast<byte, sbyte>(_payload.Slice(Count * 4, Count));

    public ReadOnlySpan<float> Liters => Floats(0);

    public ReadOnlySpan<short> CallsOut => Shorts(0);

    public ReadOnlySpan<short> CallsIn => Shorts(Count * 2);

    public ReadOnlySpan<short> SmsOut => Shorts(Count * 4);

    public ReadOnlySpan<float> DataMb => Floats(Count * 6);

    // SQLite's buffer is not aligned for floats: Cast reads unaligned, which x64 and arm64 allow.
    private ReadOnlySpan<float> Floats(int at) => MemoryMarshal.Cast<byte, float>(_payload.Slice(at, Count * 4));

    private ReadOnlySpan<short> Shorts(int at) => MemoryMarshal.Cast<byte, short>(_payload.Slice(at, Count * 2));
}
