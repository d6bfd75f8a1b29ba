using System.Text;

namespace RiskWatch.Ingest.Feeds;

/// <summary>The closed list of values of an enum column, matched on UTF-8 bytes; a match returns the shared string instance.</summary>
internal sealed class EnumValues
{
    private readonly string[] _values;
    private readonly byte[][] _utf8;

    public EnumValues(params string[] values)
    {
        _values = values;
        _utf8 = values.Select(v => Encoding.UTF8.GetBytes(v)).ToArray();
        Expected = string.Join(", ", values);
    }

    /// <summary>The values, for reasons.</summary>
    public string Expected { get; }

    public bool TryMatch(ReadOnlySpan<byte> value, out string match)
    {
        for (var i = 0; i < _utf8.Length; i++)
        {
            if (value.SequenceEqual(_utf8[i]))
            {
                match = _values[i];
                return true;
            }
        }

        match = string.Empty;
        return false;
    }
}
