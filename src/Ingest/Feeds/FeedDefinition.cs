namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// A feed of SPEC: its name, its columns (in the order its loader refers to them), the table a later version of a
/// file replaces rows of, and how to load a file of it.
/// </summary>
internal sealed record FeedDefinition(
    string Name,
    IReadOnlyList<FeedColumn> Columns,
    string? ReplacedTable,
    Func<LoadContext, FeedLoader> CreateLoader)
{
    /// <summary>Columns of which the header must have at least one (reports: household_id or rrn).</summary>
    public IReadOnlyList<string> AtLeastOneOf { get; init; } = [];

    /// <summary>The source sends a file for every day (the usage meters); event feeds send one only when something happened.</summary>
    public bool Daily { get; init; }

    /// <summary>The loader updates a household or person row right after creating it, so new subjects must be written at once.</summary>
    public bool ReadsBackSubjects { get; init; }
}

/// <summary>A column of a feed; a required column missing from the header rejects the whole file.</summary>
internal sealed record FeedColumn(string Name, bool RequiredInHeader = true);
