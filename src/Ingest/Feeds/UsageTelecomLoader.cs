using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>usage_telecom: the daily activity of a mobile subscriber.</summary>
internal sealed class UsageTelecomLoader : UsageLoader<UsageTelecomLoader.Row>
{
    private const int Rrn = 0;
    private const int Date = 1;
    private const int CallsOut = 2;
    private const int CallsIn = 3;
    private const int SmsOut = 4;
    private const int DataMb = 5;

    private static readonly TableSpec Table = new(
        "usage_telecom", ["date", "person_no", "calls_out", "calls_in", "sms_out", "data_mb", "file_id"], ["date", "person_no"])
    {
        KeyUniqueInFile = true, // a (date, subject) seen twice is quarantined (UsageLoader)
        FreshRangeColumn = "date", // a nightly or backfill file brings days not stored yet
    };

    private readonly byte[] _rrn = NewRrnBuffer();
    private readonly DateTextCache _dates = new("date");

    private UsageTelecomLoader(LoadContext context)
        : base(context, Table, SlabFeed.Telecom)
    {
        Writer.Set(6, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "usage_telecom",
        [new("rrn"), new("date"), new("calls_out"), new("calls_in"), new("sms_out"), new("data_mb")],
        ReplacedTable: "usage_telecom",
        context => new UsageTelecomLoader(context))
    {
        // One file per day, every day: a date without one is a gap the ingest reports (see FeedGaps).
        Daily = true,
    };

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.Rrn(row[Rrn], _rrn)) is not null)
        {
            return error;
        }

        var personKey = PersonKey(_rrn);
        if ((error = _dates.Parse(row[Date], out var dateText, out var date)) is not null
            || (error = Fields.WholeNumber(row[CallsOut], "calls_out", 0, long.MaxValue, out var callsOut)) is not null
            || (error = Fields.WholeNumber(row[CallsIn], "calls_in", 0, long.MaxValue, out var callsIn)) is not null
            || (error = Fields.WholeNumber(row[SmsOut], "sms_out", 0, long.MaxValue, out var smsOut)) is not null
            || (error = Fields.Decimal(row[DataMb], "data_mb", maxDecimals: 15, out var dataMb)) is not null)
        {
            return error;
        }

        Defer(personKey, new Row(date.DayNumber, 0, dateText, callsOut, callsIn, smsOut, dataMb), row.Line);
        return null;
    }

    protected override string RepeatedRowReason => "the same rrn and date are on an earlier line of this file";

    protected override long SubjectOf(in SubjectKey key) => PersonNo(key);

    protected override void AddToSlab(SlabWriter slab, int offset, in Row row) =>
        slab.Telecom(offset, row.CallsOut, row.CallsIn, row.SmsOut, (float)row.DataMb);

    protected override void Write(in Row row)
    {
        Writer.Set(0, row.DateText);
        Writer.Set(1, row.Subject);
        Writer.Set(2, row.CallsOut);
        Writer.Set(3, row.CallsIn);
        Writer.Set(4, row.SmsOut);
        Writer.Set(5, row.DataMb);
        Writer.AddRow();
    }

    internal readonly record struct Row(int Day, long Subject, string DateText, long CallsOut, long CallsIn, long SmsOut, double DataMb) : IUsageRow<Row>
    {
        public Row WithSubject(long subject) => this with { Subject = subject };
    }
}
