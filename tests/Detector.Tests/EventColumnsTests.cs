using RiskWatch.Detector.Histories;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Tests;

public sealed class EventColumnsTests
{
    private static readonly DateOnly Day = new(2026, 10, 1);

    [Fact]
    public void Each_household_gets_its_own_events_in_the_order_they_were_read()
    {
        var events = new EventColumns();
        events.AddArrears(7, Arrears(ArrearsSource.Water, 3));
        events.AddWelfare(2, new WelfareObservation(WelfareEventKind.JobLoss, Day));
        events.AddArrears(2, Arrears(ArrearsSource.Gas, 1));
        events.AddArrears(7, Arrears(ArrearsSource.Electricity, 2));
        events.AddReport(7, Day.AddDays(4));
        events.AddArrears(7, Arrears(ArrearsSource.Water, 5));
        events.Seal();

        var seven = events.For(7)!;
        Assert.Equal([3, 2, 5], seven.ArrearsRead.Select(a => a.MonthsOverdue));
        Assert.Equal([ArrearsSource.Water, ArrearsSource.Electricity, ArrearsSource.Water], seven.ArrearsRead.Select(a => a.Source));
        Assert.Empty(seven.WelfareRead);
        Assert.Equal([Day.AddDays(4)], seven.ReportsRead);

        var two = events.For(2)!;
        Assert.Equal([1], two.ArrearsRead.Select(a => a.MonthsOverdue));
        Assert.Equal([WelfareEventKind.JobLoss], two.WelfareRead.Select(w => w.Event));
        Assert.Empty(two.ReportsRead);
    }

    [Fact]
    public void A_household_without_events_gets_none_and_each_read_gets_its_own_copy()
    {
        var events = new EventColumns();
        events.AddReport(3, Day);
        events.Seal();

        Assert.Null(events.For(1));
        Assert.Null(events.For(4));
        Assert.Null(events.For(1_000_000));

        // A builder adds its own targets and sorts the lists: one chunk's changes are not the next reader's.
        var first = events.For(3)!;
        first.Reports.Add(Day.AddDays(-1));
        Assert.Equal([Day], events.For(3)!.ReportsRead);
    }

    [Fact]
    public void Rows_are_taken_only_before_the_seal_and_read_only_after_it()
    {
        var events = new EventColumns();
        Assert.Throws<InvalidOperationException>(() => events.For(1));
        events.Seal();
        Assert.Throws<InvalidOperationException>(() => events.AddReport(1, Day));
    }

    private static ArrearsObservation Arrears(ArrearsSource source, int months) =>
        new(source, Day, months, months * 10_000L, SupplyAction.None);
}
