using System.CommandLine;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Detector.Cli;

/// <summary>The synthetic district's size and seed, shared by `demo` and `generate`.</summary>
internal sealed class DistrictOptionsBinding
{
    public Option<int> Households { get; } = new("--households") { Description = "Households in the district", DefaultValueFactory = _ => 20_000 };
    public Option<int> Dongs { get; } = new("--dongs") { Description = "Dongs (읍면동) in the district", DefaultValueFactory = _ => 12 };
    public Option<int> Days { get; } = new("--days") { Description = "Days of history", DefaultValueFactory = _ => 180 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Random seed (same seed, same district)", DefaultValueFactory = _ => 1 };

    public Option<double> LonelyDeathMultiplier { get; }

    public DistrictOptionsBinding(double defaultMultiplier)
    {
        LonelyDeathMultiplier = new Option<double>("--lonely-death-multiplier")
        {
            Description = "Multiplier on the realistic lonely-death hazard (1 = ~0.05%/year of one-person households)",
            DefaultValueFactory = _ => defaultMultiplier,
        };
    }

    public void AddTo(Command command)
    {
        command.Add(Households);
        command.Add(Dongs);
        command.Add(Days);
        command.Add(Seed);
        command.Add(LonelyDeathMultiplier);
    }

    public DistrictOptions Read(ParseResult parse, DateOnly endDate)
    {
        var households = parse.GetValue(Households);
        var dongs = parse.GetValue(Dongs);
        var days = parse.GetValue(Days);
        if (households < 1 || dongs < 1 || dongs > 99 || days < 1)
        {
            throw new ArgumentException("--households ≥ 1, --dongs 1–99 and --days ≥ 1 are required.");
        }

        return new DistrictOptions
        {
            Households = households,
            Dongs = dongs,
            Days = days,
            EndDate = endDate,
            Seed = parse.GetValue(Seed),
            LonelyDeathRiskMultiplier = parse.GetValue(LonelyDeathMultiplier),
        };
    }
}
