using System.Globalization;
using RiskWatch.Ingest.Feeds;

namespace RiskWatch.Ingest.Tests.Feeds;

public sealed class FieldsTests
{
    [Fact]
    public void Decimal_gives_the_same_double_as_the_framework_parser_for_every_shape_a_feed_sends()
    {
        var random = new Random(7);
        var texts = new List<string> { "0", "0.0", "000.100", "9.999", "0.001", "123456789012345", "12345678901234.5", "1234567890123.456", "999999999999999.999" };
        for (var i = 0; i < 200_000; i++)
        {
            var whole = random.NextInt64(0, (long)Math.Pow(10, random.Next(1, 16))).ToString(CultureInfo.InvariantCulture);
            var decimals = random.Next(0, 16);
            texts.Add(decimals == 0 ? whole : $"{whole}.{random.NextInt64(0, (long)Math.Pow(10, decimals)).ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0')}");
        }

        foreach (var text in texts)
        {
            Assert.Null(Fields.Decimal(System.Text.Encoding.ASCII.GetBytes(text), "x", maxDecimals: 15, out var number));
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(number));
        }
    }
}
