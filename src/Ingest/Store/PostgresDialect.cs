using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// PostgreSQL, the production store: rows of a file go by binary COPY straight into their table when no stored row can
/// conflict with them (see <see cref="FreshRange"/>), otherwise into a temporary staging table and from there into the
/// real table with one set-based <c>INSERT … ON CONFLICT</c> per batch.
/// </summary>
internal sealed class PostgresDialect : ISqlDialect
{
    public StoreKind Kind => StoreKind.Postgres;

    public string MigrationFolder => "postgres";

    public string SchemaVersionTableSql =>
        """
        CREATE TABLE IF NOT EXISTS schema_version (
            version    bigint PRIMARY KEY,
            name       text   NOT NULL,
            applied_at text   NOT NULL
        )
        """;

    public string SchemaVersionExistsSql => "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END";

    public DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // Nothing per session: the defaults (READ COMMITTED, synchronous_commit on) are what the store needs.
        ArgumentNullException.ThrowIfNull(connection);
        return Task.CompletedTask;
    }

    // SQLite's BEGIN IMMEDIATE, here: one writer per store (schema) at a time, held to commit or rollback. The ingest gives
    // surrogate numbers as MAX + 1 and checks the ledger before writing; both need it.
    public Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        WriteLock.BeginAsync(connection, WriteLockSql, cancellationToken);

    /// <summary>The transaction-scoped advisory lock of the current schema: tests and tenants in other schemas do not wait.</summary>
    internal const string WriteLockSql = "SELECT pg_advisory_xact_lock(hashtext('riskwatch.write.' || current_schema()))";

    public string UpsertSql(TableSpec table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select(c => "@" + c))}){ConflictClause(table)}";
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

        var npgsql = (NpgsqlConnection)connection;
        return buffered
            ? new CopyWriter(npgsql, (NpgsqlTransaction)transaction, table)
            : new RowWriter(npgsql, (NpgsqlTransaction)transaction, table, UpsertSql(table));
    }

    /// <summary>The name of a staging table of <paramref name="table"/> (temporary, dropped at commit).</summary>
    internal static string StagingName(TableSpec table, int instance) => $"rw_stage_{table.Name}_{instance}";

    /// <summary>Creates the staging table: the target's columns and types, plus the row's order in the file.</summary>
    internal static string CreateStagingSql(TableSpec table, string staging) =>
        $"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {string.Join(", ", table.Columns)}, 0::bigint AS rw_seq FROM {table.Name} WITH NO DATA";

    /// <summary>
    /// Moves the staged rows into the table in one statement. A key staged twice keeps its last row (SQLite's
    /// row-by-row upsert does the same; ON CONFLICT refuses to touch a row twice in one statement).
    /// </summary>
    internal static string MergeSql(TableSpec table, string staging)
    {
        var columns = string.Join(", ", table.Columns);
        if (table.KeyColumns.Count == 0)
        {
            return $"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM {staging} ORDER BY rw_seq";
        }

        if (table.KeyUniqueInFile)
        {
            return $"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM {staging}{ConflictClause(table)}";
        }

        var keys = string.Join(", ", table.KeyColumns);
        return $"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM (SELECT DISTINCT ON ({keys}) {columns} FROM {staging} ORDER BY {keys}, rw_seq DESC) AS staged{ConflictClause(table)}";
    }

    /// <summary>
    /// Which of the values of <c>@values</c> (an array) have rows in the table, by its <see cref="TableSpec.FreshRangeColumn"/>:
    /// the column leads the key, so each value is one probe of the primary key's index.
    /// </summary>
    internal static string FreshRangeProbeSql(TableSpec table)
    {
        var column = table.FreshRangeColumn ?? throw new ArgumentException("The table has no fresh-range column.", nameof(table));
        return $"SELECT v FROM unnest(@values) AS v WHERE EXISTS (SELECT 1 FROM {table.Name} WHERE {column} = v)";
    }

    private static string ConflictClause(TableSpec table)
    {
        if (table.KeyColumns.Count == 0)
        {
            return string.Empty;
        }

        var conflict = $" ON CONFLICT ({string.Join(", ", table.KeyColumns)})";
        var update = table.UpdateColumns.Select(c => $"{c} = excluded.{c}").ToList();
        if (update.Count == 0)
        {
            return conflict + " DO NOTHING";
        }

        var where = table.UpdateOnlyIf is null ? string.Empty : $" WHERE {table.UpdateOnlyIf}";
        return $"{conflict} DO UPDATE SET {string.Join(", ", update)}{where}";
    }

    /// <summary>
    /// Buffers rows in memory (at most <see cref="BatchRows"/>) and sends each batch by binary COPY, straight into the
    /// table when <see cref="FreshRange"/> allows, otherwise into a staging table that is then merged. COPY holds the connection while it runs, and loaders run other statements (quarantine, the
    /// registry's updates) between rows, so a batch is copied whole at flush time rather than streamed row by row.
    /// </summary>
    private sealed class CopyWriter : IBulkWriter
    {
        // 64k rows: a COPY and a merge per batch amortize the round trips; the buffer stays a few MiB whatever the file.
        internal const int BatchRows = 65_536;

        private static int s_instances;

        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _transaction;
        private readonly TableSpec _table;
        private readonly string _staging;
        private readonly FreshRange _fresh;
        private readonly string _directCopySql;
        private readonly string _stagingCopySql;
        private readonly Value[] _row;
        private readonly Value[] _buffer;
        private readonly int _columns;
        private int _buffered;
        private long _sequence;
        private bool _created;

        public CopyWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, TableSpec table)
        {
            _connection = connection;
            _transaction = transaction;
            _table = table;
            _columns = table.Columns.Count;
            _staging = StagingName(table, Interlocked.Increment(ref s_instances));
            _fresh = new FreshRange(table);
            var columns = string.Join(", ", table.Columns);
            _directCopySql = $"COPY {table.Name} ({columns}) FROM STDIN (FORMAT BINARY)";
            _stagingCopySql = $"COPY {_staging} ({columns}, rw_seq) FROM STDIN (FORMAT BINARY)";
            _row = new Value[_columns];
            _buffer = new Value[_columns * BatchRows];
        }

        public void Set(int column, long value) => _row[column] = new Value(ValueKind.Integer, value, 0, null);

        public void Set(int column, long? value) => _row[column] = value is { } v ? new Value(ValueKind.Integer, v, 0, null) : default;

        public void Set(int column, double value) => _row[column] = new Value(ValueKind.Real, 0, value, null);

        public void Set(int column, double? value) => _row[column] = value is { } v ? new Value(ValueKind.Real, 0, v, null) : default;

        public void Set(int column, string? value) => _row[column] = value is null ? default : new Value(ValueKind.Text, 0, 0, value);

        public void Set(int column, byte[]? value) => _row[column] = value is null ? default : new Value(ValueKind.Blob, 0, 0, value);

        public void AddRow()
        {
            _row.CopyTo(_buffer, _buffered * _columns);
            if (++_buffered == BatchRows)
            {
                Send();
            }
        }

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_buffered > 0)
            {
                Send();
            }

            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }

        /// <summary>Synchronous like the row loop that calls it (see InboxIngestor.LoadRows).</summary>
        private void Send()
        {
            if (_fresh.AllowsDirectInsert(FreshRangeValues(), StoredAmong))
            {
                // No stored key can meet these rows: one COPY into the table, as \copy would, and no second write.
                Copy(_directCopySql, withSequence: false);
            }
            else
            {
                if (!_created)
                {
                    Execute(CreateStagingSql(_table, _staging));
                    _created = true;
                }

                Copy(_stagingCopySql, withSequence: true);
                Execute(MergeSql(_table, _staging));
                Execute($"TRUNCATE {_staging}");
            }

            Array.Clear(_buffer, 0, _buffered * _columns);
            _buffered = 0;
        }

        private void Copy(string copySql, bool withSequence)
        {
            var fields = _columns + (withSequence ? 1 : 0);
            using var stream = _connection.BeginRawBinaryCopy(copySql);
            var rows = new BinaryCopyWriter(stream, fields);
            try
            {
                for (var r = 0; r < _buffered; r++)
                {
                    rows.StartRow(fields);
                    var row = _buffer.AsSpan(r * _columns, _columns);
                    for (var c = 0; c < row.Length; c++)
                    {
                        var value = row[c];
                        switch (value.Kind)
                        {
                            case ValueKind.Integer:
                                rows.Write(value.Integer);
                                break;
                            case ValueKind.Real:
                                rows.Write(value.Real);
                                break;
                            case ValueKind.Text:
                                rows.Write((string)value.Reference!, c);
                                break;
                            case ValueKind.Blob:
                                rows.Write((byte[])value.Reference!);
                                break;
                            default:
                                rows.WriteNull();
                                break;
                        }
                    }

                    if (withSequence)
                    {
                        rows.Write(_sequence++);
                    }
                }

                rows.Complete();
            }
            catch
            {
                // Disposing the stream would end the COPY as if complete; cancel it so the server discards the rows.
                stream.Cancel();
                throw;
            }
        }

        /// <summary>The buffered rows' values of the fresh-range column (read only when the table has one).</summary>
        private IEnumerable<object?> FreshRangeValues()
        {
            var column = _fresh.Column;
            for (var r = 0; r < _buffered; r++)
            {
                var value = _buffer[(r * _columns) + column];
                yield return value.Kind == ValueKind.Integer ? value.Integer : value.Reference;
            }
        }

        /// <summary>Which of <paramref name="values"/> have rows in the table: one index probe each.</summary>
        private HashSet<object> StoredAmong(IReadOnlyList<object> values)
        {
            using var command = new NpgsqlCommand(FreshRangeProbeSql(_table), _connection, _transaction);
            command.Parameters.Add(values.All(v => v is long)
                ? new NpgsqlParameter<long[]>("values", [.. values.Cast<long>()])
                : new NpgsqlParameter<string[]>("values", [.. values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!)]));
            var stored = new HashSet<object>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored.Add(reader.GetValue(0));
            }

            return stored;
        }

        private void Execute(string sql)
        {
            using var command = new NpgsqlCommand(sql, _connection, _transaction);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>One row at a time, each visible when <see cref="AddRow"/> returns: for rows other statements read at once.</summary>
    private sealed class RowWriter : IBulkWriter
    {
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlParameter[] _parameters;
        private bool _prepared;

        public RowWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, TableSpec table, string sql)
        {
            _command = new NpgsqlCommand(sql, connection, transaction);
            _parameters = new NpgsqlParameter[table.Columns.Count];
            for (var i = 0; i < _parameters.Length; i++)
            {
                _parameters[i] = new NpgsqlParameter("@" + table.Columns[i], DBNull.Value);
                _command.Parameters.Add(_parameters[i]);
            }
        }

        public void Set(int column, long value) => Bind(column, value, NpgsqlDbType.Bigint);

        public void Set(int column, long? value) => Bind(column, value, NpgsqlDbType.Bigint);

        public void Set(int column, double value) => Bind(column, value, NpgsqlDbType.Double);

        public void Set(int column, double? value) => Bind(column, value, NpgsqlDbType.Double);

        public void Set(int column, string? value) => Bind(column, value, NpgsqlDbType.Text);

        public void Set(int column, byte[]? value) => Bind(column, value, NpgsqlDbType.Bytea);

        public void AddRow()
        {
            if (!_prepared)
            {
                // Prepared once the first row has typed every parameter: the registry creates subjects one by one.
                _command.Prepare();
                _prepared = true;
            }

            _command.ExecuteNonQuery();
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => _command.Dispose();

        private void Bind(int column, object? value, NpgsqlDbType type)
        {
            // The type is fixed so that a NULL binds as the column's type and the prepared plan never changes.
            _parameters[column].NpgsqlDbType = type;
            _parameters[column].Value = value ?? DBNull.Value;
        }
    }

    private enum ValueKind : byte
    {
        Null,
        Integer,
        Real,
        Text,
        Blob,
    }

    private readonly record struct Value(ValueKind Kind, long Integer, double Real, object? Reference);
}
