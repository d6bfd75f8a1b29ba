using BenchmarkDotNet.Attributes;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Benchmarks;

/// <summary>
/// CSV parsing per feed: a generated file of each SPEC feed (a 20,000-household district, 35 days: the largest usage and
/// registry file, every event file of a feed in one) read and
/// validated row by row by the ingest's own reader and loader, without writing the rows
/// (<see cref="InboxIngestor.ReadAndValidate"/>). The district's registry and the file's subjects are in the store and the run's subject map is
/// warm (every identifier already pseudonymized once in this run, as after an ingest run's first file), so a row costs
/// CSV parsing, every SPEC field rule and a subject lookup; the HMAC of a first sighting and the writes are what
/// <c>UsageIngestBenchmarks</c> adds. The residents loader's own updates and any quarantined row go to a transaction that
/// is rolled back. Rows per file are printed at setup; rows/s is rows ÷ mean.
/// </summary>
public class FeedParsingBenchmarks
{
    private static readonly DateOnly End = new(2026, 10, 31);
    private string _root = "";
    private RiskStore _store = null!;
    private KeyRing _keys = null!;
    private SubjectMap _subjects = null!;
    private Pseudonymizer.PseudonymHasher _hasher = null!;
    private string _file = "";
    private FeedDefinition _feed = null!;

    [Params("residents", "welfare", "arrears", "usage_electricity", "usage_water", "usage_telecom", "reports", "outcomes")]
    public string Feed { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "riskwatch-bench-feeds-" + Guid.NewGuid().ToString("N")[..8]);
        var inbox = Path.Combine(_root, "inbox");
        DistrictGenerator.Generate(new DistrictOptions { Households = 20_000, Dongs = 12, Days = 35, EndDate = End, Seed = 5 }, inbox);
        _feed = FeedCatalog.Find(Feed) ?? throw new InvalidOperationException($"No feed {Feed}.");

        // Usage and registry: the largest file of the feed. Event feeds send a few rows a day, so theirs is every file of the
        // 35 days in one. The store is seeded with the first residents file (the whole registry) and the file itself, so
        // that every subject it names (telecom subscribers the registry lacks too) is known.
        var files = Directory.EnumerateFiles(inbox, Feed + "_*.csv").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"The generator wrote no {Feed} file.");
        }

        _file = Feed is "welfare" or "arrears" or "reports" or "outcomes"
            ? Merge(files, Path.Combine(_root, $"{Feed}_{End:yyyyMMdd}.csv"))
            : files.MaxBy(f => new FileInfo(f).Length)!;
        var registry = Directory.EnumerateFiles(inbox, "residents_*.csv").Order(StringComparer.Ordinal).First();
        var seed = Path.Combine(_root, "seed");
        Directory.CreateDirectory(seed);
        File.Copy(registry, Path.Combine(seed, Path.GetFileName(registry)));
        File.Copy(_file, Path.Combine(seed, Path.GetFileName(_file)), overwrite: true);

        _keys = KeyRing.LoadOrCreate(_root);
        _store = RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(_root, "rw.db")), CancellationToken.None).GetAwaiter().GetResult();
        new InboxIngestor(_store, _keys, Serilog.Core.Logger.None).IngestAsync(seed, CancellationToken.None).GetAwaiter().GetResult();
        _subjects = new SubjectMap();
        _hasher = _keys.Pseudonymizer.CreateHasher();
        var (loaded, quarantined) = ParseAndValidate();
        Console.WriteLine($"// {Feed}: {Path.GetFileName(_file)}, {loaded + quarantined} rows ({quarantined} quarantined), {new FileInfo(_file).Length:N0} bytes");
    }

    /// <summary>One file of the rows of <paramref name="files"/> under the first one's header (the generator writes one header for all).</summary>
    private static string Merge(IReadOnlyList<string> files, string path)
    {
        var lines = File.ReadLines(files[0]).Take(1).Concat(files.SelectMany(f => File.ReadLines(f).Skip(1)));
        File.WriteAllLines(path, lines);
        return path;
    }

    [Benchmark]
    public int ParseAndValidateFile() => ParseAndValidate().Loaded;

    private (int Loaded, int Quarantined) ParseAndValidate()
    {
        using var connection = _store.OpenConnectionAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var transaction = _store.Dialect.BeginWriteTransactionAsync(connection, CancellationToken.None).GetAwaiter().GetResult();
        _subjects.BeginAsync(connection, transaction, _store.Dialect, _feed.ReadsBackSubjects, CancellationToken.None).GetAwaiter().GetResult();
        using var context = new LoadContext(
            connection, transaction, _store.Dialect, fileId: 1, Path.GetFileName(_file), End, _subjects, _hasher, _keys.Vault);
        var counts = InboxIngestor.ReadAndValidate(_file, _feed, context, CancellationToken.None);
        transaction.Rollback();
        _subjects.Rollback();
        return counts;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _hasher.Dispose();
        _subjects.Dispose();
        _store.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
