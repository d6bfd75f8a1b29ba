using System.Data.Common;
using System.Text;
using Dapper;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace RiskWatch.Ingest.Tests.TestSupport;

/// <summary>A store, keys and an inbox in a temp folder: what one ingest test needs, and nothing shared with another.</summary>
internal sealed class IngestHarness : IDisposable
{
    private readonly TempFolder _folder;
    private readonly Logger _logger;

    private IngestHarness(TempFolder folder, RiskStore store, KeyRing keys, Logger logger)
    {
        _folder = folder;
        _logger = logger;
        Store = store;
        Keys = keys;
        Inbox = folder.Combine("inbox");
        Directory.CreateDirectory(Inbox);
    }

    public RiskStore Store { get; }

    public KeyRing Keys { get; }

    public string Inbox { get; }

    public string Folder => _folder.Path;

    /// <summary>Log events of the ingest, for tests that react to them.</summary>
    public event Action<LogEvent>? Logged;

    public static async Task<IngestHarness> CreateAsync(Func<string, StoreLocation> locate)
    {
        var folder = new TempFolder();
        var sink = new ForwardingSink();
        var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        var store = await RiskStore.OpenAsync(locate(folder.Path), TestContext.Current.CancellationToken);
        var keys = KeyRing.LoadOrCreate(folder.Combine("home"), _ => null);
        var harness = new IngestHarness(folder, store, keys, logger);
        sink.Target = e => harness.Logged?.Invoke(e);
        return harness;
    }

    /// <summary>Copies sample files (paths relative to shared/feeds/samples) into the inbox.</summary>
    public IngestHarness AddSamples(params string[] samples)
    {
        foreach (var sample in samples)
        {
            File.Copy(SharedFolder.Sample(sample), Path.Combine(Inbox, Path.GetFileName(sample)), overwrite: true);
        }

        return this;
    }

    /// <summary>Writes a file into the inbox as UTF-8 (without BOM unless asked), exactly as given.</summary>
    public IngestHarness AddFile(string fileName, string content, bool bom = false)
    {
        File.WriteAllText(Path.Combine(Inbox, fileName), content, new UTF8Encoding(bom));
        return this;
    }

    public IngestHarness ClearInbox()
    {
        foreach (var file in Directory.EnumerateFiles(Inbox))
        {
            File.Delete(file);
        }

        return this;
    }

    public Task<IReadOnlyList<FileIngestResult>> IngestAsync(CancellationToken? cancellationToken = null) =>
        new InboxIngestor(Store, Keys, _logger).IngestAsync(Inbox, cancellationToken ?? TestContext.Current.CancellationToken);

    public async Task<FileIngestResult> IngestOneAsync()
    {
        var results = await IngestAsync();
        return Assert.Single(results);
    }

    public Task<IReadOnlyList<QuarantinedRow>> QuarantineAsync(string? fileName = null) =>
        InboxIngestor.ReadQuarantineAsync(Store, fileName, TestContext.Current.CancellationToken);

    public async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<T>(sql, parameters) ?? throw new InvalidOperationException($"No value: {sql}");
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await Store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }

    public async Task<DbConnection> OpenConnectionAsync() => await Store.OpenConnectionAsync(TestContext.Current.CancellationToken);

    /// <summary>Row counts of every table of the store, to compare before and after.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync()
    {
        var tables = await QueryAsync<string>(Store.Dialect.Kind == StoreKind.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            counts[table] = await ScalarAsync<long>($"SELECT COUNT(*) FROM {table}");
        }

        return counts;
    }

    public void Dispose()
    {
        Store.Dispose();
        _logger.Dispose();
        _folder.Dispose();
    }

    private sealed class ForwardingSink : ILogEventSink
    {
        public Action<LogEvent>? Target { get; set; }

        public void Emit(LogEvent logEvent) => Target?.Invoke(logEvent);
    }
}
