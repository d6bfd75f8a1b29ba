using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>What tests compare between two stores or two paths: each dong's queue of the run date as text.</summary>
internal static class QueueText
{
    /// <summary>Each dong's queue, one line per case (case ids are random, so they are left out).</summary>
    public static async Task<SortedDictionary<string, string>> OfAsync(RiskStore store, string scoreFormat = "R")
    {
        var queue = new DongQueue(store);
        var queues = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var dong in await queue.DongsAsync(CancellationToken.None))
        {
            var entries = await queue.ReadAsync(dong, DistrictFixture.RunDate, CancellationToken.None);
            queues[dong] = string.Join('\n', entries.Select(e =>
                $"{e.HouseholdKey} {e.Priority} {e.Lane} {e.CrisisScore.ToString(scoreFormat, System.Globalization.CultureInfo.InvariantCulture)} " +
                $"{e.LonelyDeathScore.ToString(scoreFormat, System.Globalization.CultureInfo.InvariantCulture)} {string.Join(';', e.Reasons)}"));
        }

        return queues;
    }

    /// <summary>The district's keys and models copied into another home, so a second store can run the same pass.</summary>
    public static void CopyKeysAndModels(string from, string to)
    {
        foreach (var folder in new[] { "keys", "models" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(from, folder), "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(to, folder, Path.GetRelativePath(Path.Combine(from, folder), file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
    }
}
