using RiskWatch.Detector.Audit;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// The nightly pass on PostgreSQL: the fixture's district ingested into a fresh PostgreSQL database and run with the
/// same keys and models gives every dong the same queue as on SQLite — the Detector's SQL runs unchanged on both.
/// </summary>
public sealed class NightlyOnPostgresTests(DistrictFixture district)
{
    [Fact]
    public async Task Nightly_pass_on_postgres_gives_every_dong_the_queue_it_gives_on_sqlite()
    {
        var home = TestPaths.NewTempDirectory();
        QueueText.CopyKeysAndModels(district.Home, home);

        using var postgres = await RiskStore.OpenAsync(StoreLocation.Parse(TestStores.NewPostgresDatabase()), CancellationToken.None);
        await new InboxIngestor(postgres, KeyRing.LoadOrCreate(home), Serilog.Core.Logger.None).IngestAsync(district.Inbox, CancellationToken.None);

        var night = await DistrictFixture.NewPass(postgres, home).RunAsync(DistrictFixture.RunDate, CancellationToken.None);

        Assert.Equal(district.Night.HouseholdsScored, night.HouseholdsScored);
        Assert.Equal(district.Night.Opened, night.Opened);
        using var sqlite = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + district.Database), CancellationToken.None);
        var expected = await QueueText.OfAsync(sqlite, "0.000000");
        Assert.NotEmpty(expected);
        Assert.Equal(expected, await QueueText.OfAsync(postgres, "0.000000"));

        // The printed visit list opens its households' identities in one query: every one of them opens on PostgreSQL too.
        var entries = await new DongQueue(postgres).ReadAsync(expected.Keys.First(), DistrictFixture.RunDate, CancellationToken.None);
        var opened = await new IdentityLookup(postgres, KeyRing.LoadOrCreate(home), new AuditTrail(postgres))
            .AttachAsync(entries, "test", "visit list", CancellationToken.None);
        Assert.NotEmpty(opened);
        Assert.All(opened, e => Assert.False(string.IsNullOrEmpty(e.Name)));
    }
}
