namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Draws the latent life of a household over the window: a crisis (job loss, illness, debt) and the arrears it causes,
/// the baseline late payments every district has, an unregistered move, trips, hospital stays and ordinary deaths.
/// Lonely deaths come later (<see cref="LonelyDeathModel"/>) because their hazard is calibrated over the whole district.
/// </summary>
internal sealed class LifeSimulator
{
    // Crisis onsets per household over a 180-day window, and crises already under way on day 1, before the risk factors.
    private const double NewCrisisPer180Days = 0.022;
    private const double OngoingCrisisShare = 0.014;

    // Mean of the crisis risk factor below over a typical district, so the shares above hold on average.
    private const double MeanCrisisRisk = 1.45;

    // Baseline arrears: a monthly chance of falling one month behind and of staying behind another month. With
    // these, ~1.6% of households are 2+ months behind at any time without any crisis (~2.6% with crises).
    private const double MonthlyLatePayment = 0.030;
    private const double StayBehind = 0.36;

    private readonly DistrictOptions _options;
    private readonly DistrictCalendar _calendar;
    private readonly PopulationBuilder _population;

    public LifeSimulator(DistrictOptions options, DistrictCalendar calendar, PopulationBuilder population)
    {
        _options = options;
        _calendar = calendar;
        _population = population;
    }

    public void Simulate(SimHousehold h)
    {
        var random = RandomStreams.For(_options.Seed, h.Index, RandomStream.Life);
        DrawCrisis(random, h);
        DrawBaselineArrears(random, h);
        DrawCrisisArrears(random, h);
        DrawUnregisteredMove(random, h);
        DrawTrips(random, h);
        DrawHospitalStays(random, h);
        DrawOrdinaryDeath(random, h);
    }

    public static IReadOnlyList<ArrearsSource> Accounts(SimHousehold h, DateOnly start)
    {
        var sources = new List<ArrearsSource>(6);
        // Apartments and officetels bill electricity and water through the management fee; a 고시원 includes them in the rent.
        if (h.Housing is Housing.Rowhouse or Housing.Detached or Housing.Basement or Housing.Rooftop or Housing.Other)
        {
            sources.Add(ArrearsSource.Electricity);
            sources.Add(ArrearsSource.Water);
        }

        if (h.Housing != Housing.Gosiwon)
        {
            sources.Add(ArrearsSource.Gas);
        }

        sources.Add(ArrearsSource.HealthInsurance);
        if (h.Members.Any(m => m.HasLine))
        {
            sources.Add(ArrearsSource.Telecom);
        }

        if (h.PublicRental)
        {
            sources.Add(ArrearsSource.Rent);
        }

        if (h.Housing is Housing.Apartment or Housing.Officetel)
        {
            sources.Add(ArrearsSource.ManagementFee);
        }

        // National pension contributions are due from working-age people who are not recipients.
        if (!h.BasicLivelihood && h.Head.AgeOn(start) is >= 18 and < 60)
        {
            sources.Add(ArrearsSource.Pension);
        }

        return sources;
    }

    private int HeadAge(SimHousehold h) => h.Head.AgeOn(_calendar.Start);

    private void DrawCrisis(Random random, SimHousehold h)
    {
        var age = HeadAge(h);
        var risk = _population.Deprivation(h.DongIndex);
        risk *= h.BasicLivelihood ? 2.5 : h.NearPoverty ? 1.8 : 1.0;
        if (h.LivesAlone && h.Head.Sex == 'M' && age is >= 40 and < 65)
        {
            risk *= 2.0; // middle-aged men living alone: the group most often found in crisis and in lonely deaths
        }
        else if (h.LivesAlone && age >= 65)
        {
            risk *= 1.3;
        }

        if (h.Housing is Housing.Gosiwon or Housing.Basement or Housing.Rooftop)
        {
            risk *= 1.8;
        }

        risk /= MeanCrisisRisk;
        var days = _calendar.Days;
        if (random.Chance(Math.Min(0.5, OngoingCrisisShare * risk)))
        {
            h.CrisisOnsetDay = -random.Between(15, 270);
        }
        else if (random.Chance(1 - Math.Exp(-NewCrisisPer180Days / 180.0 * risk * days)))
        {
            h.CrisisOnsetDay = random.Between(0, days - 1);
        }
        else
        {
            return;
        }

        h.Crisis = (CrisisKind)(age is >= 19 and < 65 ? random.Pick([0.45, 0.30, 0.25]) + 1 : random.Pick([0, 0.6, 0.4]) + 1);
        // Many crises outlast a 6-month window; support (a visit ending `supported`) can end one sooner.
        var duration = Math.Max(30, (int)random.LogNormal(140, 0.7));
        h.CrisisNaturalEndDay = Math.Max(h.CrisisOnsetDay + duration, 10);
        h.CrisisEndDay = h.CrisisNaturalEndDay;

        // Not every crisis shows every signal.
        h.CrisisShowsArrears = random.Chance(0.7);
        h.CrisisTelecomDepth = random.Chance(0.55) ? random.Uniform(0.35, 0.8) : 0;
        if (random.Chance(0.5))
        {
            (h.CrisisKwhFactor, h.CrisisHoursShift) = h.Crisis switch
            {
                CrisisKind.JobLoss => (random.Uniform(1.0, 1.12), random.Uniform(1.5, 4.0)), // home all day
                CrisisKind.Illness => (random.Uniform(0.95, 1.1), random.Uniform(1.0, 3.0)),
                _ => (random.Uniform(0.7, 0.9), random.Uniform(-2.0, 0.0)), // saving on the bill
            };
        }

        h.CrisisReported = random.Chance(0.25);
    }

    private void DrawBaselineArrears(Random random, SimHousehold h)
    {
        var accounts = Accounts(h, _calendar.Start);
        var firstMonth = _calendar.MonthOfDay(0);
        var lastMonth = _calendar.MonthOfDay(_calendar.LastDay);
        var propensity = MonthlyLatePayment
            * (h.BasicLivelihood ? 1.8 : h.NearPoverty ? 1.5 : 1.0)
            * (h.Housing is Housing.Gosiwon or Housing.Basement or Housing.Rooftop ? 1.4 : 1.0)
            / 1.12; // mean of the factors, so the district average stays at MonthlyLatePayment
        var stay = h.BasicLivelihood ? 0.45 : StayBehind;
        Span<double> weights = stackalloc double[accounts.Count];
        for (var i = 0; i < accounts.Count; i++)
        {
            weights[i] = accounts[i] switch
            {
                ArrearsSource.Electricity => 0.10,
                ArrearsSource.Water => 0.05,
                ArrearsSource.Gas => 0.12,
                ArrearsSource.HealthInsurance => 0.25,
                ArrearsSource.Telecom => 0.25,
                ArrearsSource.Rent => 0.12,
                ArrearsSource.ManagementFee => 0.22,
                _ => 0.15,
            };
        }

        // A year of warm-up before the window so standing arrears on day 1 follow the steady state.
        var month = firstMonth - 14;
        while (month <= lastMonth)
        {
            if (!random.Chance(propensity))
            {
                month++;
                continue;
            }

            var count = random.Chance(0.25) && accounts.Count > 1 ? 2 : 1;
            var episodeEnd = month + 1;
            var first = -1;
            for (var c = 0; c < count; c++)
            {
                var pick = random.Pick(weights);
                if (pick == first)
                {
                    continue;
                }

                first = pick;
                var length = 1;
                while (random.Chance(stay) && length < 24)
                {
                    length++;
                }

                episodeEnd = Math.Max(episodeEnd, month + length);
                if (month + length >= firstMonth)
                {
                    AddEpisode(h, random, accounts[pick], month, month + length, fromCrisis: false);
                }
            }

            month = episodeEnd + 1;
        }
    }

    private void DrawCrisisArrears(Random random, SimHousehold h)
    {
        if (h.Crisis == CrisisKind.None || !h.CrisisShowsArrears)
        {
            return;
        }

        var accounts = Accounts(h, _calendar.Start);
        var onsetMonth = CrisisMonth(h.CrisisOnsetDay);
        var endMonth = CrisisMonth(h.CrisisNaturalEndDay);
        var added = false;
        foreach (var source in accounts)
        {
            var p = source switch
            {
                ArrearsSource.Electricity => 0.4,
                ArrearsSource.Water => 0.3,
                ArrearsSource.Gas => 0.4,
                ArrearsSource.HealthInsurance => 0.6,
                ArrearsSource.Telecom => 0.5,
                ArrearsSource.Rent => 0.6,
                ArrearsSource.ManagementFee => 0.6,
                _ => 0.5,
            };
            if (random.Chance(p))
            {
                AddCrisisEpisode(random, h, source, onsetMonth, endMonth);
                added = true;
            }
        }

        if (!added)
        {
            AddCrisisEpisode(random, h, ArrearsSource.HealthInsurance, onsetMonth, endMonth);
        }
    }

    private void AddCrisisEpisode(Random random, SimHousehold h, ArrearsSource source, int onsetMonth, int crisisEndMonth)
    {
        var start = onsetMonth + random.Between(0, 2);
        var end = Math.Max(start + 1, crisisEndMonth + random.Between(0, 1) + 1);
        // The crisis absorbs any ordinary late payment of the same account that overlaps it.
        h.Arrears.RemoveAll(e => e.Source == source && e.StartMonth <= end && e.NaturalEndMonth >= start);
        AddEpisode(h, random, source, start, end, fromCrisis: true);
    }

    private int CrisisMonth(int day) => DistrictCalendar.MonthOf(_calendar.DateOf(day));

    private static void AddEpisode(SimHousehold h, Random random, ArrearsSource source, int start, int end, bool fromCrisis)
    {
        var lines = Math.Max(1, h.Members.Count(m => m.HasLine));
        var bill = source switch
        {
            ArrearsSource.Electricity => h.MeanKwh * 30.4 * 130, // ~130 won/kWh on the residential tariff
            ArrearsSource.Water => 12_000 + (6_000 * h.Members.Length * random.Uniform(0.8, 1.2)),
            ArrearsSource.Gas => random.Uniform(25_000, 90_000),
            ArrearsSource.HealthInsurance => random.LogNormal(70_000, 0.5),
            ArrearsSource.Telecom => lines * random.Uniform(35_000, 75_000),
            ArrearsSource.Rent => random.Uniform(100_000, 350_000),
            ArrearsSource.ManagementFee => random.Uniform(100_000, 300_000),
            _ => random.Uniform(90_000, 200_000),
        };
        h.Arrears.Add(new ArrearsEpisode
        {
            Source = source,
            StartMonth = start,
            NaturalEndMonth = end,
            EndMonth = end,
            MonthlyBill = (int)Math.Round(bill / 10) * 10, // bills are in tens of won
            FromCrisis = fromCrisis,
        });
    }

    private void DrawUnregisteredMove(Random random, SimHousehold h)
    {
        if (_calendar.Days < 3)
        {
            return;
        }

        // Most moves are registered within the legal 14 days; a few people leave without telling anyone,
        // more often the young living alone and households in crisis (see README).
        var p = 0.008 * _calendar.Days / 180.0
            * (h.LivesAlone && HeadAge(h) < 40 ? 2.0 : 1.0)
            * (h.Crisis != CrisisKind.None ? 1.5 : 1.0);
        if (random.Chance(Math.Min(0.5, p)))
        {
            h.UnregisteredMoveDay = random.Between(1, _calendar.LastDay);
        }
    }

    private void DrawTrips(Random random, SimHousehold h)
    {
        // A household on a trip is known to be alive only by its phones, so households without a line don't travel here;
        // nor do households in crisis, and no trip may fall where an unpaid telecom bill blocks outgoing calls.
        if (h.Crisis != CrisisKind.None || !h.Members.Any(m => m.HasLine))
        {
            return;
        }

        // Whole-household trips of 2+ nights: a little over one a year, fewer for the elderly and for recipients.
        var perYear = (HeadAge(h) < 65 ? 1.4 : 0.7) * (h.BasicLivelihood ? 0.5 : 1.0);
        var count = random.Poisson(perYear * _calendar.Days / 365.0);
        for (var i = 0; i < count; i++)
        {
            var length = 2 + Math.Min(8, random.Poisson(1.8));
            if (length > _calendar.Days)
            {
                continue;
            }

            var start = random.Between(0, _calendar.Days - length);
            var end = start + length - 1;
            if (end >= h.UnregisteredMoveDay || Overlaps(h.Trips, start - 1, end + 1) || TelecomMayBeBlocked(h, start, end))
            {
                continue;
            }

            h.Trips.Add(new DayRange(start, end));
        }

        h.Trips.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    private bool TelecomMayBeBlocked(SimHousehold h, int start, int end)
    {
        foreach (var e in h.Arrears)
        {
            if (e.Source != ArrearsSource.Telecom || e.NaturalEndMonth - e.StartMonth < 2)
            {
                continue;
            }

            // Blocked from the report that shows 2 months unpaid until the report that shows it paid (a week of margin).
            var from = _calendar.DayOf(DistrictCalendar.DateInMonth(e.StartMonth + 1, ArrearsReporting.ReportDay(ArrearsSource.Telecom))) - 7;
            var to = _calendar.DayOf(DistrictCalendar.DateInMonth(e.NaturalEndMonth, ArrearsReporting.ReportDay(ArrearsSource.Telecom))) + 7;
            if (start <= to && end >= from)
            {
                return true;
            }
        }

        return false;
    }

    private void DrawHospitalStays(Random random, SimHousehold h)
    {
        // Only stays of lone residents empty the home, which is what confuses the electricity signal.
        if (!h.LivesAlone)
        {
            return;
        }

        var age = HeadAge(h);
        var perYear = age switch
        {
            < 50 => 0.06,
            < 65 => 0.12,
            < 75 => 0.25,
            _ => 0.45,
        };
        var count = random.Poisson(perYear * _calendar.Days / 365.0);
        for (var i = 0; i < count; i++)
        {
            var length = Math.Max(2, (int)Math.Round(random.LogNormal(7, 0.7)));
            var start = random.Between(0, _calendar.LastDay);
            var end = Math.Min(_calendar.LastDay, start + length - 1);
            if (end >= h.UnregisteredMoveDay || Overlaps(h.Trips, start - 1, end + 1) || Overlaps(h.HospitalStays, start - 1, end + 1))
            {
                continue;
            }

            h.HospitalStays.Add(new DayRange(start, end));
            if (random.Chance(0.12))
            {
                h.CriticalCare.Add(new DayRange(start, Math.Min(end, start + random.Between(1, 3))));
            }
        }

        h.HospitalStays.Sort((a, b) => a.Start.CompareTo(b.Start));
    }

    private void DrawOrdinaryDeath(Random random, SimHousehold h)
    {
        // Gompertz mortality close to the Korean life table (0.1%/year at 40, 0.7% at 60, 4% at 80, 9% at 90).
        var best = int.MaxValue;
        var who = -1;
        for (var i = 0; i < h.Members.Length; i++)
        {
            var m = h.Members[i];
            var age = m.AgeOn(_calendar.Start);
            var perYear = Math.Min(0.35, Math.Exp(-10.3 + (0.088 * age)) * (m.Sex == 'M' ? 1.3 : 0.75));
            if (random.Chance(1 - Math.Exp(-perYear * _calendar.Days / 365.0)))
            {
                var day = random.Between(0, _calendar.LastDay);
                if (day < best)
                {
                    best = day;
                    who = i;
                }
            }
        }

        if (who < 0 || best >= h.UnregisteredMoveDay)
        {
            return;
        }

        h.DeathDay = best;
        h.DeadMember = who;
        h.DiedAlone = false;
        h.NaturalDiscoveryDay = best;
        h.Members[who].DeathDay = best;
        // A family in mourning does not travel (and a dead member's silent phone must never be part of a trip).
        h.Trips.RemoveAll(t => t.End >= best);
        if (!h.LivesAlone)
        {
            return;
        }

        // Most Koreans die in hospital: a lone resident's ordinary death ends a hospital stay, and the home stands empty after.
        var stayStart = Math.Max(0, best - random.Between(2, 20));
        h.Trips.RemoveAll(t => t.End >= stayStart);
        h.HospitalStays.RemoveAll(s => s.End >= stayStart);
        h.CriticalCare.RemoveAll(s => s.End >= stayStart);
        h.HospitalStays.Add(new DayRange(stayStart, best));
        if (random.Chance(0.5))
        {
            h.CriticalCare.Add(new DayRange(Math.Max(stayStart, best - random.Between(1, 3)), best));
        }
    }

    private static bool Overlaps(List<DayRange> ranges, int start, int end)
    {
        foreach (var r in ranges)
        {
            if (r.Overlaps(start, end))
            {
                return true;
            }
        }

        return false;
    }
}
