namespace RiskWatch.Ingest.Feeds;

/// <summary>Why a row is quarantined: the column at fault and a reason that names no personal data.</summary>
internal readonly record struct RowError(string Column, string Reason)
{
    /// <summary>The column name used when the row as a whole is at fault (bad quoting, wrong number of fields).</summary>
    public const string WholeRow = "(row)";
}
