using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>arrears: the monthly arrears status of an account holder with a utility or insurer, reported when it changes.</summary>
internal sealed class ArrearsLoader : FeedLoader
{
    private const int Source = 0;
    private const int Rrn = 1;
    private const int BillingMonth = 2;
    private const int AmountKrw = 3;
    private const int MonthsOverdue = 4;
    private const int Action = 5;
    private const int ReportedOn = 6;

    private static readonly EnumValues Sources =
        new("electricity", "water", "gas", "health_insurance", "telecom", "rent", "management_fee", "pension");

    private static readonly EnumValues Actions = new("none", "notice", "restricted", "cutoff", "restored");

    private static readonly TableSpec Table = new(
        "arrears",
        ["person_no", "source", "reported_on", "billing_month", "amount_krw", "months_overdue", "action", "file_id"],
        ["person_no", "source", "reported_on"]);

    private readonly byte[] _rrn = NewRrnBuffer();
    private readonly HashSet<(long, string, DateOnly)> _inFile = [];
    private readonly DateTextCache _dates = new("reported_on");
    private readonly IBulkWriter _writer;

    private ArrearsLoader(LoadContext context)
        : base(context)
    {
        _writer = context.Upsert(Table);
        _writer.Set(7, context.FileId);
    }

    public static FeedDefinition Definition { get; } = new(
        "arrears",
        [new("source"), new("rrn"), new("billing_month"), new("amount_krw"), new("months_overdue"), new("action"), new("reported_on")],
        ReplacedTable: "arrears",
        context => new ArrearsLoader(context));

    public override RowError? Load(FeedRow row)
    {
        RowError? error;
        if ((error = Fields.OneOf(row[Source], "source", Sources, out var source)) is not null
            || (error = Fields.Rrn(row[Rrn], _rrn)) is not null
            || (error = Fields.Month(row[BillingMonth], "billing_month")) is not null
            || (error = Fields.WholeNumber(row[AmountKrw], "amount_krw", 0, long.MaxValue, out var amount)) is not null
            || (error = Fields.WholeNumber(row[MonthsOverdue], "months_overdue", 0, long.MaxValue, out var monthsOverdue)) is not null
            || (error = Fields.OneOf(row[Action], "action", Actions, out var action)) is not null
            || (error = _dates.Parse(row[ReportedOn], out var reportedOn, out var date)) is not null)
        {
            return error;
        }

        var personNo = PersonNo(_rrn);
        if (!_inFile.Add((personNo, source, date)))
        {
            return new RowError(RowError.WholeRow, "the same source, rrn and reported_on are on an earlier line of this file");
        }

        _writer.Set(0, personNo);
        _writer.Set(1, source);
        _writer.Set(2, reportedOn);
        _writer.Set(3, Fields.AsciiText(row[BillingMonth]));
        _writer.Set(4, amount);
        _writer.Set(5, monthsOverdue);
        _writer.Set(6, action);
        _writer.AddRow();
        return null;
    }

    public override Task CompleteAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
