namespace RiskWatch.Detector.Configuration;

/// <summary>Dates as the dong teams live them: Asia/Seoul, whatever the server's zone.</summary>
public static class SeoulClock
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");

    public static DateOnly Today(TimeProvider? time = null)
    {
        var now = TimeZoneInfo.ConvertTime((time ?? TimeProvider.System).GetUtcNow(), Zone);
        return DateOnly.FromDateTime(now.DateTime);
    }

    /// <summary>The as-of date a nightly run at 02:00 processes: the day whose feeds arrived overnight.</summary>
    public static DateOnly LastCompleteDay(TimeProvider? time = null) => Today(time).AddDays(-1);
}
