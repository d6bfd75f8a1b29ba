using System.Globalization;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Day indexes of the window (day 0 = the first day) and the per-day constants every writer shares: the formatted date,
/// the seasonal electricity factor, the weekday. Months are absolute (year * 12 + month - 1) so arrears can run across
/// a new year.
/// </summary>
internal sealed class DistrictCalendar
{
    // Relative household electricity by calendar month, Jan..Dec: cooling peaks in July–August, electric heating
    // raises December–February (KEPCO residential sales by month show this double hump); spring and autumn are lowest.
    private static readonly double[] MonthlyElectricity = [1.12, 1.08, 0.98, 0.92, 0.90, 0.96, 1.15, 1.30, 1.02, 0.90, 0.93, 1.06];

    // Water use rises a little in summer (showers, laundry).
    private static readonly double[] MonthlyWater = [0.95, 0.95, 0.97, 0.99, 1.01, 1.04, 1.08, 1.10, 1.04, 0.99, 0.96, 0.95];

    private readonly string[] _dates;
    private readonly double[] _electricitySeason;
    private readonly double[] _waterSeason;
    private readonly bool[] _weekend;

    public DistrictCalendar(DateOnly start, int days)
    {
        Start = start;
        Days = days;
        _dates = new string[days];
        _electricitySeason = new double[days];
        _waterSeason = new double[days];
        _weekend = new bool[days];
        var electricityMean = MonthlyElectricity.Average();
        for (var d = 0; d < days; d++)
        {
            var date = start.AddDays(d);
            _dates[d] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            _electricitySeason[d] = Seasonal(MonthlyElectricity, date) / electricityMean;
            _waterSeason[d] = Seasonal(MonthlyWater, date);
            _weekend[d] = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        }
    }

    public DateOnly Start { get; }

    public int Days { get; }

    public int LastDay => Days - 1;

    public DateOnly End => Start.AddDays(Days - 1);

    public DateOnly DateOf(int day) => Start.AddDays(day);

    public int DayOf(DateOnly date) => date.DayNumber - Start.DayNumber;

    public string Text(int day) => _dates[day];

    public double ElectricitySeason(int day) => _electricitySeason[day];

    public double WaterSeason(int day) => _waterSeason[day];

    public bool IsWeekend(int day) => _weekend[day];

    public static int MonthOf(DateOnly date) => (date.Year * 12) + date.Month - 1;

    public int MonthOfDay(int day) => MonthOf(DateOf(day));

    public static DateOnly DateInMonth(int month, int dayOfMonth)
    {
        var year = month / 12;
        var m = (month % 12) + 1;
        return new DateOnly(year, m, Math.Min(dayOfMonth, DateTime.DaysInMonth(year, m)));
    }

    public static int CalendarMonth(int month) => (month % 12) + 1;

    public static string MonthText(int month) =>
        string.Create(CultureInfo.InvariantCulture, $"{month / 12:D4}-{(month % 12) + 1:D2}");

    // Linear interpolation between mid-month values, so the season changes smoothly day by day.
    private static double Seasonal(double[] monthly, DateOnly date)
    {
        var position = date.Month - 1 + ((date.Day - 0.5) / DateTime.DaysInMonth(date.Year, date.Month)) - 0.5;
        var lower = (int)Math.Floor(position);
        var weight = position - lower;
        var a = monthly[((lower % 12) + 12) % 12];
        var b = monthly[(lower + 1) % 12];
        return a + ((b - a) * weight);
    }
}
