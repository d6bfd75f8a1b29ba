namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// What became of one file of the inbox. <paramref name="Status"/> is <c>loaded</c>, <c>rejected</c> (nothing loaded;
/// <paramref name="Error"/> says why) or <c>duplicate</c> (its content was ingested before; nothing changed).
/// Feed, date and version are null when the file name does not follow <c>{feed}_{YYYYMMDD}[.vN].csv</c>.
/// </summary>
public sealed record FileIngestResult(
    string File,
    string? Feed,
    DateOnly? Date,
    int? Version,
    string Status,
    int RowsLoaded,
    int RowsQuarantined,
    string? Error)
{
    public const string Loaded = "loaded";
    public const string Rejected = "rejected";
    public const string Duplicate = "duplicate";
}
