using RiskWatch.Scoring.Features;

namespace RiskWatch.Detector.Tests;

/// <summary>`riskwatch evaluate` and `riskwatch export-features` on the shared district, through the real executable.</summary>
public sealed class ModelReportCliTests(DistrictFixture district)
{
    [Fact]
    public async Task Evaluate_writes_one_report_with_folds_bias_audit_and_plots_for_both_models()
    {
        var output = TestPaths.NewTempDirectory();

        var result = await CliProcess.RunAsync(district.Home, "evaluate", "--as-of", "2026-11-22", "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(Path.Combine(output, "report.md"), result.Out.Trim());
        var markdown = await File.ReadAllTextAsync(Path.Combine(output, "report.md"), TestContext.Current.CancellationToken);
        foreach (var target in new[] { "crisis", "lonely_death" })
        {
            Assert.Contains($"## {target}", markdown, StringComparison.Ordinal);
            Assert.True(new FileInfo(Path.Combine(output, $"{target}-pr-curve.png")).Length > 1_000);
            Assert.True(new FileInfo(Path.Combine(output, $"{target}-calibration.png")).Length > 1_000);
        }

        Assert.Contains("precision / recall @ capacity 5/dong/day", markdown, StringComparison.Ordinal);
        Assert.Contains("- trainer: FastTree + Platt\n", markdown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("| sex | ", markdown, StringComparison.Ordinal);
        Assert.Contains("| dong | ", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_with_lightgbm_names_the_blend_as_the_trainer_of_both_models()
    {
        var output = TestPaths.NewTempDirectory();

        var result = await CliProcess.RunAsync(district.Home, "evaluate", "--as-of", "2026-11-22", "--lightgbm", "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        var markdown = (await File.ReadAllTextAsync(Path.Combine(output, "report.md"), TestContext.Current.CancellationToken)).ReplaceLineEndings("\n");
        Assert.Contains("## crisis", markdown, StringComparison.Ordinal);
        Assert.Contains("## lonely_death", markdown, StringComparison.Ordinal);
        Assert.Equal(2, markdown.Split("- trainer: FastTree + LightGbm blend + Platt\n").Length - 1);
        Assert.DoesNotContain("- trainer: FastTree + Platt\n", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_features_writes_train_and_test_matrices_with_hashed_households()
    {
        var output = TestPaths.NewTempDirectory();

        var result = await CliProcess.RunAsync(district.Home, "export-features", "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var file in new[] { "crisis_train.csv", "crisis_test.csv", "lonely_death_train.csv", "lonely_death_test.csv" })
        {
            var lines = await File.ReadAllLinesAsync(Path.Combine(output, file), TestContext.Current.CancellationToken);
            Assert.Equal("household,dong,as_of,label," + string.Join(',', FeatureSchema.Names), lines[0]);
            Assert.True(lines.Length > 100, $"{file}: {lines.Length} lines");
            var cells = lines[1].Split(',');
            Assert.Equal(16, cells[0].Length);
            Assert.Equal(4 + FeatureSchema.Count, cells.Length);
        }

        var lastTrain = File.ReadLines(Path.Combine(output, "crisis_train.csv")).Skip(1).Max(l => l.Split(',')[2]);
        var firstTest = File.ReadLines(Path.Combine(output, "crisis_test.csv")).Skip(1).Min(l => l.Split(',')[2]);
        Assert.True(string.CompareOrdinal(lastTrain, firstTest) < 0, $"train up to {lastTrain}, test from {firstTest}");
    }

    [Fact]
    public async Task Export_features_night_writes_the_features_the_nightly_pass_scores()
    {
        var output = TestPaths.NewTempDirectory();

        var result = await CliProcess.RunAsync(district.Home, "export-features", "--night", "2026-11-22", "--out", output);

        Assert.True(result.ExitCode == 0, result.Error);
        var path = Path.Combine(output, "night_2026-11-22.csv");
        Assert.Equal(path, result.Out.Trim());
        var lines = await File.ReadAllLinesAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal("household,dong,as_of,label," + string.Join(',', FeatureSchema.Names), lines[0]);
        Assert.True(lines.Length > 100, $"{lines.Length} lines");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.All(rows, cells => Assert.Equal(4 + FeatureSchema.Count, cells.Length));
        Assert.All(rows, cells => Assert.Equal("2026-11-22", cells[2]));
        Assert.Equal(rows.Count, rows.Select(cells => cells[0]).Distinct(StringComparer.Ordinal).Count());
        var size = 4 + FeatureSchema.IndexOf("household_size");
        Assert.All(rows, cells => Assert.True(float.Parse(cells[size], System.Globalization.CultureInfo.InvariantCulture) >= 1));
    }
}
