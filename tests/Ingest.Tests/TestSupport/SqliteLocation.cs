using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.TestSupport;

/// <summary>Where the SQLite store of a test lives: a file in the test's own temp folder.</summary>
internal static class SqliteLocation
{
    public const string FileName = "riskwatch.db";

    public static StoreLocation In(string folder) => StoreLocation.Parse("sqlite:" + Path.Combine(folder, "data", FileName));
}
