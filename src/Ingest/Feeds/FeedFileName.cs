using System.Globalization;
using System.Text.RegularExpressions;

namespace RiskWatch.Ingest.Feeds;

/// <summary>The parts of a feed file name: <c>{feed}_{YYYYMMDD}.csv</c>, or <c>{feed}_{YYYYMMDD}.vN.csv</c> for a corrected re-send.</summary>
internal sealed partial record FeedFileName(FeedDefinition Feed, DateOnly Date, int Version)
{
    private const string Shape = "{feed}_{YYYYMMDD}.csv or {feed}_{YYYYMMDD}.vN.csv";

    public static bool TryParse(string fileName, out FeedFileName? name, out string error)
    {
        name = null;
        var match = Pattern().Match(fileName);
        if (!match.Success)
        {
            error = $"file name does not follow {Shape}";
            return false;
        }

        var feedName = match.Groups["feed"].Value;
        var feed = FeedCatalog.Find(feedName);
        if (feed is null)
        {
            error = $"unknown feed '{feedName}' (expected one of {string.Join(", ", FeedCatalog.All.Select(f => f.Name))})";
            return false;
        }

        if (!DateOnly.TryParseExact(match.Groups["date"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            error = $"'{match.Groups["date"].Value}' in the file name is not a date YYYYMMDD";
            return false;
        }

        var version = 1;
        if (match.Groups["version"].Success
            && (!int.TryParse(match.Groups["version"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version < 1))
        {
            error = "the version in the file name must be a whole number ≥ 1 (.v2, .v3, …)";
            return false;
        }

        name = new FeedFileName(feed, date, version);
        error = string.Empty;
        return true;
    }

    [GeneratedRegex(@"^(?<feed>[a-z][a-z_]*)_(?<date>[0-9]{8})(\.v(?<version>[0-9]{1,6}))?\.csv$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
