using System.Globalization;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Audit;

/// <summary>
/// Group fairness of a model at its operating threshold, as aequitas measures it: per group of sex, age band, housing type
/// and dong, the confusion-matrix rates and their ratio to a reference group, flagged outside
/// [<see cref="DisparityLow"/>, <see cref="DisparityHigh"/>] (the "80% rule" and its inverse).
/// </summary>
/// <remarks>
/// The reference group of each attribute is its largest group (aequitas's "majority" default), so a ratio reads "how this
/// group is treated compared with most households". Groups are read back from the feature vector (head_male, head_age,
/// housing_*), so the audit needs nothing but the examples the validation scored — and keeps no personal data.
/// </remarks>
public static class BiasAudit
{
    public const double DisparityLow = 0.8;
    public const double DisparityHigh = 1.25;

    public static readonly IReadOnlyList<string> Attributes = ["sex", "age_band", "housing", "dong"];

    /// <summary>The audit of scored examples with "flagged" meaning probability ≥ <paramref name="threshold"/>.</summary>
    public static IReadOnlyList<BiasAuditRow> Run(IReadOnlyList<ScoredExample> scored, double threshold)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var rows = new List<BiasAuditRow>();
        foreach (var attribute in Attributes)
        {
            var groups = scored
                .GroupBy(s => GroupOf(attribute, s.Example), StringComparer.Ordinal)
                .Select(g => Count(attribute, g.Key, g, threshold))
                .OrderBy(g => g.Group, StringComparer.Ordinal)
                .ToArray();
            if (groups.Length == 0)
            {
                continue;
            }

            // Largest group; on equal size the first by name, so the reference never depends on input order.
            var reference = groups.OrderByDescending(g => g.Count).ThenBy(g => g.Group, StringComparer.Ordinal).First();
            foreach (var g in groups)
            {
                rows.Add(g with
                {
                    IsReference = ReferenceEquals(g, reference),
                    TprDisparity = Ratio(g.Tpr, reference.Tpr),
                    FprDisparity = Ratio(g.Fpr, reference.Fpr),
                    FdrDisparity = Ratio(g.Fdr, reference.Fdr),
                    ForDisparity = Ratio(g.For, reference.For),
                    PrecisionDisparity = Ratio(g.Precision, reference.Precision),
                    PredictedPositiveRateDisparity = Ratio(g.PredictedPositiveRate, reference.PredictedPositiveRate),
                });
            }
        }

        return rows;
    }

    /// <summary>The group of an example under one attribute, e.g. ("age_band", …) → "65+".</summary>
    public static string GroupOf(string attribute, TrainingExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        var f = example.Features;
        return attribute switch
        {
            "sex" => f[(int)Feature.head_male] > 0.5f ? "male" : "female",
            "age_band" => f[(int)Feature.head_age] switch
            {
                < 0 => "unknown",
                < 40 => "<40",
                < 65 => "40-64",
                < 80 => "65-79",
                _ => "80+",
            },
            "housing" => f[(int)Feature.housing_gosiwon] > 0.5f ? "gosiwon"
                : f[(int)Feature.housing_basement] > 0.5f ? "basement"
                : f[(int)Feature.housing_rooftop] > 0.5f ? "rooftop"
                : "ordinary",
            "dong" => example.DongCode,
            _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, "Not an audited attribute."),
        };
    }

    private static BiasAuditRow Count(string attribute, string group, IEnumerable<ScoredExample> members, double threshold)
    {
        int tp = 0, fp = 0, tn = 0, fn = 0;
        foreach (var m in members)
        {
            var flagged = m.Probability >= threshold;
            var positive = m.Example.Label;
            if (flagged && positive) tp++;
            else if (flagged) fp++;
            else if (positive) fn++;
            else tn++;
        }

        var n = tp + fp + tn + fn;
        return new BiasAuditRow(
            attribute, group, n, tp + fn, tp + fp,
            Tpr: Rate(tp, tp + fn), Fpr: Rate(fp, fp + tn), Fdr: Rate(fp, tp + fp), For: Rate(fn, fn + tn),
            Precision: Rate(tp, tp + fp), PredictedPositiveRate: Rate(tp + fp, n));
    }

    private static double Rate(int part, int whole) => whole == 0 ? double.NaN : (double)part / whole;

    // NaN when either side is undefined or the reference is 0: a ratio to nothing says nothing, and is not flagged.
    private static double Ratio(double value, double reference) =>
        double.IsNaN(value) || double.IsNaN(reference) || reference == 0 ? double.NaN : value / reference;
}

/// <summary>
/// One group of one attribute in a <see cref="BiasAudit"/>: its counts, rates and disparities (rate ÷ the reference group's
/// rate). NaN where a rate has no denominator in this group (e.g. TPR of a group without positives).
/// </summary>
/// <param name="Positives">Rows whose label is positive.</param>
/// <param name="PredictedPositives">Rows at or above the threshold (what the team would be sent).</param>
public sealed record BiasAuditRow(
    string Attribute,
    string Group,
    int Count,
    int Positives,
    int PredictedPositives,
    double Tpr,
    double Fpr,
    double Fdr,
    double For,
    double Precision,
    double PredictedPositiveRate)
{
    public bool IsReference { get; init; }

    public double TprDisparity { get; init; } = double.NaN;

    public double FprDisparity { get; init; } = double.NaN;

    public double FdrDisparity { get; init; } = double.NaN;

    public double ForDisparity { get; init; } = double.NaN;

    public double PrecisionDisparity { get; init; } = double.NaN;

    public double PredictedPositiveRateDisparity { get; init; } = double.NaN;

    /// <summary>The metrics whose disparity lies outside [0.8, 1.25], e.g. ["fpr", "ppr"]; empty when none does.</summary>
    public IReadOnlyList<string> Flags =>
        new (string Name, double Value)[]
        {
            ("tpr", TprDisparity), ("fpr", FprDisparity), ("fdr", FdrDisparity), ("for", ForDisparity),
            ("precision", PrecisionDisparity), ("ppr", PredictedPositiveRateDisparity),
        }
        .Where(d => !double.IsNaN(d.Value) && (d.Value < BiasAudit.DisparityLow || d.Value > BiasAudit.DisparityHigh))
        .Select(d => d.Name)
        .ToArray();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Attribute}={Group}: n={Count}, tpr={Tpr:0.000}, fpr={Fpr:0.000}, flags=[{string.Join(',', Flags)}]");
}
