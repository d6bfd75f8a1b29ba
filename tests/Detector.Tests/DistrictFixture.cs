using Dapper;
using RiskWatch.Detector.Jobs;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Training;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Ingest.Synthetic;
using RiskWatch.Scoring.Models;

[assembly: AssemblyFixture(typeof(RiskWatch.Detector.Tests.DistrictFixture))]

namespace RiskWatch.Detector.Tests;

/// <summary>
/// One small generated district, ingested, trained and run through the nightly pass for its last day — the state every
/// end-to-end test reads. Tests that change state work on their own copy (<see cref="NewHomeAsync"/>).
/// </summary>
public sealed class DistrictFixture : IAsyncLifetime
{
    public static readonly DateOnly RunDate = new(2026, 11, 22);

    public string Home { get; } = TestPaths.NewTempDirectory();

    public string Inbox => Path.Combine(Home, "inbox");

    public string Database => Path.Combine(Home, "riskwatch.db");

    public DistrictTruth Truth { get; private set; } = null!;

    public NightlyResult Night { get; private set; } = null!;

    internal static DistrictOptions District => new()
    {
        Households = 1_500,
        Dongs = 3,
        Days = 150,
        EndDate = RunDate,
        Seed = 7,
        // Enough deaths in a small district to train on and to test the urgent lane on.
        LonelyDeathRiskMultiplier = 300,
    };

    public async ValueTask InitializeAsync()
    {
        Truth = DistrictGenerator.Generate(District, Inbox);
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Database), CancellationToken.None);
        var keys = KeyRing.LoadOrCreate(Home);
        await new InboxIngestor(store, keys, Serilog.Core.Logger.None).IngestAsync(Inbox, CancellationToken.None);
        var outcomes = await new ModelTraining(store, new ModelRegistry(Path.Combine(Home, "models")), Serilog.Core.Logger.None, new ThresholdPolicy().DailyCapacityPerDong)
            .TrainAsync(RunDate, CancellationToken.None);
        var failed = outcomes.FirstOrDefault(o => o.Model is null);
        if (failed is not null)
        {
            throw new InvalidOperationException(failed.Error);
        }

        // Ingested and trained, before any night: what every state-changing test starts from, copied rather than re-ingested.
        await using (var connection = await store.OpenConnectionAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync("VACUUM INTO @path", new { path = Template });
        }

        Night = await NewPass(store, Home).RunAsync(RunDate, CancellationToken.None);
    }

    private string Template => Path.Combine(Home, "template.db");

    /// <summary>A fresh home with the same district ingested and the same keys and models, for a test that changes state.</summary>
    public async Task<(string Home, RiskStore Store)> NewHomeAsync()
    {
        var home = TestPaths.NewTempDirectory();
        CopyDirectory(Path.Combine(Home, "keys"), Path.Combine(home, "keys"));
        CopyDirectory(Path.Combine(Home, "models"), Path.Combine(home, "models"));
        File.Copy(Template, Path.Combine(home, "riskwatch.db"));
        var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + Path.Combine(home, "riskwatch.db")), CancellationToken.None);
        return (home, store);
    }

    internal static NightlyPass NewPass(RiskStore store, string home, ThresholdPolicy? policy = null) =>
        new(store, KeyRing.LoadOrCreate(home), new ModelRegistry(Path.Combine(home, "models")), policy ?? new ThresholdPolicy(),
            Path.Combine(home, "no-inbox"), Serilog.Core.Logger.None);

    public ValueTask DisposeAsync()
    {
        try
        {
            // The fixture is the assembly's last owner: with it goes every folder the run's tests made.
            Directory.Delete(TestPaths.RunRoot, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is harmless; a failed test run should still report its own error.
        }

        return ValueTask.CompletedTask;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
