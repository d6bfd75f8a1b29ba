using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Tests.Features;

public sealed class FlatlineSignalTests
{
    private static readonly DateOnly AsOf = HistoryBuilder.Start.AddDays(89);

    [Fact]
    public void A_death_like_household_is_flat_and_silent_while_calls_keep_coming_in()
    {
        var history = HistoryBuilder.Active(90).Standby(84, 89).Silent(84, 89, callsIn: 2).Build();

        var signal = FlatlineSignal.Compute(history, AsOf);

        Assert.Equal(new FlatlineSignal(6, 6, HasMeter: true, HasPhone: true, CallsInWhileSilent: 12), signal);
    }

    [Fact]
    public void A_trip_leaves_the_flat_at_standby_but_the_phone_in_use()
    {
        var history = HistoryBuilder.Active(90).Standby(84, 89).Build();

        var signal = FlatlineSignal.Compute(history, AsOf);

        Assert.Equal(6, signal.ElectricityFlatDays);
        Assert.Equal(0, signal.TelecomSilentDays);
    }

    [Fact]
    public void Background_data_alone_is_silence_but_real_data_use_is_not()
    {
        var silent = HistoryBuilder.Active(90).Silent(85, 89, backgroundMb: 5f).Build();
        var browsing = HistoryBuilder.Active(90).Silent(85, 89, backgroundMb: 40f).Build();

        Assert.Equal(5, FlatlineSignal.Compute(silent, AsOf).TelecomSilentDays);
        Assert.Equal(0, FlatlineSignal.Compute(browsing, AsOf).TelecomSilentDays);
    }

    [Fact]
    public void A_missing_meter_day_neither_breaks_nor_extends_the_standby_run()
    {
        var history = HistoryBuilder.Active(90).Standby(83, 89).MeterMissing(86, 86).Build();

        Assert.Equal(6, FlatlineSignal.Compute(history, AsOf).ElectricityFlatDays);
    }

    [Fact]
    public void A_meter_gap_longer_than_three_days_ends_the_run()
    {
        var history = HistoryBuilder.Active(90).Standby(70, 89).MeterMissing(80, 83).Build();

        Assert.Equal(6, FlatlineSignal.Compute(history, AsOf).ElectricityFlatDays);
    }

    [Fact]
    public void Days_without_telecom_rows_are_silent_only_for_a_household_with_a_line()
    {
        var withLine = HistoryBuilder.Active(90).NoTelecomRows(80, 89);
        var withoutLine = HistoryBuilder.Active(90).NoTelecomRows(0, 89);
        withoutLine.TelecomLines = 0;

        Assert.Equal(10, FlatlineSignal.Compute(withLine.Build(), AsOf).TelecomSilentDays);
        var none = FlatlineSignal.Compute(withoutLine.Build(), AsOf);
        Assert.Equal(0, none.TelecomSilentDays);
        Assert.False(none.HasPhone);
    }

    [Fact]
    public void The_run_ends_at_the_as_of_date_not_at_the_end_of_the_data()
    {
        var history = HistoryBuilder.Active(120).Standby(100, 119).Silent(100, 119).Build();

        var signal = FlatlineSignal.Compute(history, HistoryBuilder.Start.AddDays(104));

        Assert.Equal(5, signal.ElectricityFlatDays);
        Assert.Equal(5, signal.TelecomSilentDays);
    }
}
