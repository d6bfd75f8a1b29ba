using System.Globalization;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace RiskWatch.Ingest.Store;

/// <summary>Where the store is: an engine and an ADO.NET connection string, parsed from the URI of <c>--db</c> / <c>RISKWATCH_DB</c>.</summary>
public sealed record StoreLocation(StoreKind Kind, string ConnectionString)
{
    private const string Expected = "expected sqlite:PATH, postgres://USER:PASSWORD@HOST:PORT/DB or sqlserver://USER:PASSWORD@HOST:PORT/DB";

    /// <summary>The location without its password, for logs and messages.</summary>
    public string Display => Kind switch
    {
        StoreKind.Sqlite => "sqlite:" + new SqliteConnectionStringBuilder(ConnectionString).DataSource,
        StoreKind.Postgres => DisplayPostgres(new NpgsqlConnectionStringBuilder(ConnectionString)),
        StoreKind.SqlServer => DisplaySqlServer(new SqlConnectionStringBuilder(ConnectionString)),
        _ => Kind.ToString(),
    };

    /// <summary>
    /// Parses <c>sqlite:PATH</c> (a relative path stays relative to the working directory), <c>postgres://USER:PASSWORD@HOST:PORT/DB</c>
    /// or <c>sqlserver://USER:PASSWORD@HOST:PORT/DB</c>; throws <see cref="ArgumentException"/> with a one-line message otherwise.
    /// </summary>
    public static StoreLocation Parse(string uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            throw new ArgumentException($"The store URI is empty ({Expected}).", nameof(uri));
        }

        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? string.Empty : uri[..colon].ToLowerInvariant();
        return scheme switch
        {
            "sqlite" => ParseSqlite(uri[(colon + 1)..]),
            "postgres" or "postgresql" => ParseServer(uri, StoreKind.Postgres, defaultPort: 5432),
            "sqlserver" => ParseServer(uri, StoreKind.SqlServer, defaultPort: 1433),

            // Only the scheme is echoed: the rest of a URI may hold a password.
            _ => throw new ArgumentException(
                colon < 0 ? $"The store URI has no scheme ({Expected})." : $"Unknown store URI scheme '{scheme}' ({Expected}).",
                nameof(uri)),
        };
    }

    /// <summary>The display form: a connection string holds the password.</summary>
    public override string ToString() => Display;

    private static StoreLocation ParseSqlite(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The sqlite: store URI has no path (e.g. sqlite:./data/riskwatch.db).", "uri");
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        return new StoreLocation(StoreKind.Sqlite, builder.ConnectionString);
    }

    private static StoreLocation ParseServer(string uri, StoreKind kind, int defaultPort)
    {
        var scheme = kind == StoreKind.Postgres ? "postgres" : "sqlserver";
        var shape = $"{scheme}://USER:PASSWORD@HOST:PORT/DB";
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException($"The {scheme}:// store URI is not valid (expected {shape}).", nameof(uri));
        }

        var userInfo = parsed.UserInfo;
        var separator = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(separator < 0 ? userInfo : userInfo[..separator]);
        var password = separator < 0 ? null : Uri.UnescapeDataString(userInfo[(separator + 1)..]);
        if (string.IsNullOrEmpty(user))
        {
            throw new ArgumentException($"The {scheme}:// store URI names no user (expected {shape}).", nameof(uri));
        }

        var database = Uri.UnescapeDataString(parsed.AbsolutePath.Trim('/'));
        if (string.IsNullOrEmpty(database) || database.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {scheme}:// store URI names no database (expected {shape}).", nameof(uri));
        }

        var port = parsed.IsDefaultPort || parsed.Port < 0 ? defaultPort : parsed.Port;
        var connectionString = kind == StoreKind.Postgres
            ? new NpgsqlConnectionStringBuilder
            {
                Host = parsed.Host,
                Port = port,
                Username = user,
                Password = password,
                Database = database,
            }.ConnectionString
            : new SqlConnectionStringBuilder
            {
                DataSource = string.Create(CultureInfo.InvariantCulture, $"{parsed.Host},{port}"),
                UserID = user,
                Password = password ?? string.Empty,
                InitialCatalog = database,
            }.ConnectionString;
        return new StoreLocation(kind, connectionString);
    }

    private static string DisplayPostgres(NpgsqlConnectionStringBuilder builder) =>
        string.Create(CultureInfo.InvariantCulture, $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}");

    private static string DisplaySqlServer(SqlConnectionStringBuilder builder)
    {
        var comma = builder.DataSource.LastIndexOf(',');
        var server = comma < 0 ? builder.DataSource : $"{builder.DataSource[..comma]}:{builder.DataSource[(comma + 1)..]}";
        return $"sqlserver://{builder.UserID}@{server}/{builder.InitialCatalog}";
    }
}
