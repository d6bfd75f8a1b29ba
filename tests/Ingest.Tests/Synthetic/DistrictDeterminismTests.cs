using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Ingest.Tests.Synthetic;

public sealed class DistrictDeterminismTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("riskwatch-synthetic-seed-").FullName;

    private static DistrictOptions Small(int seed) => new()
    {
        Households = 600,
        Dongs = 3,
        Days = 45,
        EndDate = new DateOnly(2026, 3, 10),
        Seed = seed,
        LonelyDeathRiskMultiplier = 50,
    };

    [Fact]
    public void Same_seed_writes_identical_files()
    {
        var first = Path.Combine(_root, "a");
        var second = Path.Combine(_root, "b");
        var truthA = DistrictGenerator.Generate(Small(3), first, TestContext.Current.CancellationToken);
        var truthB = DistrictGenerator.Generate(Small(3), second, TestContext.Current.CancellationToken);

        var names = Names(first);
        Assert.Equal(names, Names(second));
        Assert.True(names.Length > 3 * 45);
        foreach (var name in names)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(first, name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, name))),
                $"{name} differs between two runs with the same seed");
        }

        truthA.WriteCsv(Path.Combine(_root, "truth-a.csv"));
        truthB.WriteCsv(Path.Combine(_root, "truth-b.csv"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "truth-a.csv")), File.ReadAllBytes(Path.Combine(_root, "truth-b.csv")));
    }

    [Fact]
    public void Another_seed_writes_another_district()
    {
        var first = Path.Combine(_root, "a");
        var second = Path.Combine(_root, "b");
        DistrictGenerator.Generate(Small(3), first, TestContext.Current.CancellationToken);
        DistrictGenerator.Generate(Small(4), second, TestContext.Current.CancellationToken);
        var name = Path.GetFileName(Directory.GetFiles(first, "usage_electricity_*.csv")[0]);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, name)), File.ReadAllBytes(Path.Combine(second, name)));
    }

    [Fact]
    public void Truth_is_never_written_into_the_inbox()
    {
        var inbox = Path.Combine(_root, "inbox");
        var truth = DistrictGenerator.Generate(Small(5), inbox, TestContext.Current.CancellationToken);
        Assert.All(Names(inbox), n => Assert.Matches("^[a-z_]+_[0-9]{8}\\.csv$", n));
        Assert.Equal(600, truth.Households.Count);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_anything_is_written()
    {
        var inbox = Path.Combine(_root, "never");
        Assert.Throws<ArgumentException>(() => DistrictGenerator.Generate(Small(1) with { DistrictCode = "2824" }, inbox, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistrictGenerator.Generate(Small(1) with { Days = 0 }, inbox, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistrictGenerator.Generate(Small(1) with { LonelyDeathRiskMultiplier = -1 }, inbox, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(inbox));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail tests that passed.
        }
    }

    private static string[] Names(string directory) =>
        Directory.GetFiles(directory).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
}
