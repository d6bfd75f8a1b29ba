using RiskWatch.Scoring.Audit;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Audit;

public sealed class BiasAuditTests
{
    [Fact]
    public void Rates_per_group_follow_the_confusion_matrix_and_the_largest_group_is_the_reference()
    {
        // Women (60 rows): 10 positives, 8 flagged of them, 6 negatives flagged. Men (40 rows): 10 positives, 4 flagged, 12 negatives flagged.
        var scored = new List<ScoredExample>();
        Add(scored, male: false, positives: 10, flaggedPositives: 8, negatives: 50, flaggedNegatives: 6);
        Add(scored, male: true, positives: 10, flaggedPositives: 4, negatives: 30, flaggedNegatives: 12);

        var rows = BiasAudit.Run(scored, threshold: 0.5).Where(r => r.Attribute == "sex").ToDictionary(r => r.Group);

        var women = rows["female"];
        var men = rows["male"];
        Assert.True(women.IsReference);
        Assert.False(men.IsReference);
        Assert.Equal(0.8, women.Tpr, 9);
        Assert.Equal(6 / 50.0, women.Fpr, 9);
        Assert.Equal(6 / 14.0, women.Fdr, 9);
        Assert.Equal(2 / 46.0, women.For, 9);
        Assert.Equal(14 / 60.0, women.PredictedPositiveRate, 9);
        Assert.Equal(0.4, men.Tpr, 9);
        Assert.Equal(0.4 / 0.8, men.TprDisparity, 9);
        Assert.Equal((12 / 30.0) / (6 / 50.0), men.FprDisparity, 9);
        Assert.Contains("tpr", men.Flags);
        Assert.Contains("fpr", men.Flags);
        Assert.Empty(women.Flags);
    }

    [Fact]
    public void A_group_treated_like_the_reference_is_not_flagged()
    {
        var scored = new List<ScoredExample>();
        Add(scored, male: false, positives: 10, flaggedPositives: 5, negatives: 90, flaggedNegatives: 9);
        Add(scored, male: true, positives: 5, flaggedPositives: 3, negatives: 45, flaggedNegatives: 4);

        var men = BiasAudit.Run(scored, threshold: 0.5).Single(r => r.Attribute == "sex" && r.Group == "male");

        // TPR 0.6 vs 0.5 → 1.2, FPR 0.089 vs 0.1 → 0.89: inside [0.8, 1.25].
        Assert.DoesNotContain(men.Flags, f => f is "tpr" or "fpr");
    }

    [Fact]
    public void Every_attribute_is_audited_and_age_housing_and_dong_come_from_the_example()
    {
        var features = new float[FeatureSchema.Count];
        features[FeatureSchema.IndexOf("head_age")] = 81;
        features[FeatureSchema.IndexOf("housing_basement")] = 1;
        var example = new TrainingExample("hh-1", "2826052000", new DateOnly(2026, 5, 1), features, true);

        var rows = BiasAudit.Run([new ScoredExample(example, 0.9f)], threshold: 0.5);

        Assert.Equal(["sex", "age_band", "housing", "dong"], rows.Select(r => r.Attribute));
        Assert.Equal(["female", "80+", "basement", "2826052000"], rows.Select(r => r.Group));
        Assert.All(rows, r => Assert.True(r.IsReference));
    }

    private static void Add(List<ScoredExample> scored, bool male, int positives, int flaggedPositives, int negatives, int flaggedNegatives)
    {
        var features = new float[FeatureSchema.Count];
        features[FeatureSchema.IndexOf("head_male")] = male ? 1 : 0;
        features[FeatureSchema.IndexOf("head_age")] = 50;
        for (var i = 0; i < positives + negatives; i++)
        {
            var positive = i < positives;
            var flagged = positive ? i < flaggedPositives : i - positives < flaggedNegatives;
            var example = new TrainingExample($"hh-{(male ? 'm' : 'f')}{i:D3}", "2826051000", new DateOnly(2026, 5, 1), features, positive);
            scored.Add(new ScoredExample(example, flagged ? 0.9f : 0.1f));
        }
    }
}
