using System.Text.Json;
using Dapper;
using Npgsql;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// The fixture's district ingested once into a PostgreSQL template database; each test gets its own copy of it
/// (CREATE DATABASE … TEMPLATE) and homes with the district's keys and models for the processes it starts.
/// </summary>
public sealed class PostgresDistrict(DistrictFixture district) : IAsyncLifetime
{
    /// <summary>The tables a pass writes: what two runs of the same backfill must have equal.</summary>
    public static readonly string[] PassTables = ["risk_score", "risk_case", "nightly_run", "run_list", "shadow_score", "shadow_run", "audit_log"];

    /// <summary>Columns equal runs differ in by design: when things happened.</summary>
    public static readonly string[] Timestamps = ["started_at", "finished_at", "at", "audit_id"];

    private string _template = "";

    public DistrictFixture District => district;

    public async ValueTask InitializeAsync()
    {
        var uri = TestStores.NewPostgresDatabase();
        _template = DatabaseName(uri);
        using (var store = await RiskStore.OpenAsync(StoreLocation.Parse(uri), CancellationToken.None))
        {
            await new InboxIngestor(store, KeyRing.LoadOrCreate(district.Home), Serilog.Core.Logger.None)
                .IngestAsync(district.Inbox, CancellationToken.None);
        }

        // A template must have no session open on it when it is copied.
        NpgsqlConnection.ClearAllPools();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>A new database holding the ingested district and nothing run yet.</summary>
    public string NewDatabase() => TestStores.NewPostgresDatabase(_template);

    /// <summary>A RISKWATCH_HOME with the district's keys and models (one per process, so logs do not mix).</summary>
    public string NewHome()
    {
        var home = TestPaths.NewTempDirectory();
        foreach (var folder in new[] { "keys", "models" })
        {
            var from = Path.Combine(district.Home, folder);
            foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(home, folder, Path.GetRelativePath(from, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        return home;
    }

    public static string DatabaseName(string uri) => new Uri(uri).AbsolutePath.Trim('/');

    public static NpgsqlConnection Connect(string uri) =>
        new(new NpgsqlConnectionStringBuilder(StoreLocation.Parse(uri).ConnectionString) { Pooling = false }.ConnectionString);

    /// <summary>Waits until <paramref name="count"/> Hangfire servers have announced themselves in the database.</summary>
    internal static async Task WaitForServersAsync(string uri, int count, params WorkerProcess[] workers)
    {
        await WaitUntilAsync(
            async () =>
            {
                await using var connection = Connect(uri);
                await connection.OpenAsync();
                try
                {
                    return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM hangfire.server") >= count;
                }
                catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
                {
                    return false; // the first worker has not installed Hangfire's schema yet
                }
            },
            TimeSpan.FromMinutes(6),
            () => $"{count} worker(s) did not start:\n" + string.Join("\n---\n", workers.Select(w => w.Log)));
    }

    /// <summary>
    /// Polls <paramref name="condition"/>. Callers wait minutes, not seconds: on the shared 2-core machine at a load
    /// average of 50, starting the CLI and a worker and reaching a partition's write once took over 3 minutes.
    /// </summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(because());
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Every state every partition job went through, in order: Hangfire's own history of who ran what.</summary>
    public static async Task<IReadOnlyList<JobState>> PartitionJobHistoryAsync(string uri)
    {
        await using var connection = Connect(uri);
        var rows = await connection.QueryAsync<(long JobId, string Name, string? Reason, string? Data)>(
            """
            SELECT s.jobid, s.name, s.reason, s.data::text
            FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid
            WHERE j.invocationdata::text LIKE '%PartitionJob%'
            ORDER BY s.id
            """);
        return rows.Select(r => new JobState(r.JobId, r.Name, r.Reason, Parse(r.Data))).ToList();
    }

    private static Dictionary<string, string> Parse(string? data)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(data))
        {
            return values;
        }

        using var document = JsonDocument.Parse(data);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.ToString();
        }

        return values;
    }
}

/// <summary>One state of a Hangfire job, with its data (ServerId of a Processing state, PerformanceDuration of a Succeeded one).</summary>
public sealed record JobState(long JobId, string Name, string? Reason, IReadOnlyDictionary<string, string> Data)
{
    /// <summary>The process id in a server id ("host:pid:guid"): which worker process took the job.</summary>
    public int? Pid => Data.TryGetValue("ServerId", out var server) && server.Split(':') is { Length: >= 3 } parts
                       && int.TryParse(parts[^2], System.Globalization.CultureInfo.InvariantCulture, out var pid)
        ? pid
        : null;
}

/// <summary>
/// Holds an exclusive lock on one table a pass writes inside its transaction, so every partition that reaches that write
/// waits there, mid-partition, for as long as the test wants: a long partition, or a worker to kill, without any test hook
/// in the product.
/// </summary>
internal sealed class TableGate : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private TableGate(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<TableGate> CloseAsync(string uri, string table)
    {
        var connection = PostgresDistrict.Connect(uri);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", transaction: transaction);
        return new TableGate(connection, transaction);
    }

    /// <summary>
    /// Sessions waiting on the gate now. PostgreSQL keeps one snapshot of pg_stat_activity for a whole transaction, and
    /// the gate's transaction lives as long as the gate: without clearing it, a first look taken before any partition
    /// arrived would be all the gate ever saw.
    /// </summary>
    public async Task<long> WaitingAsync()
    {
        await _connection.ExecuteAsync("SELECT pg_stat_clear_snapshot()", transaction: _transaction);
        return await _connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))", transaction: _transaction);
    }

    public Task WaitForWaitingAsync(int count, Func<string> because) =>
        PostgresDistrict.WaitUntilAsync(async () => await WaitingAsync() >= count, TimeSpan.FromMinutes(6), because);

    /// <summary>The database going away for everyone but the gate: every other session of this database is terminated.</summary>
    public async Task<long> TerminateEveryoneElseAsync()
    {
        await _connection.ExecuteAsync("SELECT pg_stat_clear_snapshot()", transaction: _transaction);
        return await _connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
            transaction: _transaction);
    }

    /// <summary>Reads through the gate's own session (the lock does not stop its holder).</summary>
    public Task<long> CountAsync(string sql) => _connection.ExecuteScalarAsync<long>(sql, transaction: _transaction);

    public async Task OpenAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.RollbackAsync();
            await _transaction.DisposeAsync();
            _transaction = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await OpenAsync();
        await _connection.DisposeAsync();
    }
}
