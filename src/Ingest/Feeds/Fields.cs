using System.Globalization;
using System.Text;
using System.Text.Unicode;
using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// Checks of SPEC field types on the UTF-8 bytes of a field, without making strings of valid values. A failed check
/// returns a <see cref="RowError"/> whose reason never repeats the value (it may be personal data).
/// </summary>
internal static class Fields
{
    // Free text is bounded so that a broken file (an unterminated quote swallowing the rest) cannot land as one value.
    public const int MaxTextBytes = 1_000;
    public const int MaxNoteBytes = 8_000;

    private const int MaxWholeNumberDigits = 15;

    // Every integer of up to 15 digits is exact in a double (< 2^53), and so is 10^k for k ≤ 22.
    private const int ExactDigits = 15;

    private static ReadOnlySpan<double> PowersOfTen => [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    public static RowError? Rrn(ReadOnlySpan<byte> value, Span<byte> digits, string column = "rrn")
    {
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        return Privacy.Rrn.Validate(value, digits) switch
        {
            Privacy.Rrn.Check.Valid => null,
            Privacy.Rrn.Check.BadGenderDigit => new RowError(column, $"{column}: the 7th digit (gender/century) must be 1–8"),
            Privacy.Rrn.Check.BadBirthDate => new RowError(column, $"{column}: the first 6 digits are not a valid date YYMMDD"),
            _ => new RowError(column, $"{column} must be 13 digits (YYMMDD + 7), optionally with a dash after the 6th"),
        };
    }

    public static RowError? HouseholdId(ReadOnlySpan<byte> value, string column = "household_id")
    {
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        if (value.Length > 20)
        {
            return new RowError(column, $"{column} must be 1–20 characters A–Z, a–z, 0–9 or '-'");
        }

        foreach (var b in value)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'-'))
            {
                return new RowError(column, $"{column} must be 1–20 characters A–Z, a–z, 0–9 or '-'");
            }
        }

        return null;
    }

    public static RowError? DongCode(ReadOnlySpan<byte> value, string column = "dong_code")
    {
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        return value.Length == 10 && AllDigits(value) ? null : new RowError(column, $"{column} must be 10 digits");
    }

    /// <summary>A date YYYY-MM-DD; <paramref name="date"/> is its value.</summary>
    public static RowError? Date(ReadOnlySpan<byte> value, string column, out DateOnly date)
    {
        date = default;
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        if (value.Length != 10 || value[4] != (byte)'-' || value[7] != (byte)'-'
            || !AllDigits(value[..4]) || !AllDigits(value[5..7]) || !AllDigits(value[8..]))
        {
            return new RowError(column, $"{column} must be a date YYYY-MM-DD");
        }

        var year = Number(value[..4]);
        var month = Number(value[5..7]);
        var day = Number(value[8..]);
        if (year < 1)
        {
            return new RowError(column, $"{column}: year 0000 out of range");
        }

        if (month is < 1 or > 12)
        {
            return new RowError(column, string.Create(CultureInfo.InvariantCulture, $"{column}: month {month} out of range"));
        }

        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return new RowError(column, string.Create(CultureInfo.InvariantCulture, $"{column}: day {day} out of range for its month"));
        }

        date = new DateOnly(year, month, day);
        return null;
    }

    /// <summary>A month YYYY-MM.</summary>
    public static RowError? Month(ReadOnlySpan<byte> value, string column)
    {
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        if (value.Length != 7 || value[4] != (byte)'-' || !AllDigits(value[..4]) || !AllDigits(value[5..]))
        {
            return new RowError(column, $"{column} must be a month YYYY-MM");
        }

        var month = Number(value[5..]);
        if (Number(value[..4]) < 1 || month is < 1 or > 12)
        {
            return new RowError(column, string.Create(CultureInfo.InvariantCulture, $"{column}: month {month} out of range"));
        }

        return null;
    }

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>] written as plain digits (no sign, no separators).</summary>
    public static RowError? WholeNumber(ReadOnlySpan<byte> value, string column, long min, long max, out long number)
    {
        number = 0;
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        if (value.Length > MaxWholeNumberDigits || !AllDigits(value))
        {
            return new RowError(column, RangeText(column, min, max));
        }

        foreach (var b in value)
        {
            number = (number * 10) + (b - '0');
        }

        return number < min || number > max ? new RowError(column, RangeText(column, min, max)) : null;
    }

    /// <summary>A decimal ≥ 0 written as digits with an optional '.' and at most <paramref name="maxDecimals"/> decimals.</summary>
    public static RowError? Decimal(ReadOnlySpan<byte> value, string column, int maxDecimals, out double number)
    {
        number = 0;
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        var point = value.IndexOf((byte)'.');
        var whole = point < 0 ? value : value[..point];
        var decimals = point < 0 ? [] : value[(point + 1)..];
        var wellFormed = !whole.IsEmpty && whole.Length <= MaxWholeNumberDigits && AllDigits(whole)
            && (point < 0 || (!decimals.IsEmpty && AllDigits(decimals)));
        if (!wellFormed || decimals.Length > maxDecimals)
        {
            var limit = maxDecimals >= 15 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" with at most {maxDecimals} decimals");
            return new RowError(column, $"{column} must be a number ≥ 0{limit}");
        }

        // The shape is checked above. Digits that fit a double exactly, divided by an exact power of ten, give the
        // correctly rounded value (one IEEE division of exact operands: Clinger's fast path); longer ones go to the
        // framework's parser, which gives the same. A usage file has a decimal on every row.
        if (whole.Length + decimals.Length <= ExactDigits)
        {
            long digits = 0;
            foreach (var b in whole)
            {
                digits = (digits * 10) + (b - '0');
            }

            foreach (var b in decimals)
            {
                digits = (digits * 10) + (b - '0');
            }

            number = digits / PowersOfTen[decimals.Length];
            return null;
        }

        number = double.Parse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>Free text (identity data, notes): valid UTF-8 and not absurdly long.</summary>
    public static RowError? Text(ReadOnlySpan<byte> value, string column, bool required, int maxBytes = MaxTextBytes)
    {
        if (value.IsEmpty)
        {
            return required ? new RowError(column, $"{column} is required") : null;
        }

        if (!Utf8.IsValid(value))
        {
            return new RowError(column, $"{column} is not valid UTF-8");
        }

        return value.Length > maxBytes
            ? new RowError(column, string.Create(CultureInfo.InvariantCulture, $"{column} is longer than {maxBytes} bytes"))
            : null;
    }

    /// <summary>An ISO 8601 timestamp with an offset (or Z).</summary>
    public static RowError? Timestamp(ReadOnlySpan<byte> value, string column, out DateTimeOffset timestamp)
    {
        timestamp = default;
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        Span<char> text = stackalloc char[64];
        if (value.Length > text.Length || !Ascii.IsValid(value))
        {
            return new RowError(column, $"{column} must be an ISO 8601 timestamp with offset (e.g. 2026-11-21T23:10:00+09:00)");
        }

        var length = Encoding.ASCII.GetChars(value, text);
        text = text[..length];
        if (DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp)
            || DateTimeOffset.TryParseExact(text, UtcFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out timestamp))
        {
            return null;
        }

        return new RowError(column, $"{column} must be an ISO 8601 timestamp with offset (e.g. 2026-11-21T23:10:00+09:00)");
    }

    /// <summary>A value of a closed list; an unknown value is quoted in the reason only when it is a plain word.</summary>
    public static RowError? OneOf(ReadOnlySpan<byte> value, string column, EnumValues values, out string match)
    {
        match = string.Empty;
        if (value.IsEmpty)
        {
            return new RowError(column, $"{column} is required");
        }

        if (values.TryMatch(value, out match))
        {
            return null;
        }

        // An enum column holds no personal data, but a shifted or garbled row might put an rrn or a name there:
        // only a short plain word is repeated.
        var plainWord = value.Length <= 32 && value.IndexOfAnyExcept(PlainWordBytes) < 0;
        return new RowError(column, plainWord
            ? $"{column}: unknown value '{Encoding.ASCII.GetString(value)}' (expected {values.Expected})"
            : $"{column}: unknown value (expected {values.Expected})");
    }

    public static string AsciiText(ReadOnlySpan<byte> value) => Encoding.ASCII.GetString(value);

    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mm:sszzz",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mmzzz",
    ];

    private static readonly string[] UtcFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm'Z'",
    ];

    private static readonly System.Buffers.SearchValues<byte> PlainWordBytes =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-"u8);

    private static string RangeText(string column, long min, long max) => max == long.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"{column} must be a whole number ≥ {min}")
        : string.Create(CultureInfo.InvariantCulture, $"{column} must be a whole number {min}–{max}");

    private static bool AllDigits(ReadOnlySpan<byte> value) => value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

    private static int Number(ReadOnlySpan<byte> digits)
    {
        var n = 0;
        foreach (var b in digits)
        {
            n = (n * 10) + (b - '0');
        }

        return n;
    }
}
