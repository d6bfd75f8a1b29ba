using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;

namespace RiskWatch.Detector.Histories;

/// <summary>
/// One string per distinct short text of a night's reads (codes such as <c>head</c> or <c>active</c>, ISO dates): the
/// chunked reader meets ~2M person rows at a million households, and a string per column and row was most of its
/// garbage. Not thread-safe: each chunk read takes a pool of <see cref="Pool"/> and gives it back.
/// </summary>
internal sealed class TextPool
{
    // Dates of birth span a century (~37k days) and the codes are a few dozen: a bound that a night never reaches, so a
    // malformed store cannot grow the pool without limit either.
    private const int MaxTexts = 200_000;

    // Texts up to 15 bytes (every code and date) are looked up by their bytes, packed with their length into two words:
    // no decoding. ~13M lookups a night at a million households.
    private const int MaxPackedLength = 15;

    // A direct-mapped cache of recent texts in front of the dictionary: the codes (sex, relation, status, source…) are a
    // few dozen values met on nearly every row, and answered here they cost a compare instead of a dictionary lookup
    // (most of the ~13M a night); the dates of birth, tens of thousands of values, mostly go on to the dictionary.
    private const int RecentBits = 8;

    private readonly Dictionary<PackedText, string> _texts = [];
    private readonly PackedText[] _recentKeys = new PackedText[1 << RecentBits];
    private readonly string?[] _recentTexts = new string?[1 << RecentBits];

    /// <summary>The text of these UTF-8 bytes, the same string each time it is met (up to 15 bytes; longer ones are new strings).</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPackedLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var key = PackedText.Of(utf8);
        var recent = key.Slot(RecentBits);
        if (_recentTexts[recent] is { } cached && _recentKeys[recent] == key)
        {
            return cached;
        }

        if (_texts.TryGetValue(key, out var text))
        {
            _recentKeys[recent] = key;
            _recentTexts[recent] = text;
            return text;
        }

        text = Encoding.UTF8.GetString(utf8);
        if (_texts.Count < MaxTexts)
        {
            _texts.Add(key, text);
            _recentKeys[recent] = key;
            _recentTexts[recent] = text;
        }

        return text;
    }

    /// <summary>Pools kept for the night's next chunk reads (one per read in flight), so each stays warm.</summary>
    internal sealed class Pool
    {
        // A stack, not a bag: a bag's thread-local lists keep its items alive after the night is done with them.
        private readonly ConcurrentStack<TextPool> _spare = new();

        public TextPool Rent() => _spare.TryPop(out var pool) ? pool : new TextPool();

        public void Return(TextPool pool) => _spare.Push(pool);
    }

    private readonly record struct PackedText(ulong Low, ulong High)
    {
        public static PackedText Of(ReadOnlySpan<byte> utf8)
        {
            Span<byte> bytes = stackalloc byte[16];
            bytes.Clear();
            utf8.CopyTo(bytes);
            bytes[15] = (byte)utf8.Length;
            return new PackedText(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
        }

        /// <summary>A slot of a table of 2^bits: both words multiplied through (Fibonacci hashing), the top bits taken.</summary>
        public int Slot(int bits) => (int)(((Low * 0x9E3779B97F4A7C15UL) ^ (High * 0xC2B2AE3D27D4EB4FUL)) >> (64 - bits));
    }
}
