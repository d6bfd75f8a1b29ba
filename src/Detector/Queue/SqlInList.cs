using System.Globalization;
using Dapper;

namespace RiskWatch.Detector.Queue;

/// <summary>
/// `column IN (…)` with one named parameter per value (@name0, @name1, …). Not Dapper's `IN @list`: it expands the list on
/// SQLite and SQL Server but hands PostgreSQL one array parameter, which `IN` rejects as a syntax error.
/// </summary>
internal static class SqlInList
{
    /// <summary>The parameter names for <paramref name="count"/> values, comma-separated, for inside the parentheses.</summary>
    public static string Names(string name, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@" + name + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Adds the values under the names <see cref="Names"/> gives.</summary>
    public static DynamicParameters Add<T>(DynamicParameters parameters, string name, IReadOnlyList<T> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            parameters.Add(name + i.ToString(CultureInfo.InvariantCulture), values[i]);
        }

        return parameters;
    }
}
