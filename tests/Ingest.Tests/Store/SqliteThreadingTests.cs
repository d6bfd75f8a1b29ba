using Microsoft.Data.Sqlite;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SqliteThreadingTests
{
    [Fact]
    public void Asked_after_SQLite_has_started_the_mode_stays_serialized_and_connections_still_work()
    {
        using var before = new SqliteConnection("Data Source=:memory:");
        before.Open();

        Assert.False(SqliteThreading.UseMultiThreadMode());
        Assert.False(SqliteThreading.UseMultiThreadMode());

        using var after = new SqliteConnection("Data Source=:memory:");
        after.Open();
        using var command = after.CreateCommand();
        command.CommandText = "SELECT 40 + 2";
        Assert.Equal(42L, command.ExecuteScalar());
    }
}
