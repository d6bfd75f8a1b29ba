using System.Data.Common;

namespace RiskWatch.Ingest.Store;

/// <summary>A transaction that first takes the store's write lock: the server dialects' stand-in for SQLite's BEGIN IMMEDIATE.</summary>
internal static class WriteLock
{
    public static async Task<DbTransaction> BeginAsync(DbConnection connection, string lockSql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = lockSql;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }
}
