using Dapper;
using Microsoft.Playwright;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Logging;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using Serilog.Events;

namespace RiskWatch.Detector.Tests.Web;

/// <summary>
/// The officer's and the analyst's flows in a real browser (Debian's chromium driven by Playwright) against a real
/// Kestrel on a private copy of the district, with the request log written to a file that is checked for personal data.
/// Screenshots of the list and the analyst page go to the test output and to docs/ for the README.
/// </summary>
[Collection(WebCollection.Name)]
public sealed class BrowserTests(DistrictFixture district, BrowserSession session) : IClassFixture<BrowserSession>
{
    private WebApp _app = null!;
    private IBrowser _browser = null!;
    private RiskStore _store = null!;
    private string _home = "";
    private string _ownDong = "";
    private string _otherDong = "";

    private async Task StartAsync()
    {
        await session.StartAsync(district);
        (_app, _browser, _store, _home, _ownDong, _otherDong) = (session.App, session.Browser, session.Store, session.Home, session.OwnDong, session.OtherDong);
    }

    [Fact]
    public async Task Officer_signs_in_sees_own_dong_reveals_identity_with_audit_and_records_an_outcome()
    {
        await StartAsync();
        var page = await NewPageAsync();
        await SignInAsync(page, "kim-officer");
        Assert.EndsWith("/lists", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator($"#dong-{_ownDong}").CountAsync());
        Assert.Equal(0, await page.Locator($"#dong-{_otherDong}").CountAsync());
        Assert.Contains("오늘의 방문 목록", await page.TextContentAsync("h1") ?? "", StringComparison.Ordinal);
        await ScreenshotAsync(page, "officer-list.png");

        await page.Locator("a.open-case").First.ClickAsync();
        var caseId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        Assert.True(await page.Locator("#reasons li").CountAsync() > 0);
        Assert.Equal(0, await page.Locator("#identity").CountAsync());

        await page.FillAsync("#reveal-reason", "방문 전 연락처 확인");
        await page.ClickAsync("#reveal");
        var name = await page.TextContentAsync("#identity-name");
        Assert.False(string.IsNullOrWhiteSpace(name));
        await ScreenshotAsync(page, "officer-case.png");

        var audit = await QueryAsync<(string Actor, string Action, long? HouseholdNo, string Detail)>(
            "SELECT actor, action, household_no, detail FROM audit_log WHERE action = 'identity_view'");
        var view = Assert.Single(audit);
        Assert.Equal("kim-officer", view.Actor);
        Assert.Equal("방문 전 연락처 확인", view.Detail);
        Assert.Equal(await HouseholdOfAsync(caseId), view.HouseholdNo);

        await page.SelectOptionAsync("#assignee", "lee-officer");
        await page.ClickAsync("#assign");
        Assert.Equal("lee-officer", (await page.TextContentAsync("#case-assignee"))?.Trim());

        // Closing without an outcome is refused; with one, the outcome becomes a training label (origin 'officer').
        await page.CheckAsync("#close");
        await page.ClickAsync("#record");
        Assert.Equal(1, await page.Locator("#case-error").CountAsync());
        await page.SelectOptionAsync("#outcome", "supported");
        await page.FillAsync("#services", "긴급복지 지원");
        await page.CheckAsync("#close");
        await page.ClickAsync("#record");
        Assert.Equal("종결", (await page.TextContentAsync("#case-status"))?.Trim());
        var label = await QueryAsync<(string Outcome, string Origin)>(
            "SELECT outcome, origin FROM outcome WHERE household_no = @no AND origin = 'officer'", new { no = await HouseholdOfAsync(caseId) });
        Assert.Equal(("supported", "officer"), Assert.Single(label));

        // Another dong's case is not found, and the dashboard is refused.
        var other = await QueryAsync<string>("SELECT MIN(case_id) FROM risk_case WHERE dong_code = @dong", new { dong = _otherDong });
        Assert.Equal(404, (await page.GotoAsync($"{_app.Url}/cases/{other.Single()}"))!.Status);
        // Chromium turns an empty 403 into a navigation error, so the dashboard is asked through the page's own cookies.
        Assert.Equal(403, (await page.Context.APIRequest.GetAsync($"{_app.Url}/hangfire")).Status);

        // The English switch keeps the page.
        await page.GotoAsync($"{_app.Url}/lists");
        await page.ClickAsync("#lang");
        Assert.Contains("Today's visit list", await page.TextContentAsync("h1") ?? "", StringComparison.Ordinal);

        await AssertLogHoldsNoPersonalDataAsync();
    }

    [Fact]
    public async Task Analyst_changes_a_threshold_and_sees_the_what_if_diff_then_saves_and_rolls_back()
    {
        await StartAsync();
        var page = await NewPageAsync();
        await SignInAsync(page, "park-analyst");
        Assert.EndsWith("/analyst", page.Url, StringComparison.Ordinal);
        var liveVersion = await page.TextContentAsync("#live-version");
        Assert.Equal("0", (await page.TextContentAsync("#added-count"))?.Trim());

        await page.FillAsync("#crisis", "0.15");
        await page.FillAsync("#lonely", "0.10");
        await page.FillAsync("#capacity", "8");
        await page.ClickAsync("#preview");
        var added = int.Parse((await page.TextContentAsync("#added-count"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(added > 0, "a lower threshold and more capacity add households");
        Assert.True(double.Parse((await page.TextContentAsync("#jaccard"))!, System.Globalization.CultureInfo.InvariantCulture) < 1);
        Assert.True(await page.Locator("tr.added").CountAsync() > 0);
        Assert.True(await page.Locator("table.atk tr").CountAsync() > 1);
        await ScreenshotAsync(page, "analyst.png");

        // Saving needs a reason, then records who, when and why and becomes the live version.
        await page.ClickAsync("#save");
        Assert.Equal(1, await page.Locator("#policy-error").CountAsync());
        await page.FillAsync("#policy-reason", "동별 인력 충원");
        await page.ClickAsync("#save");
        var saved = await page.TextContentAsync("#live-version");
        Assert.StartsWith("v1:", saved, StringComparison.Ordinal);
        Assert.NotEqual(liveVersion, saved);
        Assert.Contains("park-analyst", await page.TextContentAsync("#policy-history") ?? "", StringComparison.Ordinal);

        await page.FillAsync("#crisis", "0.4");
        await page.FillAsync("#policy-reason", "너무 많음");
        await page.ClickAsync("#save");
        await page.Locator("#policy-history form button").First.ClickAsync();
        Assert.StartsWith("v3:", await page.TextContentAsync("#live-version"), StringComparison.Ordinal);
        Assert.Equal(saved![3..], (await page.TextContentAsync("#live-version"))![3..]);
    }

    [Fact]
    public async Task Anonymous_user_is_sent_to_sign_in_in_the_browser()
    {
        await StartAsync();
        var page = await NewPageAsync();
        await page.GotoAsync($"{_app.Url}/analyst");
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#signin").CountAsync());
    }

    /// <summary>After every flow (identity views included), no household's name or address is anywhere in the request log.</summary>
    private async Task AssertLogHoldsNoPersonalDataAsync()
    {
        // One more request, so the identity view's own request line has been written before the file is read.
        using (var http = _app.NewClient())
        {
            await http.GetAsync("/health", TestContext.Current.CancellationToken);
        }

        var log = string.Concat(Directory.GetFiles(Path.Combine(_home, "logs")).Select(ReadShared));
        Assert.Contains("/cases/", log, StringComparison.Ordinal);
        var vault = KeyRing.LoadOrCreate(_home).Vault;
        await using var connection = await _store.OpenConnectionAsync(CancellationToken.None);
        var sealedRows = await connection.QueryAsync<(byte[] Name, byte[]? Address)>("SELECT name_enc, address_enc FROM identity");
        foreach (var (name, address) in sealedRows)
        {
            Assert.DoesNotContain(vault.Open(name), log, StringComparison.Ordinal);
            if (address is not null)
            {
                Assert.DoesNotContain(vault.Open(address), log, StringComparison.Ordinal);
            }
        }
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }

    private async Task SignInAsync(IPage page, string name)
    {
        await page.GotoAsync($"{_app.Url}/signin");
        await page.FillAsync("#name", name);
        await page.FillAsync("#password", WebApp.Password);
        await page.ClickAsync("#signin");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task ScreenshotAsync(IPage page, string fileName)
    {
        var output = Path.Combine(AppContext.BaseDirectory, "screenshots", fileName);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = output, FullPage = true });
        var docs = Path.Combine(TestPaths.RepositoryRoot, "docs");
        Directory.CreateDirectory(docs);
        File.Copy(output, Path.Combine(docs, fileName), overwrite: true);
    }

    private async Task<long> HouseholdOfAsync(string caseId) =>
        (await QueryAsync<long>("SELECT household_no FROM risk_case WHERE case_id = @caseId", new { caseId })).Single();

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await _store.OpenConnectionAsync(CancellationToken.None);
        return (await connection.QueryAsync<T>(sql, parameters)).ToList();
    }
}

/// <summary>
/// One private copy of the district with its nightly pass, one web host logging to a file and one browser, shared by the
/// browser tests (they run one after another in their class) and started by the first of them.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _started;
    private Serilog.Core.Logger? _logger;
    private IPlaywright? _playwright;

    internal WebApp App { get; private set; } = null!;
    internal IBrowser Browser { get; private set; } = null!;
    internal RiskStore Store { get; private set; } = null!;
    internal string Home { get; private set; } = "";
    internal string OwnDong { get; private set; } = "";
    internal string OtherDong { get; private set; } = "";

    public async Task StartAsync(DistrictFixture district)
    {
        await _gate.WaitAsync();
        try
        {
            if (_started)
            {
                return;
            }

            var (home, store) = await district.NewHomeAsync();
            (Home, Store) = (home, store);
            await DistrictFixture.NewPass(Store, Home).RunAsync(DistrictFixture.RunDate, CancellationToken.None);
            _logger = LogSetup.Create(Path.Combine(Home, "logs"), LogEventLevel.Fatal);
            App = await WebApp.StartAsync(Home, Store, _logger);
            var dongs = district.Truth.Households.Select(h => h.DongCode).Distinct().Order(StringComparer.Ordinal).ToList();
            (OwnDong, OtherDong) = (dongs[0], dongs[1]);
            await App.AddUserAsync("kim-officer", AppUser.Officer, OwnDong);
            await App.AddUserAsync("lee-officer", AppUser.Officer, OwnDong);
            await App.AddUserAsync("park-analyst", AppUser.Analyst);
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            });
            _started = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await Browser.DisposeAsync();
            _playwright?.Dispose();
            await App.DisposeAsync();
            Store.Dispose();
        }

        if (_logger is not null)
        {
            await _logger.DisposeAsync();
        }

        _gate.Dispose();
    }
}
