namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Writes the daily usage feeds. Each household has its own random stream per feed, consumed day after day, so the
/// electricity/water pass and the telecom pass can run on separate threads and still give the same bytes every time.
/// </summary>
internal sealed class UsageWriter
{
    private readonly int _seed;
    private readonly DistrictCalendar _calendar;
    private readonly IReadOnlyList<SimHousehold> _households;
    private readonly string _inbox;

    public UsageWriter(int seed, DistrictCalendar calendar, IReadOnlyList<SimHousehold> households, string inbox)
    {
        _seed = seed;
        _calendar = calendar;
        _households = households;
        _inbox = inbox;
    }

    public void WriteElectricityAndWater(CancellationToken cancellationToken)
    {
        var n = _households.Count;
        var electricity = new ElectricityState[n];
        var water = new Random?[n];
        for (var i = 0; i < n; i++)
        {
            var h = _households[i];
            electricity[i] = new ElectricityState(RandomStreams.For(_seed, h.Index, RandomStream.Electricity));
            water[i] = h.HasWaterMeter ? RandomStreams.For(_seed, h.Index, RandomStream.Water) : null;
        }

        for (var d = 0; d < _calendar.Days; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var date = _calendar.DateOf(d);
            var text = _calendar.Text(d);
            using (var file = new FeedFileWriter(_inbox, "usage_electricity", date, FeedHeaders.Electricity))
            {
                for (var i = 0; i < n; i++)
                {
                    WriteElectricity(file, _households[i], electricity[i], d, text);
                }
            }

            using (var file = new FeedFileWriter(_inbox, "usage_water", date, FeedHeaders.Water))
            {
                for (var i = 0; i < n; i++)
                {
                    if (water[i] is { } random)
                    {
                        WriteWater(file, _households[i], random, d, text);
                    }
                }
            }
        }
    }

    public void WriteTelecom(CancellationToken cancellationToken)
    {
        var n = _households.Count;
        var randoms = new Random[n];
        for (var i = 0; i < n; i++)
        {
            randoms[i] = RandomStreams.For(_seed, _households[i].Index, RandomStream.Telecom);
        }

        for (var d = 0; d < _calendar.Days; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = _calendar.Text(d);
            var weekend = _calendar.IsWeekend(d);
            using var file = new FeedFileWriter(_inbox, "usage_telecom", _calendar.DateOf(d), FeedHeaders.Telecom);
            for (var i = 0; i < n; i++)
            {
                var h = _households[i];
                foreach (var person in h.Members)
                {
                    if (person.HasLine && d < person.TelecomEndDay)
                    {
                        WriteLine(file, h, person, randoms[i], d, text, weekend);
                    }
                }
            }
        }
    }

    private void WriteElectricity(FeedFileWriter file, SimHousehold h, ElectricityState s, int d, string date)
    {
        file.Raw(h.Id).Raw(date);
        if (!h.HasSmartMeter)
        {
            file.Empty().Empty().Raw("missing").EndRow();
            return;
        }

        var random = s.Random;
        var (z1, z2) = random.GaussianPair();
        // Day-to-day variation is persistent (weather, routines), so an AR(1) on the log scale rather than white noise.
        s.Noise = (0.55 * s.Noise) + (0.16 * z1);
        var standby = h.StandbyKwh;
        double kwh;
        double expectedKwh;
        int hours;
        int expectedHours;
        var state = h.States[d];
        if (state is DayState.Home or DayState.DeathDay)
        {
            var weekend = _calendar.IsWeekend(d);
            var active = (h.MeanKwh - standby) * _calendar.ElectricitySeason(d);
            var routineHours = h.BaseActiveHours;
            if (h.HasWorker)
            {
                active *= weekend ? 1.12 : 0.97;
                routineHours += weekend ? (h.LivesAlone ? 4.0 : 1.5) : 0;
            }

            if (h.InCrisisOn(d))
            {
                var ramp = Math.Min(1.0, (d - h.CrisisOnsetDay) / 30.0);
                active *= 1 + ((h.CrisisKwhFactor - 1) * ramp);
                routineHours += h.CrisisHoursShift * ramp;
            }

            var alive = state == DayState.DeathDay ? h.DeathDayAliveFraction : 1.0;
            expectedKwh = standby + (active * alive);
            kwh = standby + (active * Math.Exp(s.Noise) * alive);
            expectedHours = Math.Clamp((int)Math.Round(routineHours * alive), 0, 24);
            var drawn = routineHours + (6 * s.Noise) + (1.2 * z2);
            hours = Math.Clamp((int)Math.Round(drawn * alive), alive < 1 ? 0 : 1, 24);
        }
        else
        {
            // Away, in hospital, moved out or dead: only the fridge and standby loads, flat day after day.
            expectedKwh = standby;
            kwh = standby * (1 + (0.015 * z2));
            expectedHours = 0;
            hours = 0;
        }

        // Meter reading failures: ~0.5% of days missing (in short outages), ~1% estimated by the utility.
        if (s.Gap > 0)
        {
            s.Gap--;
            file.Empty().Empty().Raw("missing").EndRow();
            return;
        }

        var u = random.NextDouble();
        if (u < 0.0025)
        {
            s.Gap = random.Next(0, 3);
            file.Empty().Empty().Raw("missing").EndRow();
        }
        else if (u < 0.0125)
        {
            file.Fixed(expectedKwh, 3).Int(expectedHours).Raw("estimated").EndRow();
        }
        else
        {
            file.Fixed(kwh, 3).Int(hours).Raw("measured").EndRow();
        }
    }

    private void WriteWater(FeedFileWriter file, SimHousehold h, Random random, int d, string date)
    {
        var state = h.States[d];
        double liters;
        if (state is DayState.Home or DayState.DeathDay)
        {
            var alive = state == DayState.DeathDay ? h.DeathDayAliveFraction : 1.0;
            liters = h.MeanLiters * _calendar.WaterSeason(d) * (_calendar.IsWeekend(d) ? 1.08 : 1.0)
                * Math.Exp(0.2 * random.Gaussian()) * alive;
        }
        else
        {
            // An empty home uses next to nothing: a dripping tap at most.
            liters = random.Chance(0.7) ? 0 : random.Uniform(0, 3);
        }

        file.Raw(h.Id).Raw(date);
        if (random.Chance(0.005))
        {
            file.Empty().Raw("missing").EndRow();
            return;
        }

        file.Fixed(liters, 1).Raw("measured").EndRow();
    }

    private static void WriteLine(FeedFileWriter file, SimHousehold h, SimPerson p, Random random, int d, string date, bool weekend)
    {
        int callsOut;
        int callsIn;
        int sms;
        double data;
        if (d > p.DeathDay)
        {
            // The dead make no calls and send nothing; the phone syncs a little in the background and calls still
            // come in for a while, fewer as nobody answers.
            var since = d - p.DeathDay;
            callsOut = 0;
            sms = 0;
            callsIn = random.Poisson((p.CallsInRate * Math.Exp(-since / 8.0)) + 0.05);
            data = random.Chance(0.55) ? 0 : random.Uniform(0.1, 3.0);
        }
        else
        {
            var state = h.States[d];
            var outFactor = 1.0;
            var inFactor = 1.0;
            var dataFactor = 1.0;
            if (p.Works && weekend)
            {
                outFactor *= 0.7;
                inFactor *= 0.7;
            }

            if (h.CrisisTelecomDepth > 0 && h.InCrisisOn(d))
            {
                // Withdrawal: fewer calls out, less data; friends call a little less too.
                var depth = h.CrisisTelecomDepth * Math.Min(1.0, (d - h.CrisisOnsetDay) / 45.0);
                outFactor *= 1 - depth;
                dataFactor *= 1 - (0.7 * depth);
                inFactor *= 1 - (0.4 * depth);
            }

            if (state == DayState.Trip)
            {
                outFactor *= 1.3;
                dataFactor *= 1.4;
            }
            else if (state is DayState.Hospital or DayState.CriticalCare)
            {
                outFactor *= 0.5;
                dataFactor *= 0.5;
                inFactor *= 1.2;
            }

            if (d == p.DeathDay)
            {
                var alive = h.LivesAlone ? h.DeathDayAliveFraction : 0.5;
                outFactor *= alive;
                inFactor *= alive;
                dataFactor *= alive;
            }

            callsOut = random.Poisson(p.CallsOutRate * outFactor);
            callsIn = random.Poisson(p.CallsInRate * inFactor);
            sms = random.Poisson(p.SmsRate * outFactor);
            data = p.FeaturePhone
                ? random.Uniform(0, 1.5) * dataFactor
                : p.DataMedianMb * Math.Exp(0.45 * random.Gaussian()) * dataFactor;

            if (h.TelecomBlocked is { } blocked && blocked[d])
            {
                // Suspended for unpaid bills: calls and texts out are barred, mobile data is cut.
                callsOut = 0;
                sms = 0;
                data = random.Chance(0.55) ? 0 : random.Uniform(0.1, 3.0);
            }

            if (state == DayState.Trip)
            {
                // Travellers always reach someone: a trip never looks like a silent phone.
                if (callsOut + sms == 0)
                {
                    if (random.Chance(0.5))
                    {
                        callsOut = 1;
                    }
                    else
                    {
                        sms = 1;
                    }
                }

                if (!p.FeaturePhone)
                {
                    data = Math.Max(data, 30 + random.Uniform(0, 40));
                }
            }
            else if (state == DayState.Hospital && callsOut + sms == 0 && random.Chance(0.8))
            {
                callsOut = 1;
            }
            else if (state == DayState.CriticalCare)
            {
                // Too ill to use the phone: it looks like the phone of the dead, an honest false alarm for the flatline lane.
                callsOut = 0;
                sms = random.Chance(0.1) ? 1 : 0;
                data = random.Chance(0.55) ? 0 : random.Uniform(0.1, 3.0);
            }
        }

        file.Raw(p.Rrn).Raw(date).Int(callsOut).Int(callsIn).Int(sms).Fixed(data, 1).EndRow();
    }

    private sealed class ElectricityState(Random random)
    {
        public Random Random { get; } = random;
        public double Noise { get; set; }
        public int Gap { get; set; }
    }
}
