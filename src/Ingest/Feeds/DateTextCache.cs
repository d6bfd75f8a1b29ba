namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// Checks a date column and gives its text, remembering the last value: a day's usage file repeats one date on
/// every row, so the check and the string are made once instead of per row.
/// </summary>
internal sealed class DateTextCache(string column)
{
    private readonly byte[] _last = new byte[10];
    private string? _text;
    private DateOnly _date;

    public RowError? Parse(ReadOnlySpan<byte> value, out string text, out DateOnly date)
    {
        if (_text is not null && value.SequenceEqual(_last))
        {
            text = _text;
            date = _date;
            return null;
        }

        text = string.Empty;
        var error = Fields.Date(value, column, out date);
        if (error is not null)
        {
            return error;
        }

        value.CopyTo(_last);
        _text = Fields.AsciiText(value);
        _date = date;
        text = _text;
        return null;
    }
}
