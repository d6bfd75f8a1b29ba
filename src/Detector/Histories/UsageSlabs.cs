using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Histories;

/// <summary>The usage feeds kept as day slabs, and what their rows are keyed by.</summary>
internal enum SlabFeed { Electricity, Water, Telecom }

/// <summary>
/// The store's <c>usage_slab</c> table: per usage feed, date and range of <see cref="Span"/> subject numbers (households;
/// persons for telecom), the day's values as one blob indexed by the offset from the range's first number. It is derived
/// from the row tables and checked against the ingest ledger: a date whose loaded files differ from the ones its slabs were
/// built from (a .v2 re-send, a late file) is rebuilt. A build deletes and writes a date's slabs in one write transaction
/// and gives the same bytes for the same rows, so a crash leaves either the old date or the new one, and two workers
/// building the same date agree.
/// </summary>
internal sealed class UsageSlabs(RiskStore store)
{
    /// <summary>Subjects per slab: also the nightly pass's chunk of households, so a chunk reads one slab per feed and day.</summary>
    public const int Span = 1 << 15;

    /// <summary>The row that says a date is built (and from which files) even where no range has rows.</summary>
    private const long MarkerNo = -1;

    private const int Format = 1;

    private static readonly TableSpec SlabTable = new("usage_slab", ["feed", "first_no", "date", "source", "format", "payload"], ["feed", "first_no", "date"]);

    public static string TableOf(SlabFeed feed) => feed switch
    {
        SlabFeed.Electricity => "usage_electricity",
        SlabFeed.Water => "usage_water",
        SlabFeed.Telecom => "usage_telecom",
        _ => throw new ArgumentOutOfRangeException(nameof(feed)),
    };

    public static long FirstNoOf(long subjectNo) => subjectNo - (subjectNo % Span);

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
            .ToDictionary(g => g.Key, g => Source(g.Select(r => r.FileId)));
        var built = (await connection.QueryAsync<(string Feed, string Date, string Source)>(new CommandDefinition(
                "SELECT feed, date, source FROM usage_slab WHERE first_no = @marker AND date >= @from AND date <= @to",
                new { marker = MarkerNo, from, to },
                cancellationToken: cancellationToken)))
            .ToDictionary(r => (r.Feed, r.Date), r => r.Source);

        var count = 0;
        foreach (var feed in Enum.GetValues<SlabFeed>())
        {
            var table = TableOf(feed);
            for (var date = start; date <= end; date = date.AddDays(1))
            {
                var key = (table, IsoDate.Text(date));
                var source = ledger.GetValueOrDefault(key, "");
                if (built.TryGetValue(key, out var had) && had == source)
                {
                    continue;
                }

                await BuildAsync(connection, feed, date, cancellationToken);
                count++;
            }
        }

        return count;
    }

    /// <summary>The ledger's name for the rows of a feed and date: the ids of its loaded files.</summary>
    private static string Source(IEnumerable<long> fileIds) =>
        string.Join(',', fileIds.Order().Select(id => id.ToString(CultureInfo.InvariantCulture)));

    private async Task BuildAsync(DbConnection connection, SlabFeed feed, DateOnly date, CancellationToken cancellationToken)
    {
        // Under the write lock, so no ingest commits between reading the ledger and the rows: the source names exactly
        // the rows the slabs hold.
        await using var transaction = await store.Dialect.BeginWriteTransactionAsync(connection, cancellationToken);
        var table = TableOf(feed);
        var text = IsoDate.Text(date);
        var source = Source(await connection.QueryAsync<long>(new CommandDefinition(
            "SELECT file_id FROM ingest_file WHERE status = 'loaded' AND feed = @table AND as_of = @text",
            new { table, text },
            transaction,
            cancellationToken: cancellationToken)));

        var slabs = new SortedDictionary<long, SlabWriter>();
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = feed switch
            {
                SlabFeed.Electricity => "SELECT household_no, kwh, active_hours FROM usage_electricity WHERE date = @date",
                SlabFeed.Water => "SELECT household_no, liters FROM usage_water WHERE date = @date",
                _ => "SELECT person_no, calls_out, calls_in, sms_out, data_mb FROM usage_telecom WHERE date = @date",
            };
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@date";
            parameter.Value = text;
            command.Parameters.Add(parameter);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var no = reader.GetInt64(0);
                var first = FirstNoOf(no);
                if (!slabs.TryGetValue(first, out var slab))
                {
                    slab = new SlabWriter(feed);
                    slabs.Add(first, slab);
                }

                var offset = (int)(no - first);
                switch (feed)
                {
                    case SlabFeed.Electricity:
                        slab.Electricity(
                            offset,
                            reader.IsDBNull(1) ? float.NaN : (float)reader.GetDouble(1),
                            reader.IsDBNull(2) ? (sbyte)-1 : (sbyte)reader.GetInt32(2));
                        break;
                    case SlabFeed.Water:
                        slab.Water(offset, reader.IsDBNull(1) ? float.NaN : (float)reader.GetDouble(1));
                        break;
                    default:
                        slab.Telecom(offset, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), (float)reader.GetDouble(4));
                        break;
                }
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM usage_slab WHERE feed = @table AND date = @text",
            new { table, text },
            transaction,
            cancellationToken: cancellationToken));
        var upsert = store.Dialect.UpsertSql(SlabTable);
        await connection.ExecuteAsync(new CommandDefinition(
            upsert,
            new { feed = table, first_no = MarkerNo, date = text, source, format = (long)Format, payload = Array.Empty<byte>() },
            transaction,
            cancellationToken: cancellationToken));
        foreach (var (first, slab) in slabs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                upsert,
                new { feed = table, first_no = first, date = text, source, format = (long)Format, payload = slab.ToBytes() },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="onDay"/> with each built date's slab of the range starting at <paramref name="firstNo"/>
    /// (dates without rows there are skipped: every value absent), in date order.
    /// </summary>
    public static async Task ReadAsync(
        DbConnection connection, SlabFeed feed, long firstNo, DateOnly start, DateOnly end, Action<int, SlabView> onDay,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT date, payload FROM usage_slab WHERE feed = @feed AND first_no = @first AND date >= @from AND date <= @to ORDER BY date";
        Add(command, "@feed", TableOf(feed));
        Add(command, "@first", firstNo);
        Add(command, "@from", IsoDate.Text(start));
        Add(command, "@to", IsoDate.Text(end));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var day = IsoDate.Parse(reader.GetString(0)).DayNumber - start.DayNumber;
            // One copy out of SQLite's page cache; GetBytes with a length probe first copied every blob twice.
            var payload = reader.GetFieldValue<byte[]>(1);
            onDay(day, new SlabView(feed, payload));
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// One slab while it is built. Layout (little-endian), n = highest offset with a row + 1:
    /// electricity float kwh[n] then sbyte active_hours[n] (NaN / -1: no value); water float liters[n];
    /// telecom short calls_out[n] (-1: no row that day), short calls_in[n], short sms_out[n], float data_mb[n].
    /// Telecom counts are capped at short.MaxValue each: the history adds a household's lines and caps the sum there, so
    /// a capped term gives the same capped sum.
    /// </summary>
    private sealed class SlabWriter
    {
        private readonly SlabFeed _feed;
        private readonly float[] _f = new float[Span];
        private readonly sbyte[] _b;
        private readonly short[] _s1;
        private readonly short[] _s2;
        private readonly short[] _s3;
        private int _count;

        public SlabWriter(SlabFeed feed)
        {
            _feed = feed;
            Array.Fill(_f, float.NaN);
            _b = feed == SlabFeed.Electricity ? new sbyte[Span] : [];
            Array.Fill(_b, (sbyte)-1);
            _s1 = feed == SlabFeed.Telecom ? new short[Span] : [];
            Array.Fill(_s1, (short)-1);
            _s2 = feed == SlabFeed.Telecom ? new short[Span] : [];
            _s3 = feed == SlabFeed.Telecom ? new short[Span] : [];
            if (feed == SlabFeed.Telecom)
            {
                Array.Fill(_f, 0f);
            }
        }

        public void Electricity(int offset, float kwh, sbyte activeHours)
        {
            _f[offset] = kwh;
            _b[offset] = activeHours;
            _count = Math.Max(_count, offset + 1);
        }

        public void Water(int offset, float liters)
        {
            _f[offset] = liters;
            _count = Math.Max(_count, offset + 1);
        }

        public void Telecom(int offset, long callsOut, long callsIn, long smsOut, float dataMb)
        {
            _s1[offset] = Cap(callsOut);
            _s2[offset] = Cap(callsIn);
            _s3[offset] = Cap(smsOut);
            _f[offset] = dataMb;
            _count = Math.Max(_count, offset + 1);
        }

        private static short Cap(long value) => value < 0
            ? throw new InvalidDataException($"A negative telecom count ({value}) in the store.")
            : (short)Math.Min(value, short.MaxValue);

        public byte[] ToBytes()
        {
            var n = _count;
            var bytes = _feed switch
            {
                SlabFeed.Electricity => new byte[n * 5],
                SlabFeed.Water => new byte[n * 4],
                _ => new byte[n * 10],
            };
            var at = 0;
            if (_feed == SlabFeed.Telecom)
            {
                at = Put(bytes, at, _s1.AsSpan(0, n));
                at = Put(bytes, at, _s2.AsSpan(0, n));
                at = Put(bytes, at, _s3.AsSpan(0, n));
            }

            at = Put(bytes, at, _f.AsSpan(0, n));
            if (_feed == SlabFeed.Electricity)
            {
                MemoryMarshal.AsBytes(_b.AsSpan(0, n)).CopyTo(bytes.AsSpan(at));
            }

            return bytes;
        }

        private static int Put<T>(byte[] bytes, int at, ReadOnlySpan<T> values)
            where T : unmanaged
        {
            var raw = MemoryMarshal.AsBytes(values);
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Usage slabs are stored little-endian.");
            }

            raw.CopyTo(bytes.AsSpan(at));
            return at + raw.Length;
        }
    }
}

/// <summary>
/// One slab as read: the values at an offset from the range's first number; offsets past its end have none. The columns
/// are typed views over the blob (it is stored little-endian), taken once per day by the readers' inner loops.
/// </summary>
internal readonly struct SlabView(SlabFeed feed, ReadOnlyMemory<byte> payload)
{
    public int Count => feed switch
    {
        SlabFeed.Electricity => payload.Length / 5,
        SlabFeed.Water => payload.Length / 4,
        _ => payload.Length / 10,
    };

    public ReadOnlySpan<float> Kwh => Floats(0);

    public ReadOnlySpan<sbyte> ActiveHours => MemoryMarshal.Cast<byte, sbyte>(payload.Span.Slice(Count * 4, Count));

    public ReadOnlySpan<float> Liters => Floats(0);

    public ReadOnlySpan<short> CallsOut => Shorts(0);

    public ReadOnlySpan<short> CallsIn => Shorts(Count * 2);

    public ReadOnlySpan<short> SmsOut => Shorts(Count * 4);

    public ReadOnlySpan<float> DataMb => Floats(Count * 6);

    private ReadOnlySpan<float> Floats(int at) => MemoryMarshal.Cast<byte, float>(payload.Span.Slice(at, Count * 4));

    private ReadOnlySpan<short> Shorts(int at) => MemoryMarshal.Cast<byte, short>(payload.Span.Slice(at, Count * 2));
}
