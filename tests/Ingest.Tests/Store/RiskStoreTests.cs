using System.Data.Common;
using Dapper;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Tests.TestSupport;

namespace RiskWatch.Ingest.Tests.Store;

/// <summary>Opening a store: migrations and session settings.</summary>
public abstract class RiskStoreTests
{
    [Fact]
    public async Task Opening_a_new_store_applies_every_migration_once()
    {
        using var folder = new TempFolder();
        var location = Locate(folder.Path);

        using (await RiskStore.OpenAsync(location, TestContext.Current.CancellationToken))
        {
        }

        using var store = await RiskStore.OpenAsync(location, TestContext.Current.CancellationToken);
        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["001_feeds", "002_queue", "003_web", "004_backfill", "005_usage_slab"], (await connection.QueryAsync<string>("SELECT name FROM schema_version ORDER BY version")).ToList());
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_electricity"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM risk_case"));
    }

    [Fact]
    public async Task Stores_opened_at_once_by_two_callers_migrate_once()
    {
        using var folder = new TempFolder();
        var location = Locate(folder.Path);

        var stores = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(_ => Task.Run(() => RiskStore.OpenAsync(location, TestContext.Current.CancellationToken))));

        await using var connection = await stores[0].OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(SchemaMigrator.Discover("sqlite").Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
        foreach (var store in stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task The_open_case_index_refuses_a_second_open_case_of_a_household()
    {
        using var folder = new TempFolder();
        using var store = await RiskStore.OpenAsync(Locate(folder.Path), TestContext.Current.CancellationToken);
        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        const string Insert =
            """
            INSERT INTO risk_case (case_id, household_no, dong_code, flagged_on, last_flagged_on, priority, lane, crisis_score,
                                   lonely_death_score, reasons_json, model_version, policy_version, status)
            VALUES (@id, 7, '2826051000', '2026-11-22', '2026-11-22', 'high', 'model', 0.5, 0.5, '[]', 'm', 'p', @status)
            """;
        await connection.ExecuteAsync(Insert, new { id = "a", status = "closed" });
        await connection.ExecuteAsync(Insert, new { id = "b", status = "new" });

        await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(Insert, new { id = "c", status = "assigned" }));
    }

    private protected abstract StoreLocation Locate(string folder);
}

public sealed class SqliteRiskStoreTests : RiskStoreTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);

    [Fact]
    public async Task Connections_have_the_store_session_settings()
    {
        using var folder = new TempFolder();
        using var store = await RiskStore.OpenAsync(Locate(folder.Path), TestContext.Current.CancellationToken);

        await using var connection = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);

        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
        Assert.Equal("wal", await Pragma(connection, "journal_mode"));
        Assert.Equal("1", await Pragma(connection, "synchronous"));
        Assert.Equal("0", await Pragma(connection, "foreign_keys"));
        Assert.Equal("30000", await Pragma(connection, "busy_timeout"));
        Assert.Equal(StoreKind.Sqlite, store.Dialect.Kind);
    }

    [Fact]
    public async Task Missing_parent_folders_of_the_database_are_created()
    {
        using var folder = new TempFolder();
        var location = StoreLocation.Parse("sqlite:" + folder.Combine("a", "b", "c", "store.db"));

        using var store = await RiskStore.OpenAsync(location, TestContext.Current.CancellationToken);

        Assert.True(File.Exists(folder.Combine("a", "b", "c", "store.db")));
    }

    [Fact]
    public async Task A_new_store_has_64_KiB_pages_and_an_existing_one_keeps_its_own_and_its_rows()
    {
        using var folder = new TempFolder();
        using (var fresh = await RiskStore.OpenAsync(Locate(folder.Path), TestContext.Current.CancellationToken))
        await using (var connection = await fresh.OpenConnectionAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal("65536", await Pragma(connection, "page_size"));
        }

        // A store made before the larger pages: WAL, 4 KiB pages, a row.
        var path = folder.Combine("older.db");
        await using (var older = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + path))
        {
            await older.OpenAsync(TestContext.Current.CancellationToken);
            await older.ExecuteAsync("PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (id INTEGER PRIMARY KEY); INSERT INTO kept VALUES (7);");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + path), TestContext.Current.CancellationToken);
        await using var opened = await store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal("4096", await Pragma(opened, "page_size"));
        Assert.Equal(7L, await opened.ExecuteScalarAsync<long>("SELECT id FROM kept"));
        Assert.Equal(0L, await opened.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM usage_slab"));
    }

    private static async Task<string> Pragma(DbConnection connection, string name) =>
        Convert.ToString(await connection.ExecuteScalarAsync($"PRAGMA {name}"), System.Globalization.CultureInfo.InvariantCulture)!;
}

public sealed class PostgresRiskStoreTests : RiskStoreTests
{
    private protected override StoreLocation Locate(string folder) => PostgresLocation.In(folder);
}
