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
        Assert.Equal(["001_feeds", "002_queue", "003_web"], (await connection.QueryAsync<string>("SELECT name FROM schema_version ORDER BY version")).ToList());
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'usage_electricity'"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'risk_case'"));
    }

    [Fact]
    public async Task Stores_opened_at_once_by_two_callers_migrate_once()
    {
        using var folder = new TempFolder();
        var location = Locate(folder.Path);

        var stores = await Task.WhenAll(
            Enumerable.Range(0, 4).Select(_ => Task.Run(() => RiskStore.OpenAsync(location, TestContext.Current.CancellationToken))));

        await using var connection = await stores[0].OpenConnectionAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_version"));
        foreach (var store in stores)
        {
            store.Dispose();
        }
    }

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
    public async Task Server_stores_are_refused_until_their_dialect_exists()
    {
        var exception = await Assert.ThrowsAsync<NotSupportedException>(() =>
            RiskStore.OpenAsync(StoreLocation.Parse("postgres://u:p@127.0.0.1:1/db"), TestContext.Current.CancellationToken));

        Assert.Contains("not supported yet", exception.Message, StringComparison.Ordinal);
    }

    private protected abstract StoreLocation Locate(string folder);

    private static async Task<string> Pragma(DbConnection connection, string name) =>
        Convert.ToString(await connection.ExecuteScalarAsync($"PRAGMA {name}"), System.Globalization.CultureInfo.InvariantCulture)!;
}

public sealed class SqliteRiskStoreTests : RiskStoreTests
{
    private protected override StoreLocation Locate(string folder) => SqliteLocation.In(folder);
}
