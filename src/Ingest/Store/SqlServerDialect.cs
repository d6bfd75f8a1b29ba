using System.Data;
using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// SQL Server: rows of a file go by SqlBulkCopy straight into their table when no stored row can conflict with them
/// (see <see cref="FreshRange"/>), otherwise into a temporary staging table and from there into the real table with
/// one MERGE per batch. Compiled and its SQL unit-tested; no SQL Server runs on the build machines, so it has not
/// been run against a server.
/// </summary>
internal sealed class SqlServerDialect : ISqlDialect
{
    public StoreKind Kind => StoreKind.SqlServer;

    public string MigrationFolder => "sqlserver";

    public string SchemaVersionTableSql =>
        """
        IF OBJECT_ID(N'schema_version', N'U') IS NULL
        CREATE TABLE schema_version (
            version    bigint        PRIMARY KEY,
            name       nvarchar(200) NOT NULL,
            applied_at nvarchar(40)  NOT NULL
        )
        """;

    public string SchemaVersionExistsSql => "SELECT CASE WHEN OBJECT_ID(N'schema_version', N'U') IS NULL THEN 0 ELSE 1 END";

    public DbConnection CreateConnection(string connectionString) => new SqlConnection(connectionString);

    public Task ConfigureConnectionAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return Task.CompletedTask;
    }

    // SQLite's BEGIN IMMEDIATE, here: one writer at a time, released at commit or rollback (see PostgresDialect).
    public Task<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken) =>
        WriteLock.BeginAsync(connection, WriteLockSql, cancellationToken);

    internal const string WriteLockSql =
        "EXEC sp_getapplock @Resource = N'riskwatch.write', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 30000";

    public string UpsertSql(TableSpec table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var values = string.Join(", ", table.Columns.Select(c => $"@{c} AS {c}"));
        if (table.KeyColumns.Count == 0)
        {
            return $"INSERT INTO {table.Name} ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select(c => "@" + c))})";
        }

        return Merge(table, $"(SELECT {values})");
    }

    public string InsertReturningSql(string table, IReadOnlyList<string> columns, string generatedColumn)
    {
        ArgumentNullException.ThrowIfNull(columns);
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) OUTPUT INSERTED.{generatedColumn} VALUES ({string.Join(", ", columns.Select(c => "@" + c))})";
    }

    public IBulkWriter CreateBulkWriter(DbConnection connection, DbTransaction transaction, TableSpec table, bool buffered)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(table);
        return new BulkCopyWriter((SqlConnection)connection, (SqlTransaction)transaction, table, this, buffered ? BulkCopyWriter.BatchRows : 0);
    }

    /// <summary>The staging table of <paramref name="table"/>: a session temporary table (#) with the target's columns and the row order.</summary>
    internal static string StagingName(TableSpec table) => $"#rw_stage_{table.Name}";

    internal static string CreateStagingSql(TableSpec table) =>
        $"IF OBJECT_ID(N'tempdb..{StagingName(table)}') IS NOT NULL DROP TABLE {StagingName(table)}; " +
        $"SELECT TOP 0 {string.Join(", ", table.Columns)}, CAST(0 AS bigint) AS rw_seq INTO {StagingName(table)} FROM {table.Name}";

    /// <summary>The staged rows into the table: the last row of a key staged twice wins, like SQLite's row-by-row upsert.</summary>
    internal static string MergeSql(TableSpec table)
    {
        var staging = StagingName(table);
        var columns = string.Join(", ", table.Columns);
        if (table.KeyColumns.Count == 0)
        {
            return $"INSERT INTO {table.Name} ({columns}) SELECT {columns} FROM {staging} ORDER BY rw_seq";
        }

        if (table.KeyUniqueInFile)
        {
            return Merge(table, $"(SELECT {columns} FROM {staging})");
        }

        var keys = string.Join(", ", table.KeyColumns);
        return Merge(
            table,
            $"(SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY rw_seq DESC) AS rw_last FROM {staging}) AS numbered WHERE rw_last = 1)");
    }

    /// <summary>A probe takes at most this many values: a table value constructor holds 1,000 rows.</summary>
    internal const int FreshRangeProbeValues = 1_000;

    /// <summary>
    /// Which of the values <c>@v0…</c> have rows in the table, by its <see cref="TableSpec.FreshRangeColumn"/>: the
    /// column leads the key, so each value is one seek of the primary key's index.
    /// </summary>
    internal static string FreshRangeProbeSql(TableSpec table, int values)
    {
        var column = table.FreshRangeColumn ?? throw new ArgumentException("The table has no fresh-range column.", nameof(table));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(values);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values, FreshRangeProbeValues);
        var rows = string.Join(", ", Enumerable.Range(0, values).Select(i => $"(@v{i})"));
        return $"SELECT v FROM (VALUES {rows}) AS probe(v) WHERE EXISTS (SELECT 1 FROM {table.Name} WHERE {table.Name}.{column} = probe.v)";
    }

    /// <summary>
    /// A MERGE from <paramref name="source"/> (aliased <c>source</c>); the target keeps its own name so that
    /// <see cref="TableSpec.UpdateOnlyIf"/> (written over <c>{Name}.column</c>) means the existing row. HOLDLOCK makes
    /// the match and the insert one atomic step, as ON CONFLICT is elsewhere.
    /// </summary>
    private static string Merge(TableSpec table, string source)
    {
        var on = string.Join(" AND ", table.KeyColumns.Select(k => $"{table.Name}.{k} = source.{k}"));
        var update = table.UpdateColumns.Select(c => $"{c} = source.{c}").ToList();
        var matched = update.Count == 0
            ? string.Empty
            : $" WHEN MATCHED{(table.UpdateOnlyIf is null ? string.Empty : $" AND {table.UpdateOnlyIf}")} THEN UPDATE SET {string.Join(", ", update)}";
        return $"MERGE INTO {table.Name} WITH (HOLDLOCK) USING {source} AS source ON {on}{matched} " +
               $"WHEN NOT MATCHED THEN INSERT ({string.Join(", ", table.Columns)}) VALUES ({string.Join(", ", table.Columns.Select(c => "source." + c))});";
    }

    /// <summary>
    /// Buffers up to <c>batchRows</c> rows in a DataTable and bulk-copies them straight into the table when
    /// <see cref="FreshRange"/> allows, otherwise into the staging table, then merges.
    /// Unbuffered (batchRows 0), each row is merged by itself as it is added.
    /// </summary>
    private sealed class BulkCopyWriter : IBulkWriter
    {
        internal const int BatchRows = 65_536;

        private readonly SqlConnection _connection;
        private readonly SqlTransaction _transaction;
        private readonly TableSpec _table;
        private readonly SqlServerDialect _dialect;
        private readonly int _batchRows;
        private readonly object?[] _row;
        private readonly DataTable _buffer = new();
        private readonly FreshRange _fresh;
        private long _sequence;
        private bool _created;
        private SqlCommand? _single;

        public BulkCopyWriter(SqlConnection connection, SqlTransaction transaction, TableSpec table, SqlServerDialect dialect, int batchRows)
        {
            _connection = connection;
            _transaction = transaction;
            _table = table;
            _dialect = dialect;
            _batchRows = batchRows;
            _row = new object?[table.Columns.Count];
            _fresh = new FreshRange(table);
            foreach (var column in table.Columns)
            {
                _buffer.Columns.Add(column, typeof(object));
            }

            _buffer.Columns.Add("rw_seq", typeof(long));
        }

        public void Set(int column, long value) => _row[column] = value;

        public void Set(int column, long? value) => _row[column] = value;

        public void Set(int column, double value) => _row[column] = value;

        public void Set(int column, double? value) => _row[column] = value;

        public void Set(int column, string? value) => _row[column] = value;

        public void Set(int column, byte[]? value) => _row[column] = value;

        public void AddRow()
        {
            if (_batchRows == 0)
            {
                MergeOne();
                return;
            }

            var values = new object?[_row.Length + 1];
            for (var i = 0; i < _row.Length; i++)
            {
                values[i] = _row[i] ?? DBNull.Value;
            }

            values[^1] = _sequence++;
            _buffer.Rows.Add(values);
            if (_buffer.Rows.Count >= _batchRows)
            {
                Send();
            }
        }

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_buffer.Rows.Count > 0)
            {
                Send();
            }

            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _single?.Dispose();
            _buffer.Dispose();
        }

        private void MergeOne()
        {
            if (_single is null)
            {
                _single = new SqlCommand(_dialect.UpsertSql(_table), _connection, _transaction);
                foreach (var column in _table.Columns)
                {
                    _single.Parameters.Add(new SqlParameter("@" + column, DBNull.Value));
                }
            }

            for (var i = 0; i < _row.Length; i++)
            {
                _single.Parameters[i].Value = _row[i] ?? DBNull.Value;
            }

            _single.ExecuteNonQuery();
        }

        private void Send()
        {
            if (_fresh.AllowsDirectInsert(FreshRangeValues(), StoredAmong))
            {
                // No stored key can meet these rows: one bulk copy into the table and no MERGE.
                BulkCopy(_table.Name, _table.Columns);
            }
            else
            {
                if (!_created)
                {
                    Execute(CreateStagingSql(_table));
                    _created = true;
                }

                BulkCopy(StagingName(_table), [.. _table.Columns, "rw_seq"]);
                Execute(MergeSql(_table));
                Execute($"TRUNCATE TABLE {StagingName(_table)}");
            }

            _buffer.Clear();
        }

        private void BulkCopy(string destination, IEnumerable<string> columns)
        {
            using var copy = new SqlBulkCopy(_connection, SqlBulkCopyOptions.Default, _transaction);
            copy.DestinationTableName = destination;
            copy.BatchSize = 0;
            foreach (var column in columns)
            {
                copy.ColumnMappings.Add(column, column);
            }

            copy.WriteToServer(_buffer);
        }

        private IEnumerable<object?> FreshRangeValues()
        {
            var column = _fresh.Column;
            foreach (DataRow row in _buffer.Rows)
            {
                var value = row[column];
                yield return value is DBNull ? null : value;
            }
        }

        /// <summary>Which of <paramref name="values"/> have rows in the table, in probes of at most <see cref="FreshRangeProbeValues"/> values.</summary>
        private HashSet<object> StoredAmong(IReadOnlyList<object> values)
        {
            var stored = new HashSet<object>();
            foreach (var chunk in values.Chunk(FreshRangeProbeValues))
            {
                using var command = new SqlCommand(FreshRangeProbeSql(_table, chunk.Length), _connection, _transaction);
                for (var i = 0; i < chunk.Length; i++)
                {
                    command.Parameters.AddWithValue($"@v{i}", chunk[i]);
                }

                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    stored.Add(reader.GetValue(0));
                }
            }

            return stored;
        }

        private void Execute(string sql)
        {
            using var command = new SqlCommand(sql, _connection, _transaction);
            command.ExecuteNonQuery();
        }
    }
}
