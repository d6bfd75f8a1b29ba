namespace RiskWatch.Ingest.Privacy;

/// <summary>The shape of a resident registration number: YYMMDD, a gender/century digit 1–8, six more digits; a dash may follow YYMMDD.</summary>
internal static class Rrn
{
    public const int DigitCount = 13;

    public enum Check
    {
        Valid,
        NotThirteenDigits,
        BadGenderDigit,
        BadBirthDate,
    }

    /// <summary>Copies the 13 digits of <paramref name="rrn"/> into <paramref name="digits"/> (ASCII), checking only the shape.</summary>
    public static bool TryNormalize(string rrn, Span<byte> digits)
    {
        Span<byte> utf8 = stackalloc byte[DigitCount + 1];
        if (rrn.Length is not (DigitCount or DigitCount + 1))
        {
            return false;
        }

        for (var i = 0; i < rrn.Length; i++)
        {
            if (rrn[i] > 127)
            {
                return false;
            }

            utf8[i] = (byte)rrn[i];
        }

        return Normalize(utf8[..rrn.Length], digits);
    }

    /// <summary>Checks an rrn field fully and copies its 13 digits (ASCII) into <paramref name="digits"/>.</summary>
    public static Check Validate(ReadOnlySpan<byte> utf8, Span<byte> digits)
    {
        if (!Normalize(utf8, digits))
        {
            return Check.NotThirteenDigits;
        }

        var genderDigit = digits[6] - '0';
        if (genderDigit is < 1 or > 8)
        {
            return Check.BadGenderDigit;
        }

        // 1, 2, 5, 6: born in the 1900s (5 and 6 are foreign residents); 3, 4, 7, 8: born in the 2000s.
        var century = genderDigit is 1 or 2 or 5 or 6 ? 1900 : 2000;
        var year = century + ((digits[0] - '0') * 10) + (digits[1] - '0');
        var month = ((digits[2] - '0') * 10) + (digits[3] - '0');
        var day = ((digits[4] - '0') * 10) + (digits[5] - '0');
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Check.BadBirthDate;
        }

        return Check.Valid;
    }

    private static bool Normalize(ReadOnlySpan<byte> utf8, Span<byte> digits)
    {
        if (utf8.Length == DigitCount + 1)
        {
            if (utf8[6] != (byte)'-')
            {
                return false;
            }

            utf8[..6].CopyTo(digits);
            utf8[7..].CopyTo(digits[6..]);
        }
        else if (utf8.Length == DigitCount)
        {
            utf8.CopyTo(digits);
        }
        else
        {
            return false;
        }

        foreach (var b in digits[..DigitCount])
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return true;
    }
}
