using System.Text;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// One string per distinct short text of a night's reads (codes such as <c>head</c> or <c>active</c>, ISO dates): the
/// chunked reader meets ~2M person rows at a million households, and a string per column and row was most of its
/// garbage. Thread-safe: the chunks read ahead share one pool.
/// </summary>
internal sealed class TextPool
{
    // Dates of birth span a century (~37k days) and the codes are a few dozen: a bound that a night never reaches, so a
    // malformed store cannot grow the pool without limit either.
    private const int MaxTexts = 200_000;
    private const int MaxLength = 64;

    private readonly HashSet<string> _texts = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly Lock _lock = new();

    public TextPool() => _byChars = _texts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The text of these UTF-8 bytes, the same string each time it is met.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxLength];
        chars = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        lock (_lock)
        {
            if (_byChars.TryGetValue(chars, out var text))
            {
                return text;
            }

            text = new string(chars);
            if (_texts.Count < MaxTexts)
            {
                _texts.Add(text);
            }

            return text;
        }
    }
}
