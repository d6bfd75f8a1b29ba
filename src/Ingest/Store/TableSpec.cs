namespace RiskWatch.Ingest.Store;

/// <summary>
/// A table as a writer sees it: its columns in the order values are given, and the key that identifies a row. With a
/// key, a row whose key exists updates the other columns (only where <paramref name="UpdateOnlyIf"/>, SQL over
/// <c>{Name}.column</c>, holds for the existing row); without one, rows are plainly inserted and a duplicate is an error.
/// </summary>
public sealed record TableSpec(string Name, IReadOnlyList<string> Columns, IReadOnlyList<string> KeyColumns, string? UpdateOnlyIf = null)
{
    /// <summary>The columns an upsert overwrites: all but the key.</summary>
    public IEnumerable<string> UpdateColumns => Columns.Where(c => !KeyColumns.Contains(c, StringComparer.Ordinal));

    /// <summary>The loader never gives the same key twice in one file (it quarantines the second): a bulk merge need not pick the last.</summary>
    public bool KeyUniqueInFile { get; init; }

    /// <summary>
    /// A key column with few distinct values per batch (a usage table's date). When none of a batch's values of it is
    /// stored yet, no row of the batch can meet a stored key, so a server's bulk writer inserts the batch straight into
    /// the table instead of staging and merging it (the nightly and backfill case). Only used with
    /// <see cref="KeyUniqueInFile"/>: rows of the same file never conflict with each other.
    /// </summary>
    public string? FreshRangeColumn { get; init; }
}
