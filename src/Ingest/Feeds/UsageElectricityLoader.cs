using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>usage_electricity: the smart meter's daily consumption and active hours of a household.</summary>
internal sealed class UsageElectricityLoader : UsageLoader<UsageElectricityLoader.Row>
{
    private const int HouseholdId = 0;
    private const int Date = 1;
    private const int Kwh = 2;
    private const int ActiveHours = 3;
    private const int Quality = 4;

    private static readonly EnumValues Qualities = new("measured", "estimated", "missing");

    private static readonly TableSpec Table = new(
        "usage_electricity", ["date", "household_no", "kwh", "active_hours", "quality", "file_id"], ["date", "household_no"])
    {
        KeyUniqueInFile = true, // a (date, subject) seen twice is quarantined (UsageLoader)
        FreshRangeColumn = "date", // a nightly or backfill file brings days not stored yet
    };

    private readonly DateTextCache _dates = new("date");

    private UsageElectricityLoader(LoadContext context)
        : base(context, Table, SlabFeed.Electricity)
    {
        Writer.Set(5, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "usage_electricity",
        [new("household_id"), new("date"), new("kwh"), new("active_hours"), new("quality")],
        ReplacedTable: "usage_electricity",
        context => new UsageElectricityLoader(context))
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

        double? kwh = null;
        long? activeHours = null;
        var missing = string.Equals(quality, "missing", StringComparison.Ordinal);
        if (missing && !row[Kwh].IsEmpty)
        {
            return new RowError("kwh", "kwh must be empty when quality is missing");
        }

        if (!missing)
        {
            error = Fields.Decimal(row[Kwh], "kwh", maxDecimals: 3, out var value);
            if (error is not null)
            {
                return error;
            }

            kwh = value;
        }

        // A measured day has its active hours; an estimated or missing one may not.
        if (!row[ActiveHours].IsEmpty || string.Equals(quality, "measured", StringComparison.Ordinal))
        {
            error = Fields.WholeNumber(row[ActiveHours], "active_hours", 0, 24, out var hours);
            if (error is not null)
            {
                return error;
            }

            activeHours = hours;
        }

        Defer(householdKey, new Row(date.DayNumber, 0, dateText, kwh, activeHours, quality), row.Line);
        return null;
    }

    protected override string RepeatedRowReason => "the same household_id and date are on an earlier line of this file";

    protected override long SubjectOf(in SubjectKey key) => HouseholdNo(key);

    protected override void AddToSlab(SlabWriter slab, int offset, in Row row) =>
        slab.Electricity(offset, row.Kwh is { } kwh ? (float)kwh : float.NaN, row.ActiveHours is { } hours ? (sbyte)hours : (sbyte)-1);

    protected override void Write(in Row row)
    {
        Writer.Set(0, row.DateText);
        Writer.Set(1, row.Subject);
        Writer.Set(2, row.Kwh);
        Writer.Set(3, row.ActiveHours);
        Writer.Set(4, row.Quality);
        Writer.AddRow();
    }

    internal readonly record struct Row(int Day, long Subject, string DateText, double? Kwh, long? ActiveHours, string Quality) : IUsageRow<Row>
    {
        public Row WithSubject(long subject) => this with { Subject = subject };
    }
}
