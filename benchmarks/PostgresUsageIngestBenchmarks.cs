using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Npgsql;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Benchmarks;

/// <summary>
/// <see cref="UsageIngestBenchmarks"/> into PostgreSQL: the same million-row usage_electricity file ingested into a fresh
/// schema of the server named by RISKWATCH_TEST_PG (tools/postgres-for-tests.sh starts a throwaway one), against the
/// baseline PostgreSQL gives itself — the file's bytes by text COPY (what <c>psql \copy</c> sends) into a bare table
/// without a key, and into one with the usage table's key. The ratio column is the "× \copy".
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class PostgresUsageIngestBenchmarks
{
    private const string Variable = "RISKWATCH_TEST_PG";

    private string _root = "";
    private string _inbox = "";
    private string _file = "";
    private string _home = "";
    private StoreLocation _server = null!;
    private StoreLocation _schema = null!;

    [Params(20_000, 1_000_000)]
    public int Households { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var uri = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new InvalidOperationException($"Set {Variable} (source tools/postgres-for-tests.sh starts a throwaway server).");
        }

        _server = StoreLocation.Parse(uri);
        _root = Path.Combine(Path.GetTempPath(), "riskwatch-bench-pg-" + Guid.NewGuid().ToString("N")[..8]);
        _inbox = Path.Combine(_root, "inbox");
        Directory.CreateDirectory(_inbox);
        _file = Path.Combine(_inbox, "usage_electricity_20260720.csv");
        UsageIngestBenchmarks.Write(_file, Households);
    }

    /// <summary>Every iteration starts from an empty schema (and a fresh key ring): the first ingest of the file.</summary>
    [IterationSetup]
    public void FreshSchema()
    {
        _home = Path.Combine(_root, "home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_home);
        var schema = "rwbench_" + Guid.NewGuid().ToString("N")[..16];
        Execute(
            $"CREATE SCHEMA {schema}",
            $"CREATE TABLE {schema}.bare (household_id text, date text, kwh double precision, active_hours int, quality text)",
            $"CREATE TABLE {schema}.bare_pk (household_id text, date text, kwh double precision, active_hours int, quality text, PRIMARY KEY (date, household_id))");
        _schema = new StoreLocation(StoreKind.Postgres, new NpgsqlConnectionStringBuilder(_server.ConnectionString) { SearchPath = schema }.ConnectionString);
    }

    [Benchmark(Baseline = true, Description = "\\copy → bare table")]
    public Task<ulong> CopyIntoBareTable() => CopyFileAsync("bare");

    [Benchmark(Description = "\\copy → table with its key")]
    public Task<ulong> CopyIntoKeyedTable() => CopyFileAsync("bare_pk");

    [Benchmark(Description = "riskwatch ingest")]
    public async Task<int> IngestMillionRowFile()
    {
        using var store = await RiskStore.OpenAsync(_schema, CancellationToken.None);
        var results = await new InboxIngestor(store, KeyRing.LoadOrCreate(_home), Serilog.Core.Logger.None).IngestAsync(_inbox, CancellationToken.None);
        return results[0].RowsLoaded;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            connection.Open();
            using var drop = new NpgsqlCommand(
                "DO $$ DECLARE s text; BEGIN FOR s IN SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rwbench\\_%' LOOP EXECUTE 'DROP SCHEMA ' || s || ' CASCADE'; END LOOP; END $$",
                connection);
            drop.ExecuteNonQuery();
        }

        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The file as it is, by text COPY in CSV format: what <c>psql \copy … (FORMAT csv, HEADER true)</c> does.</summary>
    private async Task<ulong> CopyFileAsync(string table)
    {
        await using var connection = new NpgsqlConnection(_schema.ConnectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginTextImportAsync($"COPY {table} FROM STDIN (FORMAT csv, HEADER true)"))
        using (var file = new StreamReader(_file))
        {
            var buffer = new char[1 << 16];
            int read;
            while ((read = await file.ReadAsync(buffer)) > 0)
            {
                await copy.WriteAsync(buffer.AsMemory(0, read));
            }
        }

        await using var count = new NpgsqlCommand($"SELECT COUNT(*) FROM {table}", connection);
        return (ulong)(long)(await count.ExecuteScalarAsync())!;
    }

    private void Execute(params string[] statements)
    {
        using var connection = new NpgsqlConnection(_server.ConnectionString);
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
