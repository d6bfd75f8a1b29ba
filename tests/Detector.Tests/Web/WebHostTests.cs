using System.Net;
using Hangfire;
using Hangfire.Storage;
using RiskWatch.Detector.Accounts;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests.Web;

/// <summary>`serve` on a real Kestrel bound to loopback: the lists page, the JSON API and the nightly recurring job.</summary>
[Collection(WebCollection.Name)]
public sealed class WebHostTests(DistrictFixture district)
{
    [Fact]
    public async Task Serve_shows_every_dong_list_in_korean_and_schedules_the_nightly_job_in_seoul_time()
    {
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + district.Database), CancellationToken.None);
        await using var app = await WebApp.StartAsync(district.Home, store);
        await app.AddUserAsync("webhost-admin", AppUser.Admin);
        using var http = await app.SignedInClientAsync("webhost-admin");

        var page = await http.GetStringAsync("/lists", TestContext.Current.CancellationToken);
        Assert.Contains("오늘의 방문 목록", page, StringComparison.Ordinal);
        Assert.Contains("2026-11-22", page, StringComparison.Ordinal);
        foreach (var dong in district.Truth.Households.Select(h => h.DongCode).Distinct())
        {
            Assert.Contains($"행정동 {dong}", page, StringComparison.Ordinal);
        }

        Assert.Contains("심각", page, StringComparison.Ordinal);
        var api = await http.GetStringAsync($"/api/queue?dong={district.Truth.Households[0].DongCode}", TestContext.Current.CancellationToken);
        Assert.StartsWith("[", api.TrimStart(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);

        using var connection = JobStorage.Current.GetConnection();
        var nightly = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "nightly");
        Assert.Equal("0 2 * * *", nightly.Cron);
        Assert.Equal("Asia/Seoul", nightly.TimeZoneId);
    }
}

/// <summary>Web hosts share Hangfire's static JobStorage.Current, so the classes that start one run one at a time.</summary>
[CollectionDefinition(WebCollection.Name)]
public sealed class WebCollection
{
    public const string Name = "web";
}
