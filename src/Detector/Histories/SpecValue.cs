using System.Collections.Concurrent;

namespace RiskWatch.Detector.Histories;

/// <summary>Turns the SPEC's snake_case values (already validated at ingest) into Scoring's enums.</summary>
internal static class SpecValue
{
    public static TEnum Parse<TEnum>(string value)
        where TEnum : struct, Enum =>
        Parsed<TEnum>.Values.GetOrAdd(
            value,
            static v => Enum.Parse<TEnum>(v.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true));

    // A few distinct values per enum, met hundreds of thousands of times a night (every arrears and welfare row). Only a
    // value that parses is kept: a bad one throws each time it is met.
    private static class Parsed<TEnum>
        where TEnum : struct, Enum
    {
        public static readonly ConcurrentDictionary<string, TEnum> Values = new(StringComparer.Ordinal);
    }
}
