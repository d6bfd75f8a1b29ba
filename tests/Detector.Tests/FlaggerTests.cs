using RiskWatch.Detector.Policy;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Tests;

public sealed class FlaggerTests
{
    [Theory]
    [InlineData(5, 5, true, true, true)]     // standby and silent phone: a death looks like this
    [InlineData(5, 0, true, true, false)]    // standby but the phone is busy: a trip or a hospital stay
    [InlineData(2, 2, true, true, false)]    // not yet long enough
    [InlineData(4, 0, true, false, true)]    // no phone at all: the meter alone speaks
    [InlineData(0, 4, false, true, true)]    // no smart meter: the phone alone speaks
    public void Flatline_lane_fires_only_when_every_available_signal_is_flat(int flatDays, int silentDays, bool meter, bool phone, bool fires)
    {
        var signal = new FlatlineSignal(flatDays, silentDays, meter, phone, 0);

        Assert.Equal(fires, FlatlineLane.Fires(signal, new ThresholdPolicy { FlatlineDays = 3 }));
    }
}
