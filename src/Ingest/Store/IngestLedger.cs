using System.Data.Common;
using System.Globalization;
using Dapper;

namespace RiskWatch.Ingest.Store;

/// <summary>The <c>ingest_file</c> ledger, read and written inside a file's transaction.</summary>
internal sealed class IngestLedger(DbConnection connection, DbTransaction transaction, ISqlDialect dialect)
{
    public const string Loaded = "loaded";
    public const string Rejected = "rejected";
    public const string Superseded = "superseded";

    private static readonly string[] Columns =
        ["file_name", "feed", "as_of", "version", "sha256", "status", "rows_loaded", "rows_quarantined", "error", "ingested_at"];

    public async Task<LedgerEntry?> FindByContentAsync(string sha256, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<LedgerEntry>(new CommandDefinition(
            """
            SELECT file_id AS FileId, file_name AS FileName, version AS Version, status AS Status
            FROM ingest_file WHERE sha256 = @sha256
            """,
            new { sha256 }, transaction, cancellationToken: cancellationToken));

    /// <summary>The versions of a feed and date whose rows were loaded (including those replaced since).</summary>
    public async Task<IReadOnlyList<LedgerEntry>> FindLoadedVersionsAsync(string feed, string asOf, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<LedgerEntry>(new CommandDefinition(
            """
            SELECT file_id AS FileId, file_name AS FileName, version AS Version, status AS Status
            FROM ingest_file
            WHERE feed = @feed AND as_of = @asOf AND status IN ('loaded', 'superseded')
            ORDER BY version
            """,
            new { feed, asOf }, transaction, cancellationToken: cancellationToken))).AsList();

    public async Task<long> InsertAsync(
        string fileName, string feed, string asOf, int version, string sha256, string status, string? error, CancellationToken cancellationToken)
    {
        var fileId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            dialect.InsertReturningSql("ingest_file", Columns, "file_id"),
            new
            {
                file_name = fileName,
                feed,
                as_of = asOf,
                version,
                sha256,
                status,
                rows_loaded = 0,
                rows_quarantined = 0,
                error,
                ingested_at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            },
            transaction, cancellationToken: cancellationToken));
        return fileId;
    }

    public Task CompleteAsync(long fileId, int rowsLoaded, int rowsQuarantined, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ingest_file SET rows_loaded = @rowsLoaded, rows_quarantined = @rowsQuarantined WHERE file_id = @fileId",
            new { fileId, rowsLoaded, rowsQuarantined }, transaction, cancellationToken: cancellationToken));

    public Task DeleteAsync(long fileId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ingest_file WHERE file_id = @fileId", new { fileId }, transaction, cancellationToken: cancellationToken));

    /// <summary>Deletes the rows an earlier version of a file loaded into <paramref name="table"/> and marks that version superseded.</summary>
    public async Task<int> SupersedeAsync(IReadOnlyList<long> fileIds, string? table, CancellationToken cancellationToken)
    {
        // One statement per earlier version (there are one or two): Dapper expands `IN @list` on SQLite but hands
        // PostgreSQL an array, so a list parameter is not portable SQL.
        var deleted = 0;
        foreach (var fileId in fileIds)
        {
            if (table is not null)
            {
                // The usage tables have no index on file_id (it would slow every insert for the sake of a rare re-send):
                // a correction costs one scan of the table.
                deleted += await connection.ExecuteAsync(new CommandDefinition(
                    $"DELETE FROM {table} WHERE file_id = @fileId", new { fileId }, transaction, cancellationToken: cancellationToken));
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE ingest_file SET status = @status WHERE file_id = @fileId",
                new { fileId, status = Superseded }, transaction, cancellationToken: cancellationToken));
        }

        return deleted;
    }
}

/// <summary>A row of the ledger, as the ingest needs it.</summary>
internal sealed record LedgerEntry(long FileId, string FileName, long Version, string Status);
