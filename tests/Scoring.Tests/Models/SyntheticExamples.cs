using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

[assembly: AssemblyFixture(typeof(RiskWatch.Scoring.Tests.Models.TrainedModelFixture))]
[assembly: AssemblyFixture(typeof(RiskWatch.Scoring.Tests.Models.BlendedModelFixture))]

namespace RiskWatch.Scoring.Tests.Models;

/// <summary>
/// Training examples drawn in memory: every feature is noise except two, health-insurance arrears and days at standby,
/// which set the true probability of the label through a logistic curve.
/// </summary>
public static class SyntheticExamples
{
    public static readonly DateOnly FirstAsOf = new(2026, 1, 5);

    public const int DaysBetweenAsOfDates = 30;

    public static List<TrainingExample> Create(int households, int asOfDates, int seed, double intercept = -7)
    {
        var random = new Random(seed);
        var arrears = FeatureSchema.IndexOf("arrears_months_health_insurance");
        var flat = FeatureSchema.IndexOf("elec_flat_days");
        var examples = new List<TrainingExample>(households * asOfDates);
        for (var date = 0; date < asOfDates; date++)
        {
            var asOf = FirstAsOf.AddDays(date * DaysBetweenAsOfDates);
            for (var household = 0; household < households; household++)
            {
                var features = new float[FeatureSchema.Count];
                for (var i = 0; i < features.Length; i++)
                {
                    features[i] = random.Next(0, 4);
                }

                features[arrears] = random.Next(0, 7);
                features[flat] = random.Next(0, 8);
                var probability = 1 / (1 + Math.Exp(-(intercept + features[arrears] + (0.8 * features[flat]))));
                examples.Add(new TrainingExample(
                    $"hh-{household:D5}", "2826051000", asOf, features, random.NextDouble() < probability));
            }
        }

        return examples;
    }

    /// <summary>A row the true model finds very risky.</summary>
    public static float[] RiskyRow()
    {
        var features = new float[FeatureSchema.Count];
        Array.Fill(features, 1f);
        features[FeatureSchema.IndexOf("arrears_months_health_insurance")] = 6;
        features[FeatureSchema.IndexOf("elec_flat_days")] = 7;
        return features;
    }
}

/// <summary>One model trained on <see cref="SyntheticExamples"/>, trained once for the assembly and shared by the tests that only read it.</summary>
public sealed class TrainedModelFixture
{
    public TrainedModelFixture()
    {
        Examples = SyntheticExamples.Create(households: 2_000, asOfDates: 8, seed: 11);
        Model = RiskModelTrainer.Train(ModelTarget.Crisis, Examples, new TrainingOptions());
    }

    public List<TrainingExample> Examples { get; }

    public RiskModel Model { get; }
}

/// <summary>The same examples as <see cref="TrainedModelFixture"/>, trained as the FastTree + LightGbm blend (`--lightgbm`).</summary>
public sealed class BlendedModelFixture
{
    public BlendedModelFixture()
    {
        Examples = SyntheticExamples.Create(households: 2_000, asOfDates: 8, seed: 11);
        Model = RiskModelTrainer.Train(ModelTarget.Crisis, Examples, new TrainingOptions { BlendLightGbm = true });
    }

    public List<TrainingExample> Examples { get; }

    public RiskModel Model { get; }
}
