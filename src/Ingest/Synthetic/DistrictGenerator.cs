namespace RiskWatch.Ingest.Synthetic;

/// <summary>Generates a synthetic district: every feed file of the window plus the ground truth behind them.</summary>
public static class DistrictGenerator
{
    /// <summary>Writes every feed file for the window into inboxDir (created if missing) and returns the ground truth.</summary>
    public static DistrictTruth Generate(DistrictOptions options, string inboxDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(inboxDir);
        options.Validate();
        Directory.CreateDirectory(inboxDir);

        var calendar = new DistrictCalendar(options.StartDate, options.Days);
        var households = Simulate(options, calendar, cancellationToken);

        // The three writers touch disjoint files and only read the simulation, so they can share the two cores.
        var usage = new UsageWriter(options.Seed, calendar, households, inboxDir);
        var events = new EventFeedWriter(calendar, households, inboxDir);
        Task.WhenAll(
                Task.Run(() => usage.WriteTelecom(cancellationToken), cancellationToken),
                Task.Run(() => usage.WriteElectricityAndWater(cancellationToken), cancellationToken),
                Task.Run(() => events.WriteAll(cancellationToken), cancellationToken))
            .GetAwaiter().GetResult();

        return new DistrictTruth(options, households.Select(h => Truth(h, calendar)).ToArray());
    }

    internal static SimHousehold[] Simulate(DistrictOptions options, DistrictCalendar calendar, CancellationToken cancellationToken)
    {
        // Phases run over all households in turn: the lonely-death hazard is calibrated on the whole district and the
        // outreach needs each household's final latent state. Within a phase every household uses only its own random
        // streams and writes only itself, so a phase may run in parallel and still give the same district every time.
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        var population = new PopulationBuilder(options);
        var households = new SimHousehold[options.Households];
        Parallel.For(0, households.Length, parallel, i => households[i] = population.Build(i));

        // Uniqueness of identifiers is checked in household order, so this one pass stays sequential.
        IdentityAssigner.Assign(options.Seed, households);
        var life = new LifeSimulator(options, calendar, population);
        Parallel.ForEach(households, parallel, life.Simulate);

        var lonelyDeaths = new LonelyDeathModel(options, calendar);
        lonelyDeaths.Calibrate(households);
        Parallel.ForEach(households, parallel, lonelyDeaths.Simulate);

        var outreach = new OutreachSimulator(options, calendar);
        Parallel.ForEach(households, parallel, outreach.Run);
        lonelyDeaths.EnsureUndiscoveredDeath(households, outreach.Run);
        cancellationToken.ThrowIfCancellationRequested();
        return households;
    }

    private static HouseholdTruth Truth(SimHousehold h, DistrictCalendar calendar)
    {
        DateOnly? death = h.DeathDay == int.MaxValue ? null : calendar.DateOf(h.DeathDay);
        DateOnly? discovered = h.DiedAlone
            ? (h.DiscoveryDay <= calendar.LastDay ? calendar.DateOf(h.DiscoveryDay) : null)
            : death;
        return new HouseholdTruth(
            h.Id,
            h.DongCode,
            h.Members.Length,
            h.LivesAlone,
            h.Head.AgeOn(calendar.Start),
            h.Head.Sex,
            SimText.Housing(h.Housing),
            h.BasicLivelihood,
            h.HasSmartMeter,
            h.HasWaterMeter,
            h.Members.Count(m => m.HasLine),
            h.Crisis == CrisisKind.None ? null : calendar.DateOf(h.CrisisOnsetDay),
            death,
            h.DiedAlone,
            discovered,
            h.Trips.Select(t => Range(t, calendar)).ToArray(),
            h.HospitalStays.Select(s => Range(s, calendar)).ToArray(),
            h.UnregisteredMoveDay == int.MaxValue ? null : calendar.DateOf(h.UnregisteredMoveDay));
    }

    private static DateRange Range(DayRange range, DistrictCalendar calendar) =>
        new(calendar.DateOf(Math.Max(0, range.Start)), calendar.DateOf(Math.Min(calendar.LastDay, range.End)));
}
