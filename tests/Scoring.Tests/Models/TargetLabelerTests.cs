using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Models;

public sealed class TargetLabelerTests
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);

    [Theory]
    [InlineData(ModelTarget.Crisis, TargetEventKind.CrisisConfirmed, 0, false)]
    [InlineData(ModelTarget.Crisis, TargetEventKind.CrisisConfirmed, -1, false)]
    [InlineData(ModelTarget.Crisis, TargetEventKind.CrisisConfirmed, 1, true)]
    [InlineData(ModelTarget.Crisis, TargetEventKind.CrisisConfirmed, 60, true)]
    [InlineData(ModelTarget.Crisis, TargetEventKind.CrisisConfirmed, 61, false)]
    [InlineData(ModelTarget.Crisis, TargetEventKind.LonelyDeath, 10, false)]
    [InlineData(ModelTarget.LonelyDeath, TargetEventKind.LonelyDeath, 0, false)]
    [InlineData(ModelTarget.LonelyDeath, TargetEventKind.LonelyDeath, 1, true)]
    [InlineData(ModelTarget.LonelyDeath, TargetEventKind.LonelyDeath, 90, true)]
    [InlineData(ModelTarget.LonelyDeath, TargetEventKind.LonelyDeath, 91, false)]
    [InlineData(ModelTarget.LonelyDeath, TargetEventKind.CrisisConfirmed, 10, false)]
    public void An_event_labels_the_as_of_date_only_inside_the_horizon(ModelTarget target, TargetEventKind kind, int daysAfter, bool expected)
    {
        var events = new[] { new TargetEvent(AsOf.AddDays(daysAfter), kind) };

        Assert.Equal(expected, TargetLabeler.Label(target, events, AsOf));
    }

    [Fact]
    public void Horizons_are_sixty_and_ninety_days()
    {
        Assert.Equal(60, TargetLabeler.HorizonDays(ModelTarget.Crisis));
        Assert.Equal(90, TargetLabeler.HorizonDays(ModelTarget.LonelyDeath));
    }

    [Fact]
    public void No_events_is_a_negative()
    {
        Assert.False(TargetLabeler.Label(ModelTarget.Crisis, [], AsOf));
    }
}
