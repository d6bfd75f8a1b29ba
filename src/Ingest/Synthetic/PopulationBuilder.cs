using System.Globalization;

namespace RiskWatch.Ingest.Synthetic;

/// <summary>
/// Draws who lives in each household: composition, ages, names, housing, welfare status, phones, meters and the
/// household's own electricity and water routine. Sources of the proportions are in README.md.
/// </summary>
internal sealed class PopulationBuilder
{
    // Household size 1..6, Statistics Korea 2023 census: 35.5 / 28.8 / 19.0 / 14.1 / 2.6 (5+) % → mean 2.2.
    private static readonly double[] SizeWeights = [35.5, 28.8, 19.0, 14.1, 2.2, 0.4];

    // Single-person households by age of the person (2023): 20s 19.2%, 30s 17.3%, 40s 12.6%, 50s 15.6%, 60s 16.7%,
    // 70s 10.9%, 80+ 7.4%. With these, lone elderly (65+) are ~9–10% of all households.
    private static readonly double[] SingleAgeBandWeights = [19.5, 17.3, 12.6, 15.6, 16.7, 10.9, 7.4];
    private static readonly int[] SingleAgeBandLow = [19, 30, 40, 50, 60, 70, 80];

    // Men dominate lone households up to the 50s; lone elderly are mostly women (widows).
    private static readonly double[] SingleMaleShare = [0.52, 0.60, 0.62, 0.58, 0.45, 0.28, 0.18];

    // Basic livelihood (기초생활보장) among lone households by the same age bands; ~70% of recipient households live alone.
    private static readonly double[] SingleBasicLivelihood = [0.03, 0.05, 0.10, 0.13, 0.16, 0.20, 0.22];

    // Housing: apartment, rowhouse, detached, officetel, gosiwon, basement, rooftop, other.
    private static readonly double[] HousingMulti = [62, 17, 13, 3, 0, 2.5, 0.5, 2];
    private static readonly double[] HousingSingleYoung = [30, 15, 13, 25, 7, 4, 3, 3];
    private static readonly double[] HousingSingleMiddle = [35, 20, 20, 8, 6, 5, 2, 4];
    private static readonly double[] HousingSingleOld = [38, 20, 28, 2, 2, 5, 1, 4];

    // Monthly kWh by household size (KEPCO/KEEI household surveys: ~230 for one person, ~307 for four).
    private static readonly double[] MonthlyKwhBySize = [230, 262, 288, 307, 322, 335];
    private static readonly double[] HousingKwhFactor = [1.0, 1.0, 1.08, 0.85, 0.55, 0.95, 1.0, 1.0];

    // Correction for the housing factors and log-normal level so the means per size match the table above;
    // measured over large districts (see README).
    private const double KwhCalibration = 1.03;

    private static readonly double[] SmartMeterByHousing = [0.975, 0.96, 0.92, 0.97, 0.93, 0.93, 0.92, 0.94];
    private static readonly double[] WaterMeterByHousing = [0.40, 0.18, 0.16, 0.35, 0.05, 0.15, 0.15, 0.15];

    private readonly DistrictOptions _options;
    private readonly DateOnly _start;
    private readonly DongProfile[] _dongs;
    private readonly int[] _dongFirstHousehold;

    public PopulationBuilder(DistrictOptions options)
    {
        _options = options;
        _start = options.StartDate;
        var random = RandomStreams.For(options.Seed, 0, RandomStream.District);
        _dongs = new DongProfile[options.Dongs];
        var weights = new double[options.Dongs];
        for (var i = 0; i < options.Dongs; i++)
        {
            // Dongs differ in size and in how deprived they are (old rowhouse areas vs new apartment blocks).
            weights[i] = random.Uniform(0.6, 1.4);
            _dongs[i] = new DongProfile(DongCodes.For(options.DistrictCode, i), RoadNames.ForDong(random), random.Uniform(0.7, 1.5));
        }

        // Households are numbered dong by dong, as a registry extract sorted by dong would be.
        _dongFirstHousehold = new int[options.Dongs + 1];
        var total = weights.Sum();
        var cumulative = 0.0;
        for (var i = 0; i < options.Dongs; i++)
        {
            _dongFirstHousehold[i] = (int)Math.Round(cumulative / total * options.Households);
            cumulative += weights[i];
        }

        _dongFirstHousehold[options.Dongs] = options.Households;
    }

    public double Deprivation(int dongIndex) => _dongs[dongIndex].Deprivation;

    public SimHousehold Build(int index)
    {
        var random = RandomStreams.For(_options.Seed, index, RandomStream.Household);
        var dongIndex = DongOf(index);
        var dong = _dongs[dongIndex];
        var people = Compose(random);
        var head = people[0];
        var single = people.Count == 1;

        var basicLivelihood = random.Chance(Math.Min(0.6, dong.Deprivation * (single
            ? SingleBasicLivelihood[AgeBand(head.Age)]
            : head.Age >= 65 && people.Count == 2 ? 0.04 : 0.015)));
        var nearPoverty = !basicLivelihood && random.Chance(single ? 0.04 : 0.02);
        var housing = DrawHousing(random, single, head.Age, basicLivelihood, dong.Deprivation);
        var publicRental = housing == Housing.Apartment && random.Chance(basicLivelihood ? 0.45 : 0.05);

        var surname = KoreanNames.Surname(random);
        var spouseSurname = KoreanNames.Surname(random);
        // Children carry the father's surname.
        var childSurname = head.Sex == 'M' || people.Count < 2 || people[1].Relation != Relation.Spouse ? surname : spouseSurname;
        var members = new SimPerson[people.Count];
        for (var i = 0; i < people.Count; i++)
        {
            var p = people[i];
            var family = p.Relation switch
            {
                Relation.Head => surname,
                Relation.Child => childSurname,
                _ => KoreanNames.Surname(random),
            };
            members[i] = MakePerson(random, p, family, i == 0);
        }

        var hasSmartMeter = random.Chance(SmartMeterByHousing[(int)housing]);
        if (!hasSmartMeter && !members.Any(m => m.HasLine))
        {
            // Neither a smart meter nor a phone would make the household invisible to usage monitoring, which is out of
            // scope of the flatline lane; such households are not generated (see README).
            hasSmartMeter = true;
        }

        var hasWorker = members.Any(m => m.Works);
        var size = Math.Min(members.Length, MonthlyKwhBySize.Length);
        var meanKwh = MonthlyKwhBySize[size - 1] / 30.44 * HousingKwhFactor[(int)housing] * KwhCalibration
            * random.MeanOneFactor(0.3);
        var standby = housing == Housing.Gosiwon ? random.Uniform(0.3, 0.8) : random.Uniform(0.8, 2.0);
        standby = Math.Min(standby, 0.3 * meanKwh);
        var activeHours = single
            ? (members[0].Works ? random.Uniform(6, 10) : random.Uniform(11, 16))
            : random.Uniform(11, 17);

        return new SimHousehold
        {
            Index = index,
            Id = "H" + (index + 1).ToString("D8", CultureInfo.InvariantCulture),
            DongIndex = dongIndex,
            DongCode = dong.Code,
            Address = string.Create(CultureInfo.InvariantCulture,
                $"{_options.DistrictName} {dong.Roads[random.Next(dong.Roads.Length)]} {random.Between(1, 400)}"),
            Housing = housing,
            Members = members,
            BasicLivelihood = basicLivelihood,
            NearPoverty = nearPoverty,
            PublicRental = publicRental,
            HasSmartMeter = hasSmartMeter,
            HasWaterMeter = random.Chance(WaterMeterByHousing[(int)housing]),
            MeanKwh = meanKwh,
            StandbyKwh = standby,
            BaseActiveHours = activeHours,
            HasWorker = hasWorker,
            MeanLiters = 145 * Math.Pow(members.Length, 0.8) * random.MeanOneFactor(0.3),
        };
    }

    public static int AgeBand(int age) => age switch
    {
        < 30 => 0,
        < 40 => 1,
        < 50 => 2,
        < 60 => 3,
        < 70 => 4,
        < 80 => 5,
        _ => 6,
    };

    private int DongOf(int index)
    {
        var dong = 0;
        while (dong + 1 < _dongs.Length && index >= _dongFirstHousehold[dong + 1])
        {
            dong++;
        }

        return dong;
    }

    private static List<Draft> Compose(Random random)
    {
        var size = random.Pick(SizeWeights) + 1;
        var people = new List<Draft>(size);
        if (size == 1)
        {
            var band = random.Pick(SingleAgeBandWeights);
            var age = band == 6
                ? 80 + (int)(15 * Math.Pow(random.NextDouble(), 2)) // fewer of each older year
                : random.Between(SingleAgeBandLow[band], SingleAgeBandLow[band] + 9);
            people.Add(new Draft(age, random.Chance(SingleMaleShare[band]) ? 'M' : 'F', Relation.Head));
            return people;
        }

        if (size == 2 && random.Chance(0.42))
        {
            // Parent and child: single parents (mostly mothers) and elderly parents living with an adult child.
            var age = random.Pick([0.30, 0.35, 0.35]) switch
            {
                0 => random.Between(35, 49),
                1 => random.Between(50, 64),
                _ => random.Between(65, 90),
            };
            people.Add(new Draft(age, random.Chance(0.4) ? 'M' : 'F', Relation.Head));
            var childAge = Math.Max(0, age - (age >= 65 ? random.Between(25, 38) : random.Between(22, 36)));
            people.Add(new Draft(childAge, RandomSex(random), Relation.Child));
            return people;
        }

        int headAge;
        if (size == 2)
        {
            headAge = random.Pick([0.18, 0.27, 0.35, 0.20]) switch
            {
                0 => random.Between(25, 39),
                1 => random.Between(40, 59),
                2 => random.Between(60, 74),
                _ => random.Between(75, 90),
            };
        }
        else
        {
            headAge = random.Pick([0.28, 0.38, 0.26, 0.08]) switch
            {
                0 => random.Between(28, 39),
                1 => random.Between(40, 49),
                2 => random.Between(50, 59),
                _ => random.Between(60, 75),
            };
        }

        var shape = size == 2 ? Shape.Couple : (Shape)random.Pick([0.80, 0.12, 0.08]);
        var headSex = shape == Shape.SingleParent
            ? (random.Chance(0.25) ? 'M' : 'F')
            : (random.Chance(0.85) ? 'M' : 'F'); // the registry head of a couple is usually the husband
        people.Add(new Draft(headAge, headSex, Relation.Head));
        var children = size - 1;
        if (shape != Shape.SingleParent)
        {
            var gap = random.Between(0, 5);
            var spouseAge = Math.Max(20, headSex == 'M' ? headAge - gap : headAge + gap);
            people.Add(new Draft(spouseAge, headSex == 'M' ? 'F' : 'M', Relation.Spouse));
            children--;
        }

        if (shape == Shape.ThreeGenerations && children > 0)
        {
            people.Add(new Draft(Math.Min(98, headAge + random.Between(24, 34)), random.Chance(0.3) ? 'M' : 'F', Relation.Parent));
            children--;
        }

        for (var i = 0; i < children; i++)
        {
            var childAge = headAge >= 55
                ? random.Between(18, 30)
                : random.Between(0, Math.Max(0, Math.Min(headAge - 22, 30)));
            people.Add(new Draft(childAge, RandomSex(random), Relation.Child));
        }

        return people;
    }

    private static char RandomSex(Random random) => random.Chance(0.51) ? 'M' : 'F';

    private static Housing DrawHousing(Random random, bool single, int age, bool basicLivelihood, double deprivation)
    {
        var table = !single ? HousingMulti : age < 40 ? HousingSingleYoung : age < 65 ? HousingSingleMiddle : HousingSingleOld;
        Span<double> weights = stackalloc double[table.Length];
        table.CopyTo(weights);
        // Poorer dongs and recipients live more often in 고시원, 반지하 and 옥탑방; recipients also in public rental blocks.
        var vulnerable = deprivation * (basicLivelihood ? 2.0 : 1.0);
        weights[(int)Housing.Gosiwon] *= vulnerable;
        weights[(int)Housing.Basement] *= vulnerable;
        weights[(int)Housing.Rooftop] *= vulnerable;
        if (basicLivelihood)
        {
            weights[(int)Housing.Apartment] *= 1.2;
            weights[(int)Housing.Officetel] *= 0.4;
        }

        return (Housing)random.Pick(weights);
    }

    private SimPerson MakePerson(Random random, Draft draft, string surname, bool isHead)
    {
        var birth = _start.AddYears(-draft.Age).AddDays(-random.Next(0, 365));
        var age = draft.Age;
        // Nearly everyone from 12 has a mobile line; some children of 10–11; 3–5% of the very old have none.
        var hasLine = age switch
        {
            < 10 => false,
            < 12 => random.Chance(0.5),
            < 65 => random.Chance(0.99),
            < 75 => random.Chance(0.985),
            _ => random.Chance(0.965),
        };
        var featurePhone = hasLine && age >= 65 && random.Chance(age >= 75 ? 0.18 : 0.05);
        var (callsOut, callsIn, sms, data) = age switch
        {
            < 20 => (0.8, 1.0, 1.5, 1800.0),
            < 40 => (1.8, 1.8, 1.2, 1500.0),
            < 60 => (3.0, 2.8, 1.0, 800.0),
            < 75 => (2.2, 2.2, 0.6, 300.0),
            _ => (1.5, 1.8, 0.3, 80.0),
        };
        var sociability = random.MeanOneFactor(0.4);
        var works = age is >= 20 and < 65 && random.Chance(isHead ? 0.72 : 0.55);
        return new SimPerson
        {
            BirthDate = birth,
            Sex = draft.Sex,
            Name = surname + KoreanNames.GivenName(random, draft.Sex, birth.Year),
            IsHead = isHead,
            HasLine = hasLine,
            FeaturePhone = featurePhone,
            CallsOutRate = callsOut * sociability,
            CallsInRate = callsIn * random.MeanOneFactor(0.35),
            SmsRate = sms * random.MeanOneFactor(0.5) * (featurePhone ? 0.5 : 1.0),
            DataMedianMb = featurePhone ? 0.4 : data * random.LogNormal(1.0, 0.6),
            Works = works,
            // About one in ten lines is not on file with the registry.
            PhoneListed = hasLine && random.Chance(0.9),
        };
    }

    private enum Relation { Head, Spouse, Child, Parent }

    private enum Shape { Couple, ThreeGenerations, SingleParent }

    private readonly record struct Draft(int Age, char Sex, Relation Relation);

    private sealed record DongProfile(string Code, string[] Roads, double Deprivation);
}
