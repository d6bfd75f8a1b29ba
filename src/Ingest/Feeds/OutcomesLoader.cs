using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>outcomes: historical visit outcomes for bootstrapping; an outcome an officer recorded in RiskWatch is never overwritten.</summary>
internal sealed class OutcomesLoader : FeedLoader
{
    private const int HouseholdId = 0;
    private const int VisitedOn = 1;
    private const int Outcome = 2;
    private const int DiscoveredAfterDays = 3;

    private static readonly EnumValues Outcomes = new("crisis_confirmed", "supported", "no_crisis", "unreachable", "refused", "died_alone");

    private static readonly TableSpec Table = new(
        "outcome",
        ["household_no", "visited_on", "outcome", "discovered_after_days", "origin", "file_id"],
        ["household_no", "visited_on", "outcome"],
        UpdateOnlyIf: "outcome.origin = 'feed'");

    private readonly HashSet<(long, DateOnly, string)> _inFile = [];
    private readonly DateTextCache _dates = new("visited_on");
    private readonly IBulkWriter _writer;

    private OutcomesLoader(LoadContext context)
        : base(context)
    {
        _writer = context.Upsert(Table);
        _writer.Set(4, "feed");
        _writer.Set(5, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "outcomes",
        [new("household_id"), new("visited_on"), new("outcome"), new("discovered_after_days")],
        ReplacedTable: "outcome",
        context => new OutcomesLoader(context));

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.HouseholdId(row[HouseholdId])) is not null
            || (error = _dates.Parse(row[VisitedOn], out var visitedOn, out var date)) is not null
            || (error = Fields.OneOf(row[Outcome], "outcome", Outcomes, out var outcome)) is not null)
        {
            return error;
        }

        long? discoveredAfterDays = null;
        if (!row[DiscoveredAfterDays].IsEmpty)
        {
            if (!string.Equals(outcome, "died_alone", StringComparison.Ordinal))
            {
                return new RowError("discovered_after_days", "discovered_after_days is only for outcome died_alone");
            }

            error = Fields.WholeNumber(row[DiscoveredAfterDays], "discovered_after_days", 0, long.MaxValue, out var days);
            if (error is not null)
            {
                return error;
            }

            discoveredAfterDays = days;
        }

        var householdNo = HouseholdNo(row[HouseholdId]);
        if (!_inFile.Add((householdNo, date, outcome)))
        {
            return new RowError(RowError.WholeRow, "the same household_id, visited_on and outcome are on an earlier line of this file");
        }

        _writer.Set(0, householdNo);
        _writer.Set(1, visitedOn);
        _writer.Set(2, outcome);
        _writer.Set(3, discoveredAfterDays);
        _writer.AddRow();
        return null;
    }

    public override Task CompleteAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
