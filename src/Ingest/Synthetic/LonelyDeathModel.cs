namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Lonely deaths (고독사) of people living alone. The hazard averages 0.05% a year per single-person household
/// (3,661 deaths in 2023 over ~7.8M such households) times <see cref="DistrictOptions.LonelyDeathRiskMultiplier"/>, and is
/// spread over the district's lone residents so that the deaths look like the 2024 national survey: 81.7% men, men in
/// their 50s–60s about 54%, about 40% basic-livelihood recipients; a crisis under way triples it.
/// </summary>
internal sealed class LonelyDeathModel
{
    private const double BaseHazardPerYear = 0.0005;
    private const double CrisisFactor = 3.0;
    private const double TargetRecipientShare = 0.40;

    // Share of lonely deaths by sex and age band (<30, 30s, 40s, 50s, 60s, 70s, 80+), after the 2024 survey.
    private static readonly double[] TargetMale = [1.5, 3.5, 9.5, 27.0, 27.0, 9.0, 4.2];
    private static readonly double[] TargetFemale = [1.0, 1.2, 2.0, 3.5, 4.3, 3.5, 2.8];

    // How long a death stays undiscovered before the window opens that we still simulate (the dead already lying
    // undiscovered on day 1).
    private const int LookBackDays = 120;

    private readonly DistrictOptions _options;
    private readonly DistrictCalendar _calendar;

    public LonelyDeathModel(DistrictOptions options, DistrictCalendar calendar)
    {
        _options = options;
        _calendar = calendar;
    }

    /// <summary>Raking (iterative proportional fitting) of the per-household weights to the survey's shares.</summary>
    public void Calibrate(IReadOnlyList<SimHousehold> households)
    {
        var singles = households.Where(h => h.LivesAlone).ToArray();
        if (singles.Length == 0)
        {
            return;
        }

        var cell = new int[singles.Length];
        var crisis = new double[singles.Length];
        var present = new bool[14];
        for (var i = 0; i < singles.Length; i++)
        {
            var h = singles[i];
            cell[i] = (h.Head.Sex == 'M' ? 0 : 7) + PopulationBuilder.AgeBand(h.Head.AgeOn(_calendar.Start));
            present[cell[i]] = true;
            crisis[i] = 1 + ((CrisisFactor - 1) * CrisisShareOfWindow(h));
        }

        var target = new double[14];
        for (var b = 0; b < 7; b++)
        {
            target[b] = present[b] ? TargetMale[b] : 0;
            target[7 + b] = present[7 + b] ? TargetFemale[b] : 0;
        }

        var targetTotal = target.Sum();
        var cellFactor = Enumerable.Repeat(1.0, 14).ToArray();
        var recipientFactor = new[] { 1.0, 1.0 };
        var hasBoth = singles.Any(h => h.BasicLivelihood) && singles.Any(h => !h.BasicLivelihood);
        var sums = new double[14];
        for (var iteration = 0; iteration < 40; iteration++)
        {
            Array.Clear(sums);
            var total = 0.0;
            for (var i = 0; i < singles.Length; i++)
            {
                var w = cellFactor[cell[i]] * recipientFactor[singles[i].BasicLivelihood ? 1 : 0] * crisis[i];
                sums[cell[i]] += w;
                total += w;
            }

            for (var c = 0; c < 14; c++)
            {
                if (sums[c] > 0)
                {
                    cellFactor[c] *= target[c] / targetTotal / (sums[c] / total);
                }
            }

            if (!hasBoth)
            {
                continue;
            }

            var recipients = 0.0;
            total = 0.0;
            for (var i = 0; i < singles.Length; i++)
            {
                var w = cellFactor[cell[i]] * recipientFactor[singles[i].BasicLivelihood ? 1 : 0] * crisis[i];
                total += w;
                if (singles[i].BasicLivelihood)
                {
                    recipients += w;
                }
            }

            recipientFactor[1] *= TargetRecipientShare / (recipients / total);
            recipientFactor[0] *= (1 - TargetRecipientShare) / (1 - (recipients / total));
        }

        var mean = 0.0;
        for (var i = 0; i < singles.Length; i++)
        {
            mean += cellFactor[cell[i]] * recipientFactor[singles[i].BasicLivelihood ? 1 : 0] * crisis[i];
        }

        mean /= singles.Length;
        for (var i = 0; i < singles.Length; i++)
        {
            // The cap keeps a tiny district (one man in his 50s) from giving one person a near-certain death.
            singles[i].LonelyDeathWeight = Math.Min(40, cellFactor[cell[i]] * recipientFactor[singles[i].BasicLivelihood ? 1 : 0] / mean);
        }
    }

    /// <summary>Walks the days a lone resident is at home and draws the day of death, if any, and when it would be found.</summary>
    public void Simulate(SimHousehold h)
    {
        if (!h.LivesAlone || h.LonelyDeathWeight <= 0 || _options.LonelyDeathRiskMultiplier <= 0)
        {
            return;
        }

        var random = RandomStreams.For(_options.Seed, h.Index, RandomStream.LonelyDeath);
        var daily = BaseHazardPerYear * _options.LonelyDeathRiskMultiplier * h.LonelyDeathWeight / 365.0;
        for (var day = -LookBackDays; day <= _calendar.LastDay; day++)
        {
            if (day >= h.UnregisteredMoveDay || day >= h.DeathDay)
            {
                return;
            }

            if (day >= 0 && !AtHome(h, day))
            {
                continue;
            }

            var rate = daily * (h.InCrisisOn(day) ? CrisisFactor : 1.0);
            if (random.NextDouble() >= 1 - Math.Exp(-rate))
            {
                continue;
            }

            var discovery = day + DiscoveryDelay(random);
            if (discovery <= 0)
            {
                continue; // found before the window opened: not part of this district's history
            }

            Apply(h, day, discovery, random.Uniform(0.1, 0.9));
            return;
        }
    }

    /// <summary>
    /// Days from death to discovery: log-normal, median 14, so ~8% are found within 2 days, ~25% within a week and ~10% after
    /// two months (Korean lonely deaths are typically found by neighbours, landlords or smell after one to several weeks).
    /// </summary>
    public static int DiscoveryDelay(Random random) => Math.Max(1, (int)Math.Round(random.LogNormal(14, 1.1)));

    /// <summary>Makes a lone resident die on <paramref name="day"/>; whatever the simulation had planned after it is dropped.</summary>
    public void Apply(SimHousehold h, int day, int naturalDiscovery, double aliveFraction)
    {
        h.DeathDay = day;
        h.DeadMember = 0;
        h.DiedAlone = true;
        h.NaturalDiscoveryDay = naturalDiscovery;
        h.DiscoveryDay = naturalDiscovery;
        h.DeathDayAliveFraction = aliveFraction;
        h.Members[0].DeathDay = day;
        h.Trips.RemoveAll(t => t.End >= day);
        h.HospitalStays.RemoveAll(s => s.End >= day);
        h.CriticalCare.RemoveAll(s => s.End >= day);
        h.UnregisteredMoveDay = int.MaxValue;
        if (h.CrisisOnsetDay > day)
        {
            h.Crisis = CrisisKind.None;
            h.CrisisOnsetDay = h.CrisisEndDay = h.CrisisNaturalEndDay = int.MaxValue;
            h.Arrears.RemoveAll(e => e.FromCrisis);
        }

        // The dead start no new late payments (the bills keep being paid by direct debit until someone notices).
        var deathMonth = DistrictCalendar.MonthOf(_calendar.DateOf(day));
        h.Arrears.RemoveAll(e => e.StartMonth > deathMonth);
    }

    /// <summary>
    /// Tests and the demo rely on at least one lone resident who died 3+ days before EndDate and is still undiscovered.
    /// Above the realistic multiplier, if chance produced none, the most at-risk lone resident who is at home for the last
    /// weeks dies 3–13 days before EndDate; <paramref name="resimulate"/> re-runs the outreach so a visit may still find them,
    /// in which case the next one is tried.
    /// </summary>
    public void EnsureUndiscoveredDeath(IReadOnlyList<SimHousehold> households, Action<SimHousehold> resimulate)
    {
        var last = _calendar.LastDay;
        if (_options.LonelyDeathRiskMultiplier <= 1 || last < 8)
        {
            return;
        }

        if (households.Any(Undiscovered))
        {
            return;
        }

        var candidates = households
            .Where(h => h.LivesAlone && h.DeathDay == int.MaxValue && h.UnregisteredMoveDay == int.MaxValue)
            .OrderByDescending(h => h.LonelyDeathWeight)
            .ThenBy(h => h.Index)
            .Take(200);
        foreach (var h in candidates)
        {
            var random = RandomStreams.For(_options.Seed ^ 0x5EED, h.Index, RandomStream.LonelyDeath);
            var day = last - 3 - random.Between(0, Math.Min(10, last - 3));
            var home = true;
            for (var d = day; d <= last && home; d++)
            {
                home = AtHome(h, d);
            }

            if (!home)
            {
                continue;
            }

            Apply(h, day, last + random.Between(1, 40), random.Uniform(0.1, 0.9));
            resimulate(h);
            if (Undiscovered(h))
            {
                return;
            }
        }

        bool Undiscovered(SimHousehold h) => h.DiedAlone && h.DeathDay <= last - 3 && h.DiscoveryDay > last;
    }

    private double CrisisShareOfWindow(SimHousehold h)
    {
        if (h.Crisis == CrisisKind.None)
        {
            return 0;
        }

        var from = Math.Max(-LookBackDays, h.CrisisOnsetDay);
        var to = Math.Min(_calendar.Days, h.CrisisNaturalEndDay);
        return Math.Max(0, to - from) / (double)(_calendar.Days + LookBackDays);
    }

    private static bool AtHome(SimHousehold h, int day)
    {
        foreach (var t in h.Trips)
        {
            if (t.Contains(day))
            {
                return false;
            }
        }

        foreach (var s in h.HospitalStays)
        {
            if (s.Contains(day))
            {
                return false;
            }
        }

        return day < h.UnregisteredMoveDay;
    }
}
