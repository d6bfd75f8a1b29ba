using Dapper;

namespace RiskWatch.Detector.Queue;

/// <summary>The SQL that confines a pass's deletes to its own partition's dongs (nothing extra for the whole district).</summary>
internal sealed class PartitionScope(RunStamp stamp)
{
    public IReadOnlyList<string>? Dongs { get; } = stamp.Dongs;

    public string DongFilter(string column) => Dongs is null ? string.Empty : $" AND {column} IN ({DongList})";

    public string HouseholdFilter() =>
        Dongs is null ? string.Empty : $" AND household_no IN (SELECT household_no FROM household WHERE dong_code IN ({DongList}))";

    /// <summary>
    /// One named parameter per dong (@dong0, @dong1, …). Not Dapper's `IN @list`: it expands the list on SQLite and
    /// SQL Server but hands PostgreSQL one array parameter, which `IN` rejects as a syntax error.
    /// </summary>
    private string DongList => string.Join(", ", Enumerable.Range(0, Dongs!.Count).Select(i => $"@dong{i}"));

    /// <summary>The statement's own parameters plus one per dong when the partition is a dong group.</summary>
    public DynamicParameters With(object parameters)
    {
        var all = new DynamicParameters(parameters);
        for (var i = 0; i < (Dongs?.Count ?? 0); i++)
        {
            all.Add($"dong{i}", Dongs![i]);
        }

        return all;
    }
}
