namespace RiskWatch.Ingest.Store;

/// <summary>
/// Decides, batch by batch, whether a server's bulk writer may insert rows straight into their table (binary COPY,
/// SqlBulkCopy) or must stage and merge them. Straight in is safe when no row of the batch can meet a stored key:
/// a keyless table, or a batch none of whose <see cref="TableSpec.FreshRangeColumn"/> values is stored — except the
/// values this writer itself stored earlier in the file, whose keys the loader already made unique.
/// </summary>
internal sealed class FreshRange
{
    private readonly TableSpec _table;
    private readonly int _column;
    private readonly HashSet<object> _ours = [];
    private readonly List<object> _unknown = [];
    private readonly HashSet<object> _unknownSet = [];

    public FreshRange(TableSpec table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _column = table.FreshRangeColumn is { } column && table.KeyUniqueInFile
            ? IndexOf(table.Columns, column)
            : -1;
    }

    /// <summary>The column whose values are probed, as an index into the table's columns; -1 when batches of a keyed table always merge.</summary>
    public int Column => _column;

    /// <summary>
    /// True when the batch (<paramref name="values"/>: its values of <see cref="Column"/>, one per row, in any order) may
    /// go straight into the table. <paramref name="storedAmong"/> answers which of the values it is given already have
    /// rows in the table (one index probe per value); it is called at most once, and only with values not seen before.
    /// </summary>
    public bool AllowsDirectInsert(IEnumerable<object?> values, Func<IReadOnlyList<object>, IReadOnlyCollection<object>> storedAmong)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(storedAmong);
        if (_table.KeyColumns.Count == 0)
        {
            return true;
        }

        if (_column < 0)
        {
            return false;
        }

        _unknown.Clear();
        _unknownSet.Clear();
        object? last = null;
        foreach (var value in values)
        {
            if (value is null)
            {
                return false;
            }

            // Rows come sorted by this column, so consecutive repeats are the common case and skip the set.
            if (value.Equals(last))
            {
                continue;
            }

            last = value;
            if (!_ours.Contains(value) && _unknownSet.Add(value))
            {
                _unknown.Add(value);
            }
        }

        if (_unknown.Count == 0)
        {
            return true;
        }

        var stored = storedAmong(_unknown);

        // Values with no stored row become ours even when this batch merges: every row of them from now on is this file's.
        foreach (var value in _unknown)
        {
            if (!stored.Contains(value))
            {
                _ours.Add(value);
            }
        }

        return stored.Count == 0;
    }

    private static int IndexOf(IReadOnlyList<string> columns, string column)
    {
        for (var i = 0; i < columns.Count; i++)
        {
            if (string.Equals(columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"{column} is not a column of the table.", nameof(column));
    }
}
