namespace RiskWatch.Ingest.Feeds;

/// <summary>The feeds of SPEC, in the order files of one as-of date are loaded: the registry first, so that households exist.</summary>
internal static class FeedCatalog
{
    public static IReadOnlyList<FeedDefinition> All { get; } =
    [
        ResidentsLoader.Definition,
        WelfareLoader.Definition,
        ArrearsLoader.Definition,
        UsageElectricityLoader.Definition,
        UsageWaterLoader.Definition,
        UsageTelecomLoader.Definition,
        ReportsLoader.Definition,
        OutcomesLoader.Definition,
    ];

    public static FeedDefinition? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>The position of a feed in the load order of one as-of date.</summary>
    public static int OrderOf(FeedDefinition feed)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (ReferenceEquals(All[i], feed))
            {
                return i;
            }
        }

        return All.Count;
    }
}
