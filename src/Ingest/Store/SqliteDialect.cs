using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace RiskWatch.Ingest.Store;

/// <summary>SQLite, the embedded default: one file, WAL journal, in-process prepared statements.</summary>
internal sealed class SqliteDialect : ISqlDialect
{
    // Waits this long for another process's write lock (a nightly run and an ingest started by hand) before failing.
    private const int BusyTimeoutMilliseconds = 30_000;

    // 64 MiB of page cache (negative = KiB): a nightly ingest touches the last days of the usage tables and their indexes.
    private const int CacheSizeKib = 65_536;

    /// <summary>
    /// Pages of a new store, SQLite's largest. The night reads ~4 GB of usage slabs at a million households (blobs of
    /// 100–400 KB, each a chain of overflow pages) and SQLite reads a page per system call: with 4 KB pages the calls
    /// and the kernel's page-cache lookups were ~13% of the night's CPU. Row tables are written in key order and read in
    /// ranges, so larger pages cost them nothing measurable. The pragma stays set on every store connection, so a
    /// <c>VACUUM INTO</c> run through one writes 64 KiB pages whatever the source has.
    /// </summary>
    internal const int NewStorePageSize = 65_536;

    public StoreKind Kind => StoreKind.Sqlite;

    public string MigrationFolder => "sqlite";

    public string SchemaVersionTableSql =>
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at TEXT    NOT NULL
        )
        """;

    public string SchemaVersionExistsSql => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    public DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public async Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();

        // The busy timeout comes first: switching a new file to WAL needs its lock, and stores opened at once wait for it.
        // WAL lets the web app read while a night's ingest writes; synchronous=NORMAL is durable at each checkpoint and
        // safe against corruption in WAL mode, and makes per-file commits cheap. Foreign keys stay off: the schema
        // declares none, and surrogates are resolved by the ingest itself. The page size takes only in a new, empty file
        // (before WAL writes its header) and is ignored for an existing store: see NewStorePageSize.
        command.CommandText =
            $"""
            PRAGMA busy_timeout = {BusyTimeoutMilliseconds};
            PRAGMA page_size = {NewStorePageSize};
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = OFF;
            PRAGMA cache_size = -{CacheSizeKib};
            PRAGMA temp_store = MEMORY;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        cancellationToken.ThrowIfCancellationRequested();

        // Not deferred: BEGIN IMMEDIATE takes the write lock now, so a check made in the transaction (is this file
        // already in the ledger?) still holds when it writes. SQLite is in-process, so there is nothing to await.
        return Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
    }

    public string UpsertSql(TableSpec table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Insert(table, table.Columns.Select(c => "@" + c), rows: 1);
    }

    public string InsertReturningSql(string table, IReadOnlyList<string> columns, string generatedColumn)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))}) RETURNING {generatedColumn}";
    }

    public IBulkWriter CreateBulkWriter(DbConnection connection, DbTransaction transaction, TableSpec table, bool buffered)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(table);
        if (!ReferenceEquals(transaction.Connection, connection))
        {
            throw new ArgumentException("The transaction belongs to another connection.", nameof(transaction));
        }

        var database = ((SqliteConnection)connection).Handle!;
        var positional = Enumerable.Range(0, table.Columns.Count).Select(_ => "?");
        return new SqliteBulkWriter(
            database,
            Insert(table, positional, rows: 1),
            buffered ? Insert(table, positional, SqliteBulkWriter.BatchRows) : null,
            table.Columns.Count);
    }

    /// <summary>INSERT of <paramref name="rows"/> rows, with the upsert clause the table's key asks for.</summary>
    private static string Insert(TableSpec table, IEnumerable<string> placeholders, int rows)
    {
        var row = $"({string.Join(", ", placeholders)})";
        var insert = $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES {string.Join(", ", Enumerable.Repeat(row, rows))}";
        if (table.KeyColumns.Count == 0)
        {
            return insert;
        }

        var update = table.UpdateColumns.Select(c => $"{c} = excluded.{c}").ToList();
        var conflict = $"ON CONFLICT ({string.Join(", ", table.KeyColumns)})";
        if (update.Count == 0)
        {
            return $"{insert} {conflict} DO NOTHING";
        }

        var where = table.UpdateOnlyIf is null ? string.Empty : $" WHERE {table.UpdateOnlyIf}";
        return $"{insert} {conflict} DO UPDATE SET {string.Join(", ", update)}{where}";
    }

    /// <summary>
    /// Statements prepared on the connection's native handle, in its open transaction. Microsoft.Data.Sqlite re-binds
    /// every parameter by name on each execution (about 2 µs a row); native binds cost a fraction of that. Buffered,
    /// rows go 128 to a multi-row INSERT, which SQLite runs with one cursor: a third less CPU than a row per step, and
    /// a day of usage is tens of thousands of rows (128 rather than 32: another 5% of SQLite's CPU per usage row; a
    /// table of 15 columns still binds far fewer than SQLite's 32,766 parameters).
    /// </summary>
    private sealed class SqliteBulkWriter : IBulkWriter
    {
        public const int BatchRows = 128;

        private const int StackTextBytes = 512;

        // Short values (dates, enum values) are the ones that repeat; longer ones (keys, ids) rarely do.
        private const int CachedTextBytes = 24;

        private readonly sqlite3 _database;
        private readonly sqlite3_stmt _single;
        private readonly sqlite3_stmt? _batch;

        // What is bound to each parameter of the batch statement now (Kind.Null with no reference until first bound: a
        // SQLite parameter starts NULL, so that is also true).
        private readonly Value[] _batchBound = [];
        private readonly int _columns;
        private readonly Value[] _row;
        private readonly Value[] _buffer;
        private int _buffered;

        // The last string bound to each column and its UTF-8 bytes: dates and enum values repeat on every row.
        private readonly string?[] _lastText;
        private readonly byte[]?[] _lastUtf8;

        public SqliteBulkWriter(sqlite3 database, string singleSql, string? batchSql, int columns)
        {
            _database = database;
            _columns = columns;
            Check(raw.sqlite3_prepare_v2(database, singleSql, out _single));
            if (batchSql is not null)
            {
                try
                {
                    Check(raw.sqlite3_prepare_v2(database, batchSql, out var batch));
                    _batch = batch;
                }
                catch
                {
                    // Finalized here, not by the finalizer thread while the connection goes on (multi-thread mode).
                    _single.Dispose();
                    throw;
                }

                _batchBound = new Value[columns * BatchRows];
            }

            _row = new Value[columns];
            _buffer = new Value[columns * BatchRows];
            _lastText = new string?[columns];
            _lastUtf8 = new byte[]?[columns];
        }

        public void Set(int column, long value) => _row[column] = new Value(Kind.Integer, value, 0, null);

        public void Set(int column, long? value) => _row[column] = value is { } v ? new Value(Kind.Integer, v, 0, null) : default;

        public void Set(int column, double value) => _row[column] = new Value(Kind.Real, 0, value, null);

        public void Set(int column, double? value) => _row[column] = value is { } v ? new Value(Kind.Real, 0, v, null) : default;

        public void Set(int column, string? value) => _row[column] = value is null ? default : new Value(Kind.Text, 0, 0, value);

        public void Set(int column, byte[]? value) => _row[column] = value is null ? default : new Value(Kind.Blob, 0, 0, value);

        public void AddRow()
        {
            if (_batch is null)
            {
                Bind(_single, _row, 0);
                Step(_single);
                return;
            }

            _row.CopyTo(_buffer, _buffered * _columns);
            if (++_buffered < BatchRows)
            {
                return;
            }

            for (var i = 0; i < BatchRows; i++)
            {
                Bind(_batch, _buffer.AsSpan(i * _columns, _columns), i * _columns);
            }

            Step(_batch);
            Release();
        }

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            for (var i = 0; i < _buffered; i++)
            {
                Bind(_single, _buffer.AsSpan(i * _columns, _columns), 0);
                Step(_single);
            }

            Release();
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _single.Dispose();
            _batch?.Dispose();
        }

        private void Bind(sqlite3_stmt statement, ReadOnlySpan<Value> values, int offset)
        {
            // SQLite keeps a parameter's value across resets: a value equal to the one already bound there (the file's
            // id, the day, an enum value) is not bound again, which saves a native call and the connection mutex each.
            // Only the batch statement is tracked; the single-row one binds every value. Numbers are bound through
            // SqliteNative, without the wrapper's handle counting (~20M binds at a million households).
            var bound = ReferenceEquals(statement, _batch) ? _batchBound.AsSpan(offset, values.Length) : default;
            for (var c = 0; c < values.Length; c++)
            {
                var index = offset + c + 1;
                var value = values[c];
                if (!bound.IsEmpty)
                {
                    if (bound[c].SameAs(value))
                    {
                        continue;
                    }

                    bound[c] = value;
                }

                Check(value.Kind switch
                {
                    Kind.Integer => SqliteNative.BindInt64(statement, index, value.Integer),
                    Kind.Real => SqliteNative.BindDouble(statement, index, value.Real),
                    Kind.Text => BindText(statement, index, c, (string)value.Reference!),
                    Kind.Blob => raw.sqlite3_bind_blob(statement, index, (byte[])value.Reference!),
                    _ => raw.sqlite3_bind_null(statement, index),
                });
            }
        }

        private int BindText(sqlite3_stmt statement, int index, int column, string text)
        {
            if (ReferenceEquals(text, _lastText[column]))
            {
                return raw.sqlite3_bind_text(statement, index, _lastUtf8[column]);
            }

            // SQLite copies a bound span (SQLITE_TRANSIENT): a value that differs on every row needs no heap copy.
            var length = Encoding.UTF8.GetByteCount(text);
            if (length > StackTextBytes)
            {
                return raw.sqlite3_bind_text(statement, index, Encoding.UTF8.GetBytes(text));
            }

            Span<byte> utf8 = stackalloc byte[length];
            Encoding.UTF8.GetBytes(text, utf8);
            if (length <= CachedTextBytes)
            {
                _lastText[column] = text;
                _lastUtf8[column] = utf8.ToArray();
            }

            return raw.sqlite3_bind_text(statement, index, utf8);
        }

        private void Step(sqlite3_stmt statement)
        {
            var result = SqliteNative.Step(statement);
            SqliteNative.Reset(statement);
            if (result != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(result, _database);
            }
        }

        /// <summary>Drops the buffered rows' references, so the strings and blobs of a flushed batch can be collected.</summary>
        private void Release()
        {
            Array.Clear(_buffer, 0, _buffered * _columns);
            _buffered = 0;
        }

        private void Check(int result)
        {
            if (result != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(result, _database);
            }
        }

        private enum Kind : byte
        {
            Null,
            Integer,
            Real,
            Text,
            Blob,
        }

        private readonly record struct Value(Kind Kind, long Integer, double Real, object? Reference)
        {
            /// <summary>Binds the same: same kind and bits, or the very same string or array (loaders reuse their instances of repeated values).</summary>
            public bool SameAs(in Value other) =>
                Kind == other.Kind
                && Integer == other.Integer
                && BitConverter.DoubleToInt64Bits(Real) == BitConverter.DoubleToInt64Bits(other.Real)
                && ReferenceEquals(Reference, other.Reference)
                && Kind != Kind.Blob; // a caller may refill the same array
        }
    }
}
