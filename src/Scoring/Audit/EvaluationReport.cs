using System.Globalization;
using System.Text;
using RiskWatch.Scoring.Models;
using ScottPlot;

namespace RiskWatch.Scoring.Audit;

/// <summary>One model's part of an evaluation report: its temporal validation and the threshold it is operated at.</summary>
/// <param name="Threshold">The policy's probability from which a household enters the model lane: where the bias audit is taken.</param>
public sealed record ReportSection(ValidationResult Validation, double Threshold);

/// <summary>
/// Writes the evaluation report: <c>report.md</c> (folds, @k, calibration table, bias audit) and, per model, a PR curve and
/// a calibration curve as PNG beside it.
/// </summary>
public static class EvaluationReport
{
    /// <summary>Korean titles need a Korean font; NanumGothic is Debian's fonts-nanum (tools/ensure-fonts.sh installs it).</summary>
    public const string FontName = "NanumGothic";

    /// <summary>Writes the report into <paramref name="directory"/> (created if needed) and returns the Markdown file's path.</summary>
    public static string Write(string directory, DateOnly asOf, IReadOnlyList<ReportSection> sections)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(sections);
        Directory.CreateDirectory(directory);
        var md = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        md.AppendLine(c, $"# RiskWatch model evaluation as of {asOf:yyyy-MM-dd}");
        md.AppendLine();
        md.AppendLine("Temporal validation: each fold is fitted on the as-of dates before its test span and measured on the span; the");
        md.AppendLine("latest fold (the last quarter of the dates) is the headline and its probabilities are calibrated. Household keys");
        md.AppendLine("never appear here: only counts and rates.");
        foreach (var section in sections)
        {
            WriteSection(md, directory, section);
        }

        var path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    private static void WriteSection(StringBuilder md, string directory, ReportSection section)
    {
        var c = CultureInfo.InvariantCulture;
        var v = section.Validation;
        var m = v.Metrics;
        var name = v.Target.ToName();
        md.AppendLine();
        md.AppendLine(c, $"## {name} — {TitleOf(v.Target)}");
        md.AppendLine();
        md.AppendLine(c, $"- model version: `{v.Version}` (data hash `{v.DataHash[..16]}…`), as-of dates {v.TrainedFrom:yyyy-MM-dd}..{v.TrainedThrough:yyyy-MM-dd}");
        md.AppendLine(c, $"- trainer: {RiskModel.TrainerName(v.BlendsLightGbm)}");
        md.AppendLine(c, $"- latest fold: train {m.TrainRows:N0} rows / {m.TrainPositives:N0} positives, test from {m.TestFrom:yyyy-MM-dd}: {m.TestRows:N0} rows / {m.TestPositives:N0} positives (base rate {F(m.TestRows == 0 ? double.NaN : (double)m.TestPositives / m.TestRows)})");
        md.AppendLine(c, $"- ROC-AUC {F(m.RocAuc)} (95% interval {F(m.RocAucLow)}–{F(m.RocAucHigh)}), PR-AUC {F(m.PrAuc)}");
        md.AppendLine(c, $"- ties in the ranking: {m.TieBreak}");
        foreach (var warning in m.Warnings ?? [])
        {
            md.AppendLine(c, $"- **warning:** {warning}");
        }

        md.AppendLine();
        md.AppendLine("### Temporal folds");
        md.AppendLine();
        var atLabels = (m.Folds ?? []).SelectMany(f => f.AtK.Select(k => k.Label)).Distinct().ToArray();
        md.AppendLine("| test dates | train rows / pos. | test rows / pos. | ROC-AUC | PR-AUC | " + string.Join(" | ", atLabels.Select(l => $"precision / recall @ {l}")) + " |");
        md.AppendLine("|---|---|---|---|---|" + string.Concat(atLabels.Select(_ => "---|")));
        foreach (var f in m.Folds ?? [])
        {
            var at = atLabels.Select(l => f.AtK.FirstOrDefault(k => k.Label == l) is { } k ? $"{F(k.Precision)} / {F(k.Recall)} (k={k.K:N0})" : "-");
            md.AppendLine(c, $"| {f.TestFrom:yyyy-MM-dd}..{f.TestThrough:yyyy-MM-dd} | {f.TrainRows:N0} / {f.TrainPositives:N0} | {f.TestRows:N0} / {f.TestPositives:N0} | {F(f.RocAuc)} | {F(f.PrAuc)} | {string.Join(" | ", at)} |");
        }

        md.AppendLine();
        md.AppendLine("### Calibration (latest fold, equal-count bins)");
        md.AppendLine();
        md.AppendLine("| predicted from | to | rows | mean predicted | observed |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var b in m.Calibration)
        {
            md.AppendLine(c, $"| {b.From:0.0000} | {b.To:0.0000} | {b.Count:N0} | {b.MeanPredicted:0.0000} | {b.Observed:0.0000} |");
        }

        var pr = $"{name}-pr-curve.png";
        var calibration = $"{name}-calibration.png";
        PlotPrCurve(Path.Combine(directory, pr), v);
        PlotCalibration(Path.Combine(directory, calibration), v);
        md.AppendLine();
        md.AppendLine(c, $"![PR curve]({pr}) ![calibration curve]({calibration})");

        md.AppendLine();
        md.AppendLine(c, $"### Bias audit at the operating threshold {section.Threshold:0.00} (latest fold)");
        md.AppendLine();
        md.AppendLine(c, $"Disparity = the group's rate ÷ the reference group's (the largest); **bold** outside {BiasAudit.DisparityLow}–{BiasAudit.DisparityHigh}. n/a: the rate has no denominator in the group (e.g. no positives). Small groups swing widely: read the counts first.");
        md.AppendLine();
        md.AppendLine("| attribute | group | rows | positives | flagged | TPR | FPR | FDR | FOR | precision | PPR | TPR ratio | FPR ratio | FDR ratio | FOR ratio | precision ratio | PPR ratio |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in BiasAudit.Run(v.Test, section.Threshold))
        {
            var group = r.IsReference ? $"{r.Group} (reference)" : r.Group;
            md.AppendLine(c, $"| {r.Attribute} | {group} | {r.Count:N0} | {r.Positives:N0} | {r.PredictedPositives:N0} | {F(r.Tpr)} | {F(r.Fpr)} | {F(r.Fdr)} | {F(r.For)} | {F(r.Precision)} | {F(r.PredictedPositiveRate)} | {D(r.TprDisparity)} | {D(r.FprDisparity)} | {D(r.FdrDisparity)} | {D(r.ForDisparity)} | {D(r.PrecisionDisparity)} | {D(r.PredictedPositiveRateDisparity)} |");
        }
    }

    private static void PlotPrCurve(string path, ValidationResult v)
    {
        var test = v.Test;
        var points = ModelEvaluation.PrCurve(
            [.. test.Select(t => t.Probability)], [.. test.Select(t => t.Example.Label)], [.. test.Select(t => t.Example.HouseholdKey)]);
        var plot = NewPlot($"{TitleOf(v.Target)} — 정밀도·재현율 (precision–recall)", "재현율 (recall)", "정밀도 (precision)");
        if (points.Length > 0)
        {
            var line = plot.Add.Scatter(points.Select(p => p.Recall).ToArray(), points.Select(p => p.Precision).ToArray());
            line.MarkerSize = 0;
            line.LegendText = $"PR-AUC {F(v.Metrics.PrAuc)}";
        }

        var baseRate = test.Count == 0 ? 0 : test.Count(t => t.Example.Label) / (double)test.Count;
        var chance = plot.Add.HorizontalLine(baseRate);
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = $"base rate {F(baseRate)}";
        plot.Axes.SetLimits(0, 1, 0, 1.05);
        plot.ShowLegend();
        plot.SavePng(path, 800, 600);
    }

    private static void PlotCalibration(string path, ValidationResult v)
    {
        var bins = v.Metrics.Calibration;
        var plot = NewPlot($"{TitleOf(v.Target)} — 보정 (calibration)", "예측 확률 (mean predicted)", "실제 비율 (observed)");
        var high = Math.Max(0.01, bins.Count == 0 ? 1 : Math.Max(bins.Max(b => b.MeanPredicted), bins.Max(b => b.Observed)) * 1.1);
        var diagonal = plot.Add.Line(0, 0, high, high);
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfect";
        if (bins.Count > 0)
        {
            var curve = plot.Add.Scatter(bins.Select(b => b.MeanPredicted).ToArray(), bins.Select(b => b.Observed).ToArray());
            curve.LegendText = "latest fold, equal-count bins";
        }

        plot.Axes.SetLimits(0, high, 0, high);
        plot.ShowLegend();
        plot.SavePng(path, 800, 600);
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static string TitleOf(ModelTarget target) => target == ModelTarget.Crisis ? "위기가구 (crisis)" : "고독사 (lonely death)";

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string D(double ratio) =>
        double.IsNaN(ratio) ? "n/a"
        : ratio < BiasAudit.DisparityLow || ratio > BiasAudit.DisparityHigh ? $"**{F(ratio)}**"
        : F(ratio);
}
