using System.Globalization;
using RiskWatch.Detector.Configuration;

namespace RiskWatch.Detector.Tests;

public sealed class IsoDateTests
{
    [Theory]
    [InlineData("2026-10-31")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    [InlineData("2024-02-29")]
    public void A_stored_date_parses_to_the_day_the_culture_parser_gives(string text)
    {
        Assert.Equal(DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture), IsoDate.Parse(text));
        Assert.True(IsoDate.TryParse(text, out var date));
        Assert.Equal(IsoDate.Parse(text), date);
    }

    [Theory]
    [InlineData("2026-02-29")]
    [InlineData("2026-13-01")]
    [InlineData("2026-00-10")]
    [InlineData("0000-01-01")]
    [InlineData("2026-1-01")]
    [InlineData("2026-01-01 ")]
    [InlineData("2026/01/01")]
    [InlineData("２０２６-01-01")]
    [InlineData("")]
    public void Anything_else_is_refused_as_the_culture_parser_refuses_it(string text)
    {
        Assert.Throws<FormatException>(() => IsoDate.Parse(text));
        Assert.False(IsoDate.TryParse(text, out _));
    }
}
