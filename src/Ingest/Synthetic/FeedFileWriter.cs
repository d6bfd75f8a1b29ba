using System.Globalization;
using System.Text;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Writes one feed file (UTF-8 without BOM, '\n' line ends) a row at a time. Rows are built as UTF-8 bytes in a reused
/// buffer and numbers are formatted straight into it, so the millions of usage rows cost no allocation and no
/// char-to-byte encoding pass each.
/// </summary>
internal sealed class FeedFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private byte[] _row = new byte[256];
    private int _length;
    private bool _rowStarted;

    public FeedFileWriter(string directory, string feed, DateOnly asOf, string header)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{feed}_{asOf:yyyyMMdd}.csv");
        _stream = new FileStream(Path.Combine(directory, name), FileMode.Create, FileAccess.Write, FileShare.None,
            bufferSize: 1 << 16);
        Append(header);
        EndRow();
    }

    /// <summary>A field known to need no quoting (ids, codes, dates).</summary>
    public FeedFileWriter Raw(string value)
    {
        Separator();
        Append(value);
        return this;
    }

    /// <summary>Free text, quoted per RFC 4180 when it holds a comma, quote or line break.</summary>
    public FeedFileWriter Text(string value)
    {
        Separator();
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            Append(value);
            return this;
        }

        Append("\"");
        Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        Append("\"");
        return this;
    }

    public FeedFileWriter Empty()
    {
        Separator();
        return this;
    }

    public FeedFileWriter Int(long value)
    {
        Separator();
        Ensure(24);
        value.TryFormat(_row.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    /// <summary>A non-negative decimal with exactly <paramref name="decimals"/> digits after the point.</summary>
    public FeedFileWriter Fixed(double value, int decimals)
    {
        Separator();
        var scale = decimals switch { 1 => 10L, 2 => 100L, _ => 1000L };
        var scaled = (long)Math.Round(Math.Max(0, value) * scale, MidpointRounding.AwayFromZero);
        Ensure(32);
        (scaled / scale).TryFormat(_row.AsSpan(_length), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
        _row[_length++] = (byte)'.';
        var fraction = scaled % scale;
        for (var divisor = scale / 10; divisor >= 1; divisor /= 10)
        {
            _row[_length++] = (byte)('0' + (fraction / divisor % 10));
        }

        return this;
    }

    public void EndRow()
    {
        Ensure(1);
        _row[_length++] = (byte)'\n';
        _stream.Write(_row, 0, _length);
        _length = 0;
        _rowStarted = false;
    }

    public void Dispose() => _stream.Dispose();

    private void Separator()
    {
        if (_rowStarted)
        {
            Ensure(1);
            _row[_length++] = (byte)',';
        }

        _rowStarted = true;
    }

    private void Append(string value)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(value.Length));
        _length += Encoding.UTF8.GetBytes(value, _row.AsSpan(_length));
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _row.Length)
        {
            Array.Resize(ref _row, Math.Max(_row.Length * 2, _length + extra));
        }
    }
}

/// <summary>The feed names and their header rows, exactly as SPEC.md and the samples have them.</summary>
internal static class FeedHeaders
{
    public const string Residents =
        "rrn,household_id,name,birth_date,sex,dong_code,address,phone,household_size,relation,housing_type,status,status_date";

    public const string Welfare = "rrn,event,event_date";
    public const string Arrears = "source,rrn,billing_month,amount_krw,months_overdue,action,reported_on";
    public const string Electricity = "household_id,date,kwh,active_hours,quality";
    public const string Water = "household_id,date,liters,quality";
    public const string Telecom = "rrn,date,calls_out,calls_in,sms_out,data_mb";
    public const string Reports = "report_id,household_id,channel,reported_at,note";
    public const string Outcomes = "household_id,visited_on,outcome,discovered_after_days";
}
