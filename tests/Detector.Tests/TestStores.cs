using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// Store URIs for tests that run the real CLI or the whole nightly pass: a SQLite file, or a new database on the
/// PostgreSQL server of the tests (RISKWATCH_TEST_PG, set by ./test; a loopback default otherwise). A server that does
/// not answer fails the test with one clear line — never a skip, on CI or anywhere.
/// </summary>
internal static class TestStores
{
    private static readonly Lazy<NpgsqlConnectionStringBuilder> Server = new(Connect);

    public static string Sqlite(string folder) => "sqlite:" + Path.Combine(folder, "riskwatch.db");

    /// <summary>
    /// A postgres:// URI of a new database: empty, or a copy of <paramref name="template"/> (a database name nobody is
    /// connected to), which is much quicker than ingesting the same district again.
    /// </summary>
    public static string NewPostgresDatabase(string? template = null)
    {
        var server = Server.Value;
        var database = "rwtest_" + Guid.NewGuid().ToString("N")[..16];
        using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand(
                template is null ? $"CREATE DATABASE {database}" : $"CREATE DATABASE {database} TEMPLATE {template}", connection);
            command.ExecuteNonQuery();
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"postgres://{Uri.EscapeDataString(server.Username!)}:{Uri.EscapeDataString(server.Password ?? "x")}@{server.Host}:{server.Port}/{database}");
    }

    /// <summary>
    /// A hash of every table's rows, for comparing two stores: columns that differ between equal stores by design
    /// (the generated ledger id, the time of ingest) are left out, and rows are sorted.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> FingerprintAsync(string uri, params string[] alsoLeftOut) =>
        await FingerprintAsync(uri, tables: null, alsoLeftOut);

    /// <summary>As above, for only <paramref name="tables"/> (null: every table).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> FingerprintAsync(
        string uri, IReadOnlyCollection<string>? tables, params string[] alsoLeftOut)
    {
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse(uri), CancellationToken.None);
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        var names = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = store.Dialect.Kind == StoreKind.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        var fingerprints = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in names.Where(t => t != "schema_version" && (tables is null || tables.Contains(t))))
        {
            fingerprints[table] = await HashTableAsync(connection, table, alsoLeftOut);
        }

        return fingerprints;
    }

    private static async Task<string> HashTableAsync(DbConnection connection, string table, string[] alsoLeftOut)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var row = new StringBuilder();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var name = reader.GetName(i);
                if (name is "file_id" or "ingested_at" || alsoLeftOut.Contains(name, StringComparer.Ordinal))
                {
                    continue;
                }

                var value = reader.IsDBNull(i) ? "∅" : reader.GetValue(i) switch
                {
                    byte[] bytes => Convert.ToHexString(bytes),
                    IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                    var other => other.ToString(),
                };
                row.Append(name).Append('=').Append(value).Append('|');
            }

            rows.Add(row.ToString());
        }

        rows.Sort(StringComparer.Ordinal);
        return string.Create(CultureInfo.InvariantCulture, $"{rows.Count} rows, sha256 ") +
               Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
    }

    private static NpgsqlConnectionStringBuilder Connect()
    {
        var uri = Environment.GetEnvironmentVariable("RISKWATCH_TEST_PG");
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
                "cluster, or set RISKWATCH_TEST_PG=postgres://USER:PASSWORD@HOST:PORT/DB.");
        }

        return new NpgsqlConnectionStringBuilder(location.ConnectionString);
    }
}
