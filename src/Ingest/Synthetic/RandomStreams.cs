namespace RiskWatch.Ingest.Synthetic;

/// <summary>The independent random streams of a district; each household gets its own instance of each.</summary>
internal enum RandomStream
{
    District = 1,
    Household,
    Identity,
    Life,
    LonelyDeath,
    Outreach,
    Electricity,
    Water,
    Telecom,
}

/// <summary>
/// Seeds for <see cref="Random"/> derived from (seed, household index, stream), so a household's draws never depend on how
/// many draws another household made or on the order households are visited in. <c>new Random(int)</c> uses the
/// legacy seeded algorithm, which .NET keeps stable across versions precisely for reproducible seeded sequences.
/// </summary>
internal static class RandomStreams
{
    public static Random For(int seed, int index, RandomStream stream) => new(Derive(seed, index, stream));

    public static int Derive(int seed, int index, RandomStream stream)
    {
        var x = Mix((ulong)(uint)seed + 0x9E3779B97F4A7C15UL);
        x = Mix(x ^ (ulong)(uint)index);
        x = Mix(x ^ ((ulong)stream * 0xD1B54A32D192ED03UL));
        return (int)(x & 0x7FFF_FFFF);
    }

    // SplitMix64 finaliser: neighbouring inputs give unrelated outputs.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>The few distributions the simulation needs, on top of <see cref="Random"/>.</summary>
internal static class RandomExtensions
{
    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static double Uniform(this Random random, double min, double max) => min + ((max - min) * random.NextDouble());

    /// <summary>Inclusive on both ends.</summary>
    public static int Between(this Random random, int min, int max) => random.Next(min, max + 1);

    public static double Gaussian(this Random random)
    {
        // Box–Muller; 1 - u keeps the logarithm finite.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Two independent standard normals from one Box–Muller draw.</summary>
    public static (double First, double Second) GaussianPair(this Random random)
    {
        var radius = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble()));
        var (sin, cos) = Math.SinCos(2.0 * Math.PI * random.NextDouble());
        return (radius * cos, radius * sin);
    }

    /// <summary>Log-normal with the given median and log-scale sigma.</summary>
    public static double LogNormal(this Random random, double median, double sigma) =>
        median * Math.Exp(sigma * random.Gaussian());

    /// <summary>Log-normal factor whose mean (not median) is 1.</summary>
    public static double MeanOneFactor(this Random random, double sigma) =>
        Math.Exp((sigma * random.Gaussian()) - (sigma * sigma / 2));

    public static int Poisson(this Random random, double lambda)
    {
        if (lambda <= 0)
        {
            return 0;
        }

        if (lambda > 30)
        {
            return Math.Max(0, (int)Math.Round(lambda + (Math.Sqrt(lambda) * random.Gaussian())));
        }

        // Inversion with one uniform: cheap for the small daily rates used here (one draw per call, not one per event).
        var u = random.NextDouble();
        var p = Math.Exp(-lambda);
        var cumulative = p;
        var count = 0;
        while (u > cumulative && count < 200)
        {
            count++;
            p *= lambda / count;
            cumulative += p;
        }

        return count;
    }

    /// <summary>Index drawn with the given (not necessarily normalised) weights.</summary>
    public static int Pick(this Random random, ReadOnlySpan<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var target = random.NextDouble() * total;
        for (var i = 0; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target < 0)
            {
                return i;
            }
        }

        return weights.Length - 1;
    }

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
