namespace RiskWatch.Detector.Histories;

/// <summary>Turns the SPEC's snake_case values (already validated at ingest) into Scoring's enums.</summary>
internal static class SpecValue
{
    public static TEnum Parse<TEnum>(string value)
        where TEnum : struct, Enum =>
        Enum.Parse<TEnum>(value.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true);
}
