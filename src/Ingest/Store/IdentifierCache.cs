using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// Identifier → subject number for one ingest run, so a subject on every day's file is hashed once per run. Most
/// lookups of a night's run are of identifiers it has not met yet (a day's files name each subject once): a bit per
/// identifier's hash answers those from a 1 MiB array that stays in cache, instead of a miss in a dictionary of up to
/// half a million entries each time.
/// </summary>
internal sealed class IdentifierCache
{
    // Bounds the cache (about 50 bytes an entry) for a file of a million subjects never seen again.
    public const int MaxEntries = 500_000;

    private const int FilterBits = 23;

    private readonly Dictionary<PackedIdentifier, long> _numbers = [];
    private readonly ulong[] _seen = new ulong[(1 << FilterBits) / 64];

    public int Count => _numbers.Count;

    public bool TryGetValue(in PackedIdentifier identifier, out long number)
    {
        var bit = BitOf(identifier);
        if ((_seen[bit >> 6] & (1UL << bit)) == 0)
        {
            number = 0;
            return false;
        }

        return _numbers.TryGetValue(identifier, out number);
    }

    /// <summary>Remembers the identifier's number while there is room.</summary>
    public void Add(in PackedIdentifier identifier, long number)
    {
        if (_numbers.Count < MaxEntries && _numbers.TryAdd(identifier, number))
        {
            var bit = BitOf(identifier);
            _seen[bit >> 6] |= 1UL << bit;
        }
    }

    public void Clear()
    {
        _numbers.Clear();
        Array.Clear(_seen);
    }

    // The hash's bits multiplied through (Fibonacci hashing), the top ones taken: identifiers differing in one digit land apart.
    private static int BitOf(in PackedIdentifier identifier) => (int)(((uint)identifier.GetHashCode() * 0x9E3779B9u) >> (32 - FilterBits));
}
