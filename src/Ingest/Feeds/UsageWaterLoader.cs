using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>usage_water: the smart water meter's daily consumption of a household (an optional feed).</summary>
internal sealed class UsageWaterLoader : UsageLoader<UsageWaterLoader.Row>
{
    private const int HouseholdId = 0;
    private const int Date = 1;
    private const int Liters = 2;
    private const int Quality = 3;

    private static readonly EnumValues Qualities = new("measured", "estimated", "missing");

    private static readonly TableSpec Table = new(
        "usage_water", ["date", "household_no", "liters", "quality", "file_id"], ["date", "household_no"])
    {
        KeyUniqueInFile = true, // a (date, subject) seen twice is quarantined (UsageLoader)
        FreshRangeColumn = "date", // a nightly or backfill file brings days not stored yet
    };

    private readonly DateTextCache _dates = new("date");

    private UsageWaterLoader(LoadContext context)
        : base(context, Table, SlabFeed.Water)
    {
        Writer.Set(4, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "usage_water",
        [new("household_id"), new("date"), new("liters"), new("quality")],
        ReplacedTable: "usage_water",
        context => new UsageWaterLoader(context))
    {
        // One file per day, every day: a date without one is a gap the ingest reports (see FeedGaps).
        Daily = true,
    };

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.HouseholdId(row[HouseholdId])) is not null
            || (error = _dates.Parse(row[Date], out var dateText, out var date)) is not null
            || (error = Fields.OneOf(row[Quality], "quality", Qualities, out var quality)) is not null)
        {
            return error;
        }

        var householdKey = HouseholdKey(row[HouseholdId]);

        double? liters = null;
        if (string.Equals(quality, "missing", StringComparison.Ordinal))
        {
            if (!row[Liters].IsEmpty)
            {
                return new RowError("liters", "liters must be empty when quality is missing");
            }
        }
        else
        {
            // SPEC bounds no decimals for liters; 15 keeps the value exact in a double.
            error = Fields.Decimal(row[Liters], "liters", maxDecimals: 15, out var value);
            if (error is not null)
            {
                return error;
            }

            liters = value;
        }

        Defer(householdKey, new Row(date.DayNumber, 0, dateText, liters, quality), row.Line);
        return null;
    }

    protected override string RepeatedRowReason => "the same household_id and date are on an earlier line of this file";

    protected override long SubjectOf(in SubjectKey key) => HouseholdNo(key);

    protected override void AddToSlab(SlabWriter slab, int offset, in Row row) =>
        slab.Water(offset, row.Liters is { } liters ? (float)liters : float.NaN);

    protected override void Write(in Row row)
    {
        Writer.Set(0, row.DateText);
        Writer.Set(1, row.Subject);
        Writer.Set(2, row.Liters);
        Writer.Set(3, row.Quality);
        Writer.AddRow();
    }

    internal readonly record struct Row(int Day, long Subject, string DateText, double? Liters, string Quality) : IUsageRow<Row>
    {
        public Row WithSubject(long subject) => this with { Subject = subject };
    }
}
