using RiskWatch.Scoring.Audit;
using RiskWatch.Scoring.Models;
using RiskWatch.Scoring.Tests.Models;

namespace RiskWatch.Scoring.Tests.Audit;

public sealed class EvaluationReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("riskwatch-report-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_report_holds_folds_calibration_bias_audit_and_two_plots_per_model_without_household_keys()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 8, seed: 8);
        var validation = RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { Trees = 10, CapacityPerDong = 5 }, TestContext.Current.CancellationToken);

        var path = EvaluationReport.Write(_directory, new DateOnly(2026, 9, 1), [new ReportSection(validation, 0.3)]);

        var markdown = File.ReadAllText(path);
        Assert.Contains("## crisis", markdown, StringComparison.Ordinal);
        Assert.Contains("### Temporal folds", markdown, StringComparison.Ordinal);
        Assert.Contains("precision / recall @ capacity 5/dong/day", markdown, StringComparison.Ordinal);
        Assert.Contains("### Calibration", markdown, StringComparison.Ordinal);
        Assert.Contains("### Bias audit at the operating threshold 0.30", markdown, StringComparison.Ordinal);
        Assert.Contains(validation.Version, markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("hh-", markdown, StringComparison.Ordinal);
        foreach (var png in new[] { "crisis-pr-curve.png", "crisis-calibration.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(_directory, png));
            Assert.True(bytes.Length > 1_000, $"{png}: {bytes.Length} bytes");
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.Contains($"]({png})", markdown, StringComparison.Ordinal);
        }
    }
}
