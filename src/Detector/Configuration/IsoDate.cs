using System.Globalization;

namespace RiskWatch.Detector.Configuration;

/// <summary>The one date format of the store and the command line: YYYY-MM-DD.</summary>
internal static class IsoDate
{
    public const string Format = "yyyy-MM-dd";

    public static string Text(DateOnly date) => date.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>
    /// The date of a YYYY-MM-DD text; anything else throws as <see cref="DateOnly.ParseExact(string, string, IFormatProvider?)"/> does.
    /// </summary>
    // A night parses a few million stored dates (events, members): the digits are read directly, and only a text that is
    // not ten ASCII characters of that shape, or not a real day, goes through the culture-aware parser (which refuses it).
    public static DateOnly Parse(string text) =>
        TryParseDigits(text, out var date) ? date : DateOnly.ParseExact(text, Format, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateOnly date) =>
        TryParseDigits(text, out date)
        || DateOnly.TryParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    private static bool TryParseDigits(string? text, out DateOnly date)
    {
        date = default;
        if (text is not { Length: 10 } || text[4] != '-' || text[7] != '-')
        {
            return false;
        }

        var year = Digits(text, 0, 4);
        var month = Digits(text, 5, 2);
        var day = Digits(text, 8, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    // The value of count ASCII digits at start, or -1 when one is not a digit.
    private static int Digits(string text, int start, int count)
    {
        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if ((uint)digit > 9)
            {
                return -1;
            }

            value = (value * 10) + digit;
        }

        return value;
    }
}
