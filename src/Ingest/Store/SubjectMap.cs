using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Store;

/// <summary>
/// The integer surrogates (household_no, person_no) of pseudonymous keys, cached for an ingest run. A key seen for
/// the first time gets the next number and its row inside the file's transaction; if that transaction rolls back,
/// the new entries are forgotten too, so the cache never points at a row that does not exist.
/// </summary>
/// <param name="openReader">
/// Opens a connection of the store for reading (null: every read runs on the file's connection).
/// </param>
internal sealed class SubjectMap(Func<CancellationToken, Task<DbConnection>>? openReader = null) : IDisposable
{
    private static readonly TableSpec HouseholdTable = new("household", ["household_no", "household_key"], []);
    private static readonly TableSpec PersonTable = new("person", ["person_no", "person_key"], []);

    private readonly Subjects _households = new("household", "household_key", "household_no", HouseholdTable, isPerson: false);
    private readonly Subjects _persons = new("person", "person_key", "person_no", PersonTable, isPerson: true);

    /// <summary>
    /// Starts the work of one file, inside its write transaction. Numbers are given here rather than by the engine:
    /// the write lock is held, so MAX + 1 is safe, and rows go through the bulk writer with no round trip for the id.
    /// If another process added subjects since the cache was read, the cache is read again.
    /// </summary>
    /// <remarks>
    /// <paramref name="readsBack"/>: the file's loader updates a subject's row right after creating it (the registry),
    /// so each new row must be in the table at once; otherwise new rows are written in bulk by <see cref="FlushAsync"/>
    /// (on PostgreSQL a round trip per new household was most of a first usage file's time).
    /// </remarks>
    public async Task BeginAsync(DbConnection connection, DbTransaction transaction, ISqlDialect dialect, bool readsBack, CancellationToken cancellationToken)
    {
        _households.Rollback();
        _persons.Rollback();
        var householdMax = await _households.MaxAsync(connection, transaction, cancellationToken);
        var personMax = await _persons.MaxAsync(connection, transaction, cancellationToken);

        // When a kind's numbers moved since the cache was read (a run's first file: every key, ~3M at a million households,
        // most of them persons), the persons are read on a connection of their own while the households are read on the
        // file's, so the two cores share the work. The other connection reads exactly what this transaction sees: numbers
        // up to the maximum just read are committed, and the write lock held since keeps them the only ones.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var persons = openReader is not null && !_persons.IsCurrent(personMax)
            ? Task.Run(() => _persons.ReloadOnOwnConnectionAsync(openReader, personMax, failed.Token), failed.Token)
            : null;
        try
        {
            if (!_households.IsCurrent(householdMax))
            {
                await _households.ReloadAsync(connection, transaction, householdMax, cancellationToken);
            }
        }
        catch when (persons is not null)
        {
            // The households' error is the one to see: the persons' read is stopped, and only waited for so that its
            // connection is closed before the file's transaction ends.
            await failed.CancelAsync();
            await Task.WhenAny(persons);
            _ = persons.Exception;
            throw;
        }

        if (persons is not null)
        {
            await persons;
        }

        if (!_persons.IsCurrent(personMax))
        {
            await _persons.ReloadAsync(connection, transaction, personMax, cancellationToken);
        }

        _households.Begin(connection, transaction, dialect, readsBack, householdMax);
        _persons.Begin(connection, transaction, dialect, readsBack, personMax);
    }

    /// <summary>
    /// New subjects of this file are kept back from the writer until <see cref="TakeNewRows"/> hands them over (or
    /// <see cref="FlushAsync"/> writes them): the row loop resolves subjects while another thread owns the connection.
    /// Only for files whose subjects are not read back (see <see cref="BeginAsync"/>).
    /// </summary>
    public void DeferNewRows()
    {
        _households.DeferNewRows();
        _persons.DeferNewRows();
    }

    /// <summary>The writes of the subjects created since the last call (null when none), to run where the connection is used.</summary>
    public Action? TakeNewRows()
    {
        var households = _households.TakeNewRows();
        var persons = _persons.TakeNewRows();
        return households is null ? persons : persons is null ? households : households + persons;
    }

    /// <summary>Writes the new subjects still buffered; called before the file's transaction commits.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _households.FlushAsync(cancellationToken);
        await _persons.FlushAsync(cancellationToken);
    }

    /// <summary>The household_no of a valid household_id, pseudonymized and created if unseen.</summary>
    public long Household(ReadOnlySpan<byte> householdId, Pseudonymizer.PseudonymHasher hasher) =>
        _households.Resolve(householdId, hasher);

    /// <summary>The person_no of the 13 normalized digits of a valid rrn, pseudonymized and created if unseen.</summary>
    public long Person(ReadOnlySpan<byte> rrnDigits, Pseudonymizer.PseudonymHasher hasher) =>
        _persons.Resolve(rrnDigits, hasher);

    /// <summary>The key of a valid household_id, its slot fetched ahead (<see cref="SubjectTable.Prefetch"/>); nothing is created.</summary>
    public SubjectKey HouseholdKey(ReadOnlySpan<byte> householdId, Pseudonymizer.PseudonymHasher hasher) =>
        _households.KeyOf(householdId, hasher);

    /// <summary>The household_no of a key from <see cref="HouseholdKey"/>, created if unseen.</summary>
    public long Household(in SubjectKey key) => _households.Resolve(key);

    /// <summary>The key of the 13 normalized digits of a valid rrn, its slot fetched ahead; nothing is created.</summary>
    public SubjectKey PersonKey(ReadOnlySpan<byte> rrnDigits, Pseudonymizer.PseudonymHasher hasher) =>
        _persons.KeyOf(rrnDigits, hasher);

    /// <summary>The person_no of a key from <see cref="PersonKey"/>, created if unseen.</summary>
    public long Person(in SubjectKey key) => _persons.Resolve(key);

    /// <summary>The file's transaction committed: its new keys are now real.</summary>
    public void Commit()
    {
        _households.Commit();
        _persons.Commit();
    }

    /// <summary>The file's transaction rolled back: forget the keys it inserted.</summary>
    public void Rollback()
    {
        _households.Rollback();
        _persons.Rollback();
    }

    public void Dispose() => Rollback();

    /// <summary>One kind of subject: its table, its caches and the numbers given during the current file.</summary>
    private sealed class Subjects(string table, string keyColumn, string numberColumn, TableSpec spec, bool isPerson)
    {
        // Each row's identifier is hashed where it is read (~0.1 µs, PrefixedHmacSha256) and looked up by its key: a
        // cache of identifier → number for the run cost more in its own lookups than the hashes it spared.
        private readonly SubjectTable _known = new();
        private readonly List<SubjectKey> _added = [];
        private long _committedMax = -1;
        private long _next;
        private IBulkWriter? _writer;

        // The new rows not yet given to the writer, while deferred: (number, key as hex).
        private List<(long Number, string Key)>? _deferred;

        public Task FlushAsync(CancellationToken cancellationToken)
        {
            TakeNewRows()?.Invoke();
            return _writer?.FlushAsync(cancellationToken) ?? Task.CompletedTask;
        }

        public void DeferNewRows()
        {
            if (_writer is null)
            {
                throw new InvalidOperationException("SubjectMap.BeginAsync was not called for this file.");
            }

            _deferred ??= [];
        }

        public Action? TakeNewRows()
        {
            if (_deferred is not { Count: > 0 } rows || _writer is not { } writer)
            {
                return null;
            }

            _deferred = [];
            return () =>
            {
                foreach (var (number, key) in rows)
                {
                    writer.Set(0, number);
                    writer.Set(1, key);
                    writer.AddRow();
                }
            };
        }

        public Task<long> MaxAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
            ScalarAsync(connection, transaction, $"SELECT COALESCE(MAX({numberColumn}), 0) FROM {table}", cancellationToken);

        /// <summary>Whether the cache holds every key numbered up to <paramref name="max"/>, the table's maximum.</summary>
        public bool IsCurrent(long max) => max == _committedMax;

        public void Begin(DbConnection connection, DbTransaction transaction, ISqlDialect dialect, bool readsBack, long max)
        {
            _next = max + 1;
            _writer = dialect.CreateBulkWriter(connection, transaction, spec, buffered: !readsBack);
        }

        public async Task ReloadOnOwnConnectionAsync(Func<CancellationToken, Task<DbConnection>> open, long max, CancellationToken cancellationToken)
        {
            await using var connection = await open(cancellationToken);
            await ReloadAsync(connection, transaction: null, max, cancellationToken);
        }

        public long Resolve(ReadOnlySpan<byte> identifier, Pseudonymizer.PseudonymHasher hasher)
        {
            return Resolve(isPerson ? hasher.Person(identifier) : hasher.Household(identifier));
        }

        public SubjectKey KeyOf(ReadOnlySpan<byte> identifier, Pseudonymizer.PseudonymHasher hasher)
        {
            var key = isPerson ? hasher.Person(identifier) : hasher.Household(identifier);
            _known.Prefetch(key);
            return key;
        }

        public long Resolve(in SubjectKey key)
        {
            if (_known.TryGetValue(key, out var number))
            {
                return number;
            }

            if (_writer is null)
            {
                throw new InvalidOperationException("SubjectMap.BeginAsync was not called for this file.");
            }

            number = _next++;
            if (_deferred is not null)
            {
                _deferred.Add((number, key.ToHex()));
            }
            else
            {
                _writer.Set(0, number);
                _writer.Set(1, key.ToHex());
                _writer.AddRow();
            }

            _known.Set(key, number);
            _added.Add(key);
            return number;
        }

        public void Commit()
        {
            if (_added.Count > 0)
            {
                _committedMax = _next - 1;
            }

            _added.Clear();
            End();
        }

        public void Rollback()
        {
            foreach (var key in _added)
            {
                _known.Remove(key);
            }

            _added.Clear();
            End();
        }

        private void End()
        {
            _deferred = null;
            _writer?.Dispose();
            _writer = null;
        }

        /// <summary>Reads every key numbered up to <paramref name="max"/> (the table's maximum when this run began the file).</summary>
        public async Task ReloadAsync(DbConnection connection, DbTransaction? transaction, long max, CancellationToken cancellationToken)
        {
            // Not current until the read has ended: a read that fails leaves a cache that is read again next time.
            _committedMax = -1;
            _known.Clear();
            _known.EnsureCapacity((int)Math.Min(max, int.MaxValue));
            if (connection is SqliteConnection sqlite)
            {
                ReloadInPlace(sqlite, max, cancellationToken);
            }
            else
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = $"SELECT {keyColumn}, {numberColumn} FROM {table}";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var number = reader.GetInt64(1);
                    if (number > 0 && number <= max && SubjectKey.TryFromHex(reader.GetString(0), out var key))
                    {
                        _known.Set(key, number);
                    }
                }
            }

            _committedMax = max;
        }

        /// <summary>
        /// SQLite: the keys are parsed where SQLite holds their text, through the connection's own handle (the statement
        /// runs inside the file's transaction like any other on it). ~3M keys are read back each run at a million
        /// households; through the ADO.NET reader each became a string first, and the reader's per-column checks cost
        /// more than SQLite's own scan of the index.
        /// </summary>
        private void ReloadInPlace(SqliteConnection connection, long max, CancellationToken cancellationToken) =>
            SqliteRows.ForEach(connection, $"SELECT {keyColumn}, {numberColumn} FROM {table}", _ => { }, row =>
            {
                var number = row.Int64(1);
                if (number > 0 && number <= max && SubjectKey.TryFromHex(row.Bytes(0), out var key))
                {
                    _known.Set(key, number);
                }
            },
            cancellationToken);

        private static async Task<long> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }
    }
}
