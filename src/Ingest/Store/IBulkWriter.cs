namespace RiskWatch.Ingest.Store;

/// <summary>
/// Writes rows of one table inside a transaction: SQLite through native prepared statements, a server engine in bulk
/// (COPY, SqlBulkCopy). A buffered writer may hold rows until <see cref="FlushAsync"/>. Values are typed so that no
/// row boxes its numbers.
/// </summary>
public interface IBulkWriter : IDisposable
{
    /// <summary>Sets column <paramref name="column"/> (an index into <see cref="TableSpec.Columns"/>) of the row being built. Values stay set for the next row.</summary>
    public void Set(int column, long value);

    /// <inheritdoc cref="Set(int, long)"/>
    public void Set(int column, long? value);

    /// <inheritdoc cref="Set(int, long)"/>
    public void Set(int column, double value);

    /// <inheritdoc cref="Set(int, long)"/>
    public void Set(int column, double? value);

    /// <inheritdoc cref="Set(int, long)"/>
    public void Set(int column, string? value);

    /// <inheritdoc cref="Set(int, long)"/>
    public void Set(int column, byte[]? value);

    /// <summary>Adds the row built by the setters (buffered writers may hold it until <see cref="FlushAsync"/>).</summary>
    public void AddRow();

    /// <summary>Writes whatever is buffered; rows are visible in the transaction afterwards.</summary>
    public Task FlushAsync(CancellationToken cancellationToken);
}
