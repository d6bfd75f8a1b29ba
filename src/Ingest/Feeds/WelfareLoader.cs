using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>welfare: welfare and employment events of a person.</summary>
internal sealed class WelfareLoader : FeedLoader
{
    private const int Rrn = 0;
    private const int Event = 1;
    private const int EventDate = 2;

    private static readonly EnumValues Events = new(
        "basic_livelihood_start", "basic_livelihood_end", "near_poverty", "emergency_aid", "disability_registered",
        "job_loss", "long_term_care", "medical_overspend");

    private static readonly TableSpec Table = new("welfare_event", ["person_no", "event", "event_date", "file_id"], ["person_no", "event", "event_date"]);

    private readonly byte[] _rrn = NewRrnBuffer();
    private readonly HashSet<(long, string, DateOnly)> _inFile = [];
    private readonly DateTextCache _dates = new("event_date");
    private readonly IBulkWriter _writer;

    private WelfareLoader(LoadContext context)
        : base(context)
    {
        _writer = context.Upsert(Table);
        _writer.Set(3, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "welfare", [new("rrn"), new("event"), new("event_date")], ReplacedTable: "welfare_event", context => new WelfareLoader(context));

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.Rrn(row[Rrn], _rrn)) is not null
            || (error = Fields.OneOf(row[Event], "event", Events, out var welfareEvent)) is not null
            || (error = _dates.Parse(row[EventDate], out var eventDate, out var date)) is not null)
        {
            return error;
        }

        var personNo = PersonNo(_rrn);
        if (!_inFile.Add((personNo, welfareEvent, date)))
        {
            return new RowError(RowError.WholeRow, "the same rrn, event and event_date are on an earlier line of this file");
        }

        _writer.Set(0, personNo);
        _writer.Set(1, welfareEvent);
        _writer.Set(2, eventDate);
        _writer.AddRow();
        return null;
    }

    public override Task CompleteAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
