using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Benchmarks;

/// <summary>
/// The ingest run's subject map at a million households: the store's ~3M keys read back in key order (its index order),
/// then a night's usage rows looked up one by one in file order, in <see cref="SubjectTable"/> against the
/// <see cref="Dictionary{TKey, TValue}"/> it replaced. Keys are random 32-byte values, as HMAC outputs are.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SubjectLookupBenchmarks
{
    private const int Subjects = 3_000_000;
    private const int Lookups = 1_000_000;

    private SubjectKey[] _inKeyOrder = [];
    private SubjectKey[] _inFileOrder = [];
    private Dictionary<SubjectKey, long> _dictionary = [];
    private SubjectTable _table = new();

    [GlobalSetup]
    public void Setup()
    {
        var bytes = RandomNumberGenerator.GetBytes(Subjects * SubjectKey.Size);
        _inKeyOrder = new SubjectKey[Subjects];
        for (var i = 0; i < Subjects; i++)
        {
            _inKeyOrder[i] = SubjectKey.FromBytes(bytes.AsSpan(i * SubjectKey.Size, SubjectKey.Size));
        }

        Array.Sort(_inKeyOrder, (x, y) => x.A != y.A ? x.A.CompareTo(y.A) : x.B != y.B ? x.B.CompareTo(y.B) : x.C != y.C ? x.C.CompareTo(y.C) : x.D.CompareTo(y.D));
        var random = new Random(7);
        _inFileOrder = Enumerable.Range(0, Lookups).Select(_ => _inKeyOrder[random.Next(Subjects)]).ToArray();
        _dictionary = NewDictionary();
        _table = NewTable();
    }

    [BenchmarkCategory("read back"), Benchmark(Baseline = true, Description = "Dictionary")]
    public int FillDictionary() => NewDictionary().Count;

    [BenchmarkCategory("read back"), Benchmark(Description = "SubjectTable")]
    public int FillTable() => NewTable().Count;

    private Dictionary<SubjectKey, long> NewDictionary()
    {
        var known = new Dictionary<SubjectKey, long>(Subjects);
        for (var i = 0; i < _inKeyOrder.Length; i++)
        {
            known[_inKeyOrder[i]] = i + 1;
        }

        return known;
    }

    private SubjectTable NewTable()
    {
        var known = new SubjectTable();
        known.EnsureCapacity(Subjects);
        for (var i = 0; i < _inKeyOrder.Length; i++)
        {
            known.Set(_inKeyOrder[i], i + 1);
        }

        return known;
    }

    [BenchmarkCategory("look up"), Benchmark(Baseline = true, Description = "Dictionary")]
    public long LookUpInDictionary()
    {
        var sum = 0L;
        foreach (var key in _inFileOrder)
        {
            _dictionary.TryGetValue(key, out var number);
            sum += number;
        }

        return sum;
    }

    [BenchmarkCategory("look up"), Benchmark(Description = "SubjectTable")]
    public long LookUpInTable()
    {
        var sum = 0L;
        foreach (var key in _inFileOrder)
        {
            _table.TryGetValue(key, out var number);
            sum += number;
        }

        return sum;
    }
}
