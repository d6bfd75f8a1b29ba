using System.Data.Common;
using System.Globalization;
using System.Runtime.InteropServices;
using Dapper;

namespace RiskWatch.Ingest.Store;

/// <summary>The usage feeds kept as day slabs, and what their rows are keyed by.</summary>
public enum SlabFeed { Electricity, Water, Telecom }

/// <summary>
/// The store's <c>usage_slab</c> table: per usage feed, date and range of <see cref="Span"/> subject numbers (households;
/// persons for telecom), the day's values as one blob indexed by the offset from the range's first number, beside a
/// marker row naming the loaded files the date was built from. The ingest writes the slabs of a file's own day with its
/// rows; the nightly pass (RiskWatch.Detector's UsageSlabs) builds every other date from the row tables.
/// </summary>
public static class UsageSlab
{
    /// <summary>Subjects per slab: also the nightly pass's chunk of households, so a chunk reads one slab per feed and day.</summary>
    public const int Span = 1 << 15;

    /// <summary>The row that says a date is built (and from which files) even where no range has rows.</summary>
    public const long MarkerNo = -1;

    public const int Format = 1;

    public static TableSpec Table { get; } = new("usage_slab", ["feed", "first_no", "date", "source", "format", "payload"], ["feed", "first_no", "date"]);

    public static string TableOf(SlabFeed feed) => feed switch
    {
        SlabFeed.Electricity => "usage_electricity",
        SlabFeed.Water => "usage_water",
        SlabFeed.Telecom => "usage_telecom",
        _ => throw new ArgumentOutOfRangeException(nameof(feed)),
    };

    public static long FirstNoOf(long subjectNo) => subjectNo - (subjectNo % Span);

    /// <summary>The ledger's name for the rows of a feed and date: the ids of its loaded files.</summary>
    public static string Source(IEnumerable<long> fileIds) =>
        string.Join(',', fileIds.Order().Select(id => id.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Replaces the slabs of a feed's date with <paramref name="slabs"/> (by range) and its marker naming
    /// <paramref name="source"/>, in the caller's write transaction.
    /// </summary>
    public static async Task WriteDateAsync(
        DbConnection connection, DbTransaction transaction, ISqlDialect dialect, SlabFeed feed, string date, string source,
        IEnumerable<(long FirstNo, byte[] Payload)> slabs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(dialect);
        ArgumentNullException.ThrowIfNull(slabs);
        var table = TableOf(feed);
        var upsert = dialect.UpsertSql(Table);

        // The date's earlier slabs, if it was built before (its marker says so: a date's ranges are written and deleted
        // with it), one range at a time by key. A delete by feed and date alone walked every slab of the feed, a window
        // of large rows (~0.2 s a feed at a million households) to find the few of one date.
        var built = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT first_no FROM usage_slab WHERE feed = @table AND first_no = @marker AND date = @date",
            new { table, marker = MarkerNo, date },
            transaction,
            cancellationToken: cancellationToken));
        if (built is not null)
        {
            var last = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT MAX(first_no) FROM usage_slab WHERE feed = @table",
                new { table },
                transaction,
                cancellationToken: cancellationToken));
            for (var first = MarkerNo; first <= last; first = first == MarkerNo ? 0 : first + Span)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM usage_slab WHERE feed = @table AND first_no = @first AND date = @date",
                    new { table, first, date },
                    transaction,
                    cancellationToken: cancellationToken));
            }
        }

        await connection.ExecuteAsync(new CommandDefinition(
            upsert,
            new { feed = table, first_no = MarkerNo, date, source, format = (long)Format, payload = Array.Empty<byte>() },
            transaction,
            cancellationToken: cancellationToken));
        foreach (var (first, payload) in slabs)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                upsert,
                new { feed = table, first_no = first, date, source, format = (long)Format, payload },
                transaction,
                cancellationToken: cancellationToken));
        }
    }
}

/// <summary>
/// One slab while it is built. Layout (little-endian), n = highest offset with a row + 1:
/// electricity float kwh[n] then sbyte active_hours[n] (NaN / -1: no value); water float liters[n];
/// telecom short calls_out[n] (-1: no row that day), short calls_in[n], short sms_out[n], float data_mb[n].
/// Telecom counts are capped at short.MaxValue each: the history adds a household's lines and caps the sum there, so
/// a capped term gives the same capped sum.
/// </summary>
public sealed class SlabWriter
{
    private readonly SlabFeed _feed;
    private readonly float[] _f = new float[UsageSlab.Span];
    private readonly sbyte[] _b;
    private readonly short[] _s1;
    private readonly short[] _s2;
    private readonly short[] _s3;
    private int _count;

    public SlabWriter(SlabFeed feed)
    {
        _feed = feed;
        _b = feed == SlabFeed.Electricity ? new sbyte[UsageSlab.Span] : [];
        _s1 = feed == SlabFeed.Telecom ? new short[UsageSlab.Span] : [];
        _s2 = feed == SlabFeed.Telecom ? new short[UsageSlab.Span] : [];
        _s3 = feed == SlabFeed.Telecom ? new short[UsageSlab.Span] : [];
        _count = UsageSlab.Span;
        Reset();
    }

    public bool IsEmpty => _count == 0;

    /// <summary>Every value absent again, for the next date's rows of the same range.</summary>
    public void Reset()
    {
        var n = _count;
        _f.AsSpan(0, n).Fill(_feed == SlabFeed.Telecom ? 0f : float.NaN);
        _b.AsSpan(0, Math.Min(n, _b.Length)).Fill(-1);
        _s1.AsSpan(0, Math.Min(n, _s1.Length)).Fill(-1);
        _s2.AsSpan(0, Math.Min(n, _s2.Length)).Clear();
        _s3.AsSpan(0, Math.Min(n, _s3.Length)).Clear();
        _count = 0;
    }

    /// <summary>An electricity row: kWh NaN and active hours -1 where the row has none.</summary>
    public void Electricity(int offset, float kwh, sbyte activeHours)
    {
        _f[offset] = kwh;
        _b[offset] = activeHours;
        _count = Math.Max(_count, offset + 1);
    }

    /// <summary>A water row: litres NaN where the row has none.</summary>
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

/// <summary>The slabs of one feed and date while its rows come, in subject order within each run (one writer per range).</summary>
public sealed class DaySlabs(SlabFeed feed)
{
    private readonly SortedDictionary<long, SlabWriter> _writers = [];
    private long _lastFirst = long.MinValue;
    private SlabWriter? _last;

    /// <summary>Rows added.</summary>
    public long Rows { get; private set; }

    /// <summary>The slab of <paramref name="subjectNo"/>'s range, and the subject's offset in it; counts one row.</summary>
    public SlabWriter For(long subjectNo, out int offset)
    {
        var first = UsageSlab.FirstNoOf(subjectNo);
        offset = (int)(subjectNo - first);
        Rows++;

        // Rows come in subject order within a date, so a range's rows come together: one lookup per range, not per row
        // (the sorted map's lookups were a fifth of building a million households' day).
        if (first == _lastFirst)
        {
            return _last!;
        }

        if (!_writers.TryGetValue(first, out var writer))
        {
            writer = new SlabWriter(feed);
            _writers.Add(first, writer);
        }

        _lastFirst = first;
        _last = writer;
        return writer;
    }

    /// <summary>The day's slabs by range (ranges without rows left out); every writer is empty again afterwards.</summary>
    public List<(long FirstNo, byte[] Payload)> TakeSlabs()
    {
        var slabs = new List<(long, byte[])>();
        foreach (var (first, writer) in _writers)
        {
            if (writer.IsEmpty)
            {
                continue;
            }

            slabs.Add((first, writer.ToBytes()));
            writer.Reset();
        }

        Rows = 0;
        return slabs;
    }
}
