using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Configuration;

/// <summary>Where RiskWatch keeps its store, keys, models, inbox and logs (SPEC "Command line").</summary>
public sealed record RiskWatchSettings(string Home, StoreLocation Store)
{
    public const string HomeVariable = "RISKWATCH_HOME";
    public const string DbVariable = "RISKWATCH_DB";
    public const string InvisibilityVariable = "RISKWATCH_INVISIBILITY_TIMEOUT";

    /// <summary>
    /// How long a job a worker fetched stays hidden from the other workers without a heartbeat (the job storage's
    /// sliding invisibility timeout). It bounds how soon a dead worker's partition goes to another worker; a live worker's
    /// heartbeat (every fifth of it) keeps a long partition its own however long it runs. Five minutes unless
    /// RISKWATCH_INVISIBILITY_TIMEOUT gives seconds (tests make it short).
    /// </summary>
    public TimeSpan JobInvisibility { get; init; } = TimeSpan.FromMinutes(5);

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

        var invisibility = Environment.GetEnvironmentVariable(InvisibilityVariable);
        var settings = new RiskWatchSettings(Path.GetFullPath(home), StoreLocation.Parse(db));
        if (string.IsNullOrWhiteSpace(invisibility))
        {
            return settings;
        }

        return int.TryParse(invisibility, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? settings with { JobInvisibility = TimeSpan.FromSeconds(seconds) }
            : throw new ArgumentException($"{InvisibilityVariable}: '{invisibility}' is not a whole number of seconds above 0.");
    }
}
