namespace RiskWatch.Scoring.Features;

/// <summary>A household's four telecom series as spans, read once per household rather than once per day.</summary>
internal readonly ref struct TelecomSeries
{
    public TelecomSeries(HouseholdHistory history)
    {
        CallsOut = history.CallsOut.Span;
        CallsIn = history.CallsIn.Span;
        SmsOut = history.SmsOut.Span;
        DataMb = history.DataMb.Span;
    }

    public ReadOnlySpan<short> CallsOut { get; }
    public ReadOnlySpan<short> CallsIn { get; }
    public ReadOnlySpan<short> SmsOut { get; }
    public ReadOnlySpan<float> DataMb { get; }

    /// <summary>Days covered by all four series (they are loaded together; this only guards against a short one).</summary>
    public int Days => Math.Min(Math.Min(CallsOut.Length, CallsIn.Length), Math.Min(SmsOut.Length, DataMb.Length));

    /// <summary>No outgoing call, no text, only background data; -1 / NaN (no row) passes every test.</summary>
    public bool IsSilent(int day) =>
        CallsOut[day] <= 0 && SmsOut[day] <= 0 && !(DataMb[day] > FlatlineSignal.BackgroundDataMb);
}
