using System.Text.Json;
using RiskWatch.Detector.Queue;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Detector.Tests;

/// <summary>`riskwatch train --lightgbm` through the real executable, then a night on the blended models.</summary>
public sealed class LightGbmTrainingTests(DistrictFixture district)
{
    [Fact]
    public async Task Train_with_lightgbm_promotes_blends_that_the_night_scores_and_explains()
    {
        var (home, store) = await district.NewHomeAsync();
        using (store)
        {
            var result = await CliProcess.RunAsync(home, "train", "--as-of", "2026-11-22", "--lightgbm");

            Assert.True(result.ExitCode == 0, result.Error);
            var registry = new ModelRegistry(Path.Combine(home, "models"));
            var versions = new List<string>();
            foreach (var target in Enum.GetValues<ModelTarget>())
            {
                var model = registry.LoadCurrent(target)!;
                var manifest = Directory.GetFiles(Path.Combine(home, "models"), model.Version + ".json", SearchOption.AllDirectories).Single();
                using var json = JsonDocument.Parse(await File.ReadAllTextAsync(manifest, TestContext.Current.CancellationToken));
                Assert.True(json.RootElement.GetProperty("training").GetProperty("blend_light_gbm").GetBoolean(), model.Version);
                Assert.Contains($"{model.Version} (FastTree + LightGbm blend + Platt)", result.Out, StringComparison.Ordinal);
                versions.Add(model.Version);
            }

            var night = await DistrictFixture.NewPass(store, home).RunAsync(DistrictFixture.RunDate, CancellationToken.None);

            Assert.All(versions, v => Assert.Contains(v, night.ModelVersion, StringComparison.Ordinal));
            Assert.True(night.Opened > 0);
            var queue = new DongQueue(store);
            foreach (var dong in await queue.DongsAsync(CancellationToken.None))
            {
                Assert.All(await queue.ReadAsync(dong, DistrictFixture.RunDate, CancellationToken.None), e => Assert.NotEmpty(e.Reasons));
            }
        }
    }
}
