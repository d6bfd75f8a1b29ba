namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// How the arrears sources report: each once a month around the 25th, only accounts whose status changed (so an
/// account in arrears appears every month, and once more when paid), the first report of the window also listing the
/// standing arrears. Supply actions follow the utilities' rules, including the winter protection against gas cut-offs.
/// </summary>
internal static class ArrearsReporting
{
    public static int ReportDay(ArrearsSource source) => source switch
    {
        ArrearsSource.Rent => 23,
        ArrearsSource.Water => 24,
        ArrearsSource.Gas or ArrearsSource.Pension => 26,
        ArrearsSource.Telecom => 27,
        _ => 25,
    };

    public static DateOnly ReportDate(ArrearsSource source, int month) => DistrictCalendar.DateInMonth(month, ReportDay(source));

    public static string Action(ArrearsSource source, int monthsOverdue, int month)
    {
        var calendarMonth = DistrictCalendar.CalendarMonth(month);
        return source switch
        {
            ArrearsSource.Electricity => monthsOverdue >= 3 ? "restricted" : monthsOverdue == 2 ? "notice" : "none",
            ArrearsSource.Water => monthsOverdue >= 4 ? "cutoff" : monthsOverdue >= 2 ? "notice" : "none",
            // Gas is not cut off from November to March.
            ArrearsSource.Gas => monthsOverdue >= 3 && calendarMonth is >= 4 and <= 10 ? "cutoff"
                : monthsOverdue >= 2 ? "notice" : "none",
            // Mobile operators suspend outgoing service after about two months.
            ArrearsSource.Telecom => monthsOverdue >= 2 ? "restricted" : "none",
            ArrearsSource.HealthInsurance => monthsOverdue >= 6 ? "restricted" : monthsOverdue >= 3 ? "notice" : "none",
            _ => monthsOverdue >= 3 ? "notice" : "none",
        };
    }

    /// <summary>Total overdue after <paramref name="months"/> unpaid bills, with a small late charge, in tens of won.</summary>
    public static long Amount(int monthlyBill, int months) =>
        (long)Math.Round(monthlyBill * months * (1 + (0.015 * (months - 1))) / 10) * 10;

    public static bool IsSupplyCut(string action) => action is "restricted" or "cutoff";
}
