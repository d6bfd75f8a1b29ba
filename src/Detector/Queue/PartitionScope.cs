using Dapper;

namespace RiskWatch.Detector.Queue;

/// <summary>The SQL that confines a pass's deletes to its own partition's dongs (nothing extra for the whole district).</summary>
internal sealed class PartitionScope(RunStamp stamp)
{
    public IReadOnlyList<string>? Dongs { get; } = stamp.Dongs;

    public string DongFilter(string column) => Dongs is null ? string.Empty : $" AND {column} IN ({DongList})";

    public string HouseholdFilter() =>
        Dongs is null ? string.Empty : $" AND household_no IN (SELECT household_no FROM household WHERE dong_code IN ({DongList}))";

    private string DongList => SqlInList.Names("dong", Dongs!.Count);

    /// <summary>The statement's own parameters plus one per dong when the partition is a dong group.</summary>
    public DynamicParameters With(object parameters) =>
        SqlInList.Add(new DynamicParameters(parameters), "dong", Dongs ?? []);
}
