using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace RiskWatch.Ingest.Store;

/// <summary>The store of record: where it is, its dialect, and connections with the session settings applied.</summary>
public sealed class RiskStore : IDisposable
{
    private RiskStore(StoreLocation location, ISqlDialect dialect)
    {
        Location = location;
        Dialect = dialect;
    }

    /// <summary>Where the store is.</summary>
    public StoreLocation Location { get; }

    /// <summary>What differs between engines.</summary>
    public ISqlDialect Dialect { get; }

    /// <summary>Opens the store (creating a SQLite file and its folder if needed) and applies the migrations it lacks.</summary>
    public static async Task<RiskStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        var dialect = CreateDialect(location.Kind);
        if (location.Kind == StoreKind.Sqlite)
        {
            CreateParentFolder(location);
        }

        var store = new RiskStore(location, dialect);
        try
        {
            await using var connection = await store.OpenConnectionAsync(cancellationToken);
            await SchemaMigrator.ApplyAsync(connection, dialect, cancellationToken);
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>An open connection with the store's session settings applied; the caller disposes it.</summary>
    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection(Location.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await Dialect.ConfigureConnectionAsync(connection, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the pooled connections of this store, so the SQLite file is checkpointed and released.</summary>
    public void Dispose()
    {
        if (Location.Kind == StoreKind.Sqlite)
        {
            using var connection = new SqliteConnection(Location.ConnectionString);
            SqliteConnection.ClearPool(connection);
        }

        // A server store's pool is shared by every RiskStore of the same connection string in the process; it is left alone.
    }

    private static ISqlDialect CreateDialect(StoreKind kind) => kind switch
    {
        StoreKind.Sqlite => new SqliteDialect(),
        StoreKind.Postgres => new PostgresDialect(),
        StoreKind.SqlServer => new SqlServerDialect(),
        _ => throw new NotSupportedException($"The {kind} store is not supported."),
    };

    private static void CreateParentFolder(StoreLocation location)
    {
        var path = new SqliteConnectionStringBuilder(location.ConnectionString).DataSource;
        if (path.Length == 0 || path.StartsWith(':'))
        {
            return;
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
    }
}
