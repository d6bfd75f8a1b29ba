using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Configuration;

/// <summary>Where RiskWatch keeps its store, keys, models, inbox and logs (SPEC "Command line").</summary>
public sealed record RiskWatchSettings(string Home, StoreLocation Store)
{
    public const string HomeVariable = "RISKWATCH_HOME";
    public const string DbVariable = "RISKWATCH_DB";

    public string Inbox => Path.Combine(Home, "inbox");
    public string Models => Path.Combine(Home, "models");
    public string Logs => Path.Combine(Home, "logs");
    public string Reports => Path.Combine(Home, "reports");

    /// <summary>
    /// Resolves the settings from an explicit --db, then RISKWATCH_DB, then the SPEC default <c>sqlite:./data/riskwatch.db</c>
    /// (with RISKWATCH_HOME set, the default database lives in that home instead).
    /// </summary>
    public static RiskWatchSettings Resolve(string? dbOption)
    {
        var homeVariable = Environment.GetEnvironmentVariable(HomeVariable);
        var home = string.IsNullOrWhiteSpace(homeVariable) ? Path.Combine(".", "data") : homeVariable;
        var db = dbOption ?? Environment.GetEnvironmentVariable(DbVariable);
        if (string.IsNullOrWhiteSpace(db))
        {
            db = "sqlite:" + Path.Combine(home, "riskwatch.db");
        }

        return new RiskWatchSettings(Path.GetFullPath(home), StoreLocation.Parse(db));
    }
}
