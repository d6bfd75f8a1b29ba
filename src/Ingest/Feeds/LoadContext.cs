using System.Data.Common;
using System.Globalization;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>What a loader works with while one file is applied: the file's transaction, its ledger id and as-of date, the subject map and the keys.</summary>
internal sealed class LoadContext : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly Statement _quarantine;
    private WriteBehind? _writeBehind;

    public LoadContext(
        DbConnection connection,
        DbTransaction transaction,
        ISqlDialect dialect,
        long fileId,
        string fileName,
        DateOnly asOf,
        SubjectMap subjects,
        Pseudonymizer.PseudonymHasher hasher,
        IdentityVault vault)
    {
        Connection = connection;
        Transaction = transaction;
        Dialect = dialect;
        FileId = fileId;
        FileName = fileName;
        AsOf = asOf;
        AsOfText = asOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Subjects = subjects;
        Hasher = hasher;
        Vault = vault;
        _quarantine = Prepare(
            "INSERT INTO quarantine (file_id, file_name, line, column_name, reason) VALUES (@file_id, @file_name, @line, @column_name, @reason)",
            "file_id", "file_name", "line", "column_name", "reason");
        _quarantine.Set(0, fileId).Set(1, fileName);
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

    public ISqlDialect Dialect { get; }

    public long FileId { get; }

    public string FileName { get; }

    public DateOnly AsOf { get; }

    public string AsOfText { get; }

    public SubjectMap Subjects { get; }

    public Pseudonymizer.PseudonymHasher Hasher { get; }

    public IdentityVault Vault { get; }

    /// <summary>A prepared statement in the file's transaction, disposed with the context.</summary>
    public Statement Prepare(string sql, params string[] parameterNames) =>
        Own(new Statement(Connection, Transaction, sql, parameterNames));

    /// <summary>A buffered bulk upsert writer for <paramref name="table"/> in the file's transaction (the loader flushes it), disposed with the context.</summary>
    public IBulkWriter Upsert(TableSpec table) => Own(Dialect.CreateBulkWriter(Connection, Transaction, table, buffered: true));

    public void Quarantine(int line, RowError error) =>
        Write(() => _quarantine.Set(2, line).Set(3, error.Column).Set(4, error.Reason).Execute());

    /// <summary>
    /// From here until <see cref="FinishWrites"/>, the file's writes run on a writer thread of their own while the row
    /// loop goes on (see <see cref="WriteBehind"/>). For loaders whose rows only write: nothing of the loop may read the
    /// store or touch the connection except through <see cref="Write"/>, and new subjects wait to be taken with their batch.
    /// </summary>
    public void StartWriteBehind()
    {
        if (_writeBehind is not null)
        {
            return;
        }

        Subjects.DeferNewRows();
        _writeBehind = new WriteBehind();
    }

    /// <summary>Runs <paramref name="write"/> on the connection: now, or after the writes queued before it on the writer thread.</summary>
    public void Write(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (_writeBehind is { } behind)
        {
            behind.Post(write);
        }
        else
        {
            write();
        }
    }

    /// <summary>Waits for the queued writes (rethrowing the first failure); from then on writes run at once again.</summary>
    public void FinishWrites()
    {
        var behind = _writeBehind;
        _writeBehind = null;
        if (behind is not null)
        {
            using (behind)
            {
                behind.Finish();
            }
        }
    }

    public void Dispose()
    {
        // A failing file: let the writer thread finish what it runs before the writers go and the transaction rolls back.
        _writeBehind?.Dispose();
        _writeBehind = null;
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _owned.Clear();
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
