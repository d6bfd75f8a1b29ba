using System.Net;
using Dapper;
using RiskWatch.Detector.Accounts;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests.Web;

/// <summary>Who reaches what: anonymous users sign in first, officers see their own dongs only, the dashboard is admin-only.</summary>
[Collection(WebCollection.Name)]
public sealed class AccessTests(DistrictFixture district) : IAsyncLifetime
{
    private RiskStore _store = null!;
    private WebApp _app = null!;
    private string _ownDong = "";
    private string _otherDong = "";

    public async ValueTask InitializeAsync()
    {
        _store = await RiskStore.OpenAsync(StoreLocation.Parse("sqlite:" + district.Database), CancellationToken.None);
        _app = await WebApp.StartAsync(district.Home, _store);
        var dongs = district.Truth.Households.Select(h => h.DongCode).Distinct().Order(StringComparer.Ordinal).ToList();
        (_ownDong, _otherDong) = (dongs[0], dongs[1]);
        await _app.AddUserAsync("access-officer", AppUser.Officer, _ownDong);
        await _app.AddUserAsync("access-analyst", AppUser.Analyst);
        await _app.AddUserAsync("access-admin", AppUser.Admin);
    }

    [Fact]
    public async Task Anonymous_user_is_sent_to_sign_in()
    {
        using var http = _app.NewClient();
        foreach (var path in new[] { "/lists", "/analyst", "/hangfire", $"/cases/{await CaseOfAsync(_ownDong)}" })
        {
            var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/api/queue?dong={_ownDong}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Wrong_password_is_refused()
    {
        using var http = _app.NewClient();
        var form = await http.GetStringAsync("/signin", TestContext.Current.CancellationToken);
        var response = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebApp.TokenOf(form), ["name"] = "access-officer", ["password"] = "not the password",
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await http.GetAsync("/lists", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Officer_sees_only_own_dong_list()
    {
        using var http = await _app.SignedInClientAsync("access-officer");
        var page = await http.GetStringAsync("/lists", TestContext.Current.CancellationToken);
        Assert.Contains($"id=\"dong-{_ownDong}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"id=\"dong-{_otherDong}\"", page, StringComparison.Ordinal);
        Assert.Contains(await CaseOfAsync(_ownDong), page, StringComparison.Ordinal);
        Assert.DoesNotContain(await CaseOfAsync(_otherDong), page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/lists?dong={_otherDong}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Officer_of_other_dong_gets_404()
    {
        using var http = await _app.SignedInClientAsync("access-officer");
        var other = await CaseOfAsync(_otherDong);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/cases/{other}", TestContext.Current.CancellationToken)).StatusCode);
        var reveal = await WebApp.PostFormAsync(http, $"/cases/{await CaseOfAsync(_ownDong)}", $"/cases/{other}/identity",
            new Dictionary<string, string> { ["reason"] = "visit" });
        Assert.Equal(HttpStatusCode.NotFound, reveal.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/cases/{await CaseOfAsync(_ownDong)}", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Officer_of_other_dong_gets_403_from_export_and_api()
    {
        using var http = await _app.SignedInClientAsync("access-officer");
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/api/queue?dong={_otherDong}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"/lists/export.csv?dong={_otherDong}", TestContext.Current.CancellationToken)).StatusCode);

        var csv = await http.GetStringAsync($"/lists/export.csv?dong={_ownDong}", TestContext.Current.CancellationToken);
        Assert.Contains("case_id", csv, StringComparison.Ordinal);
        Assert.Contains(await CaseOfAsync(_ownDong), csv, StringComparison.Ordinal);
        var json = await http.GetStringAsync($"/api/queue?dong={_ownDong}", TestContext.Current.CancellationToken);
        Assert.Contains(await CaseOfAsync(_ownDong), json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Officer_is_refused_the_dashboard_and_the_analyst_page()
    {
        using var officer = await _app.SignedInClientAsync("access-officer");
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync("/hangfire", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync("/analyst", TestContext.Current.CancellationToken)).StatusCode);
        using var analyst = await _app.SignedInClientAsync("access-analyst");
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/hangfire", TestContext.Current.CancellationToken)).StatusCode);
        using var admin = await _app.SignedInClientAsync("access-admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/hangfire", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task Analyst_sees_lists_but_cannot_reveal_identity()
    {
        using var http = await _app.SignedInClientAsync("access-analyst");
        var own = await CaseOfAsync(_ownDong);
        var page = await http.GetStringAsync($"/cases/{own}", TestContext.Current.CancellationToken);
        Assert.DoesNotContain("reveal-form", page, StringComparison.Ordinal);
        var reveal = await WebApp.PostFormAsync(http, $"/cases/{own}", $"/cases/{own}/identity", new Dictionary<string, string> { ["reason"] = "curious" });
        Assert.Equal(HttpStatusCode.Forbidden, reveal.StatusCode);
    }

    private async Task<string> CaseOfAsync(string dong)
    {
        await using var connection = await _store.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<string>(
                   "SELECT MIN(case_id) FROM risk_case WHERE dong_code = @dong AND status <> 'closed'", new { dong })
               ?? throw new InvalidOperationException($"no open case in {dong}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _store.Dispose();
    }
}
