using System.Net;
using System.Net.Sockets;
using Hangfire;
using Hangfire.Storage;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Web;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>`serve` on a real Kestrel bound to loopback: the lists page, the JSON API and the nightly recurring job.</summary>
public sealed class WebHostTests(DistrictFixture district)
{
    [Fact]
    public async Task Serve_shows_every_dong_list_in_korean_and_schedules_the_nightly_job_in_seoul_time()
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var settings = new RiskWatchSettings(district.Home, StoreLocation.Parse("sqlite:" + district.Database));
        using var store = await RiskStore.OpenAsync(settings.Store, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var host = WebHost.RunAsync(settings, store, Serilog.Core.Logger.None, url, workerOnly: false, stop.Token);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var page = await GetWhenUpAsync(http, "/lists");
            Assert.Contains("오늘의 방문 목록", page, StringComparison.Ordinal);
            Assert.Contains("2026-11-22", page, StringComparison.Ordinal);
            foreach (var dong in district.Truth.Households.Select(h => h.DongCode).Distinct())
            {
                Assert.Contains($"행정동 {dong}", page, StringComparison.Ordinal);
            }

            Assert.Contains("심각 (urgent)", page, StringComparison.Ordinal);
            var api = await http.GetStringAsync($"/api/queue?dong={district.Truth.Households[0].DongCode}", TestContext.Current.CancellationToken);
            Assert.StartsWith("[", api.TrimStart(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health", TestContext.Current.CancellationToken)).StatusCode);

            using var connection = JobStorage.Current.GetConnection();
            var nightly = Assert.Single(connection.GetRecurringJobs(), j => j.Id == "nightly");
            Assert.Equal("0 2 * * *", nightly.Cron);
            Assert.Equal("Asia/Seoul", nightly.TimeZoneId);
        }
        finally
        {
            await stop.CancelAsync();
            await host;
        }
    }

    private static async Task<string> GetWhenUpAsync(HttpClient http, string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await http.GetStringAsync(path, TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
