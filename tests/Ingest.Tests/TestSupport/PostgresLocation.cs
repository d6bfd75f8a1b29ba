using Npgsql;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.TestSupport;

/// <summary>
/// The PostgreSQL server of the tests (RISKWATCH_TEST_PG, set by ./test's throwaway cluster or by CI; a loopback
/// default otherwise) and a fresh schema in it for each store a test opens, so that no test sees another's rows.
/// A server that does not answer fails the test with one clear line: these tests never skip, on CI or anywhere.
/// </summary>
internal static class PostgresLocation
{
    public const string Variable = "RISKWATCH_TEST_PG";

    private static readonly Lazy<StoreLocation> Server = new(Connect);

    /// <summary>A store location in a new, empty schema (the folder is unused: the server keeps the data).</summary>
    public static StoreLocation In(string folder)
    {
        _ = folder;
        var schema = "rwtest_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(Server.Value.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            command.ExecuteNonQuery();
        }

        // Every schema is a pool of its own: idle connections are closed within seconds, or a run of a few hundred store
        // tests holds more sessions than the server allows (53300 "too many clients") long after each test has finished.
        var builder = new NpgsqlConnectionStringBuilder(Server.Value.ConnectionString)
        {
            SearchPath = schema,
            ConnectionIdleLifetime = 2,
            ConnectionPruningInterval = 1,
        };
        return new StoreLocation(StoreKind.Postgres, builder.ConnectionString);
    }

    /// <summary>The server's URI with the schema of <paramref name="location"/> as its search path, for a child process.</summary>
    public static string SchemaOf(StoreLocation location) => new NpgsqlConnectionStringBuilder(location.ConnectionString).SearchPath!;

    private static StoreLocation Connect()
    {
        var uri = Environment.GetEnvironmentVariable(Variable);
        var location = StoreLocation.Parse(string.IsNullOrWhiteSpace(uri) ? "postgres://postgres:postgres@127.0.0.1:5432/postgres" : uri);
        try
        {
            using var connection = new NpgsqlConnection(location.ConnectionString);
            connection.Open();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL server answers at {location.Display} ({exception.GetType().Name}). Run ./test, which starts a throwaway " +
                $"cluster, or set {Variable}=postgres://USER:PASSWORD@HOST:PORT/DB.");
        }

        return location;
    }
}
