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
        _quarantine.Set(2, line).Set(3, error.Column).Set(4, error.Reason).Execute();

    public void Dispose()
    {
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
