using System.Data.Common;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// Everything that differs between the engines of <see cref="StoreKind"/>: connections and session settings, the
/// write transaction, the DDL of the migrations, upsert syntax, generated keys and bulk loading. Everything else
/// (table and column names, plain SELECT/UPDATE/DELETE with <c>@name</c> parameters) is shared SQL.
/// </summary>
public interface ISqlDialect
{
    /// <summary>The engine.</summary>
    public StoreKind Kind { get; }

    /// <summary>The folder under <c>Store/Migrations</c> whose numbered scripts build this engine's schema.</summary>
    public string MigrationFolder { get; }

    /// <summary>DDL that creates the <c>schema_version</c> ledger of applied migrations if it does not exist.</summary>
    public string SchemaVersionTableSql { get; }

    /// <summary>A query of one row and column: 1 when the <c>schema_version</c> ledger exists, else 0 (no error, no exception to catch).</summary>
    public string SchemaVersionExistsSql { get; }

    /// <summary>A new, closed connection.</summary>
    public DbConnection CreateConnection(string connectionString);

    /// <summary>Applies the session settings every connection of the store needs (SQLite: WAL, synchronous, busy timeout, foreign keys off).</summary>
    public Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Begins a transaction that holds the write lock from its start, so a read-then-write inside it cannot be overtaken.</summary>
    public Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>An insert of one row of <paramref name="table"/> (parameters <c>@column</c>) that updates the non-key columns when the key exists.</summary>
    public string UpsertSql(TableSpec table);

    /// <summary>An insert of one row (parameters <c>@column</c>) returning the value of the generated <paramref name="generatedColumn"/>.</summary>
    public string InsertReturningSql(string table, IReadOnlyList<string> columns, string generatedColumn);

    /// <summary>
    /// A writer that upserts many rows of <paramref name="table"/> inside <paramref name="transaction"/> the fastest way the
    /// engine has. <paramref name="buffered"/>: rows may wait in the writer until <see cref="IBulkWriter.FlushAsync"/>;
    /// otherwise each row is in the table when <see cref="IBulkWriter.AddRow"/> returns (a row other statements read at once).
    /// </summary>
    public IBulkWriter CreateBulkWriter(DbConnection connection, DbTransaction transaction, TableSpec table, bool buffered);
}
