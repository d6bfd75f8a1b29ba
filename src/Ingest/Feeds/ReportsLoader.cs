using System.Globalization;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>reports: public–private reports about a household or a person; the free-text note is sealed like identity data.</summary>
internal sealed class ReportsLoader : FeedLoader
{
    private const int ReportId = 0;
    private const int HouseholdId = 1;
    private const int Rrn = 2;
    private const int Channel = 3;
    private const int ReportedAt = 4;
    private const int Note = 5;

    // Korea has kept UTC+9 without daylight saving since 1988, so the fixed offset is Asia/Seoul for every report
    // RiskWatch can see, and needs no time zone database on the host.
    private static readonly TimeSpan Seoul = TimeSpan.FromHours(9);

    private static readonly EnumValues Channels = new("neighbor", "honorary_officer", "landlord", "delivery", "messenger", "other");

    private static readonly TableSpec Table = new(
        "report",
        ["report_id", "household_no", "person_no", "channel", "reported_at", "reported_on", "note_enc", "file_id"],
        ["report_id"]);

    private readonly byte[] _rrn = NewRrnBuffer();
    private readonly HashSet<string> _inFile = new(StringComparer.Ordinal);
    private readonly IBulkWriter _writer;

    private ReportsLoader(LoadContext context)
        : base(context)
    {
        _writer = context.Upsert(Table);
        _writer.Set(7, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "reports",
        [
            new("report_id"), new("household_id", RequiredInHeader: false), new("rrn", RequiredInHeader: false),
            new("channel"), new("reported_at"), new("note"),
        ],
        ReplacedTable: "report",
        context => new ReportsLoader(context))
    {
        AtLeastOneOf = ["household_id", "rrn"],
    };

    public override RowError? Load(FeedRow row)
    {
        var hasHousehold = !row[HouseholdId].IsEmpty;
        var hasPerson = !row[Rrn].IsEmpty;
        RowError? error;
        if ((error = Fields.Text(row[ReportId], "report_id", required: true, maxBytes: 64)) is not null
            || (hasHousehold && (error = Fields.HouseholdId(row[HouseholdId])) is not null)
            || (hasPerson && (error = Fields.Rrn(row[Rrn], _rrn)) is not null)
            || (!hasHousehold && !hasPerson && (error = new RowError("household_id", "household_id or rrn is required")) is not null)
            || (error = Fields.OneOf(row[Channel], "channel", Channels, out var channel)) is not null
            || (error = Fields.Timestamp(row[ReportedAt], "reported_at", out var reportedAt)) is not null
            || (error = Fields.Text(row[Note], "note", required: false, maxBytes: Fields.MaxNoteBytes)) is not null)
        {
            return error;
        }

        var reportId = System.Text.Encoding.UTF8.GetString(row[ReportId]);
        if (!_inFile.Add(reportId))
        {
            return new RowError("report_id", "the same report_id is on an earlier line of this file");
        }

        _writer.Set(0, reportId);
        _writer.Set(1, hasHousehold ? HouseholdNo(row[HouseholdId]) : null);
        _writer.Set(2, hasPerson ? PersonNo(_rrn) : null);
        _writer.Set(3, channel);
        _writer.Set(4, Fields.AsciiText(row[ReportedAt]));
        _writer.Set(5, DateOnly.FromDateTime(reportedAt.ToOffset(Seoul).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        _writer.Set(6, row[Note].IsEmpty ? null : Context.Vault.Seal(row[Note]));
        _writer.AddRow();
        return null;
    }

    public override Task CompleteAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
