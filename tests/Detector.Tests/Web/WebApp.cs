using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RiskWatch.Detector.Accounts;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Web;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests.Web;

/// <summary>`serve` on a real Kestrel bound to a free loopback port, over a given home and store, stopped on dispose.</summary>
internal sealed partial class WebApp : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _host;

    private WebApp(string home, RiskStore store, Serilog.ILogger logger)
    {
        Home = home;
        Store = store;
        Url = $"http://127.0.0.1:{FreePort()}";
        var settings = new RiskWatchSettings(home, store.Location);
        _host = WebHost.RunAsync(settings, store, logger, Url, workerOnly: false, RiskWatchServices.DefaultWorkerCount, _stop.Token);
    }

    public string Home { get; }

    public RiskStore Store { get; }

    public string Url { get; }

    public static async Task<WebApp> StartAsync(string home, RiskStore store, Serilog.ILogger? logger = null)
    {
        var app = new WebApp(home, store, logger ?? Serilog.Core.Logger.None);
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await http.GetAsync(app.Url + "/health", TestContext.Current.CancellationToken);
                return app;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>Creates (or updates) an account with the shared test password.</summary>
    public Task<AppUser> AddUserAsync(string name, string role, params string[] dongs) =>
        new UserStore(Store).AddAsync(name, role, dongs, Password, TestContext.Current.CancellationToken);

    /// <summary>A client with its own cookie jar and no automatic redirects, so tests see 302s, 403s and 404s as they are.</summary>
    public HttpClient NewClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(Url) };

    public async Task<HttpClient> SignedInClientAsync(string name)
    {
        var client = NewClient();
        var form = await client.GetStringAsync("/signin", TestContext.Current.CancellationToken);
        var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenOf(form),
            ["name"] = name,
            ["password"] = Password,
        }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Posts a form the way the page does: the anti-forgery token read from <paramref name="pagePath"/> first.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pagePath, string action, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(pagePath, TestContext.Current.CancellationToken);
        fields["__RequestVerificationToken"] = TokenOf(page);
        return await client.PostAsync(action, new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
    }

    public static string TokenOf(string page) => TokenField().Match(page).Groups[1].Value;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _host;
        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
