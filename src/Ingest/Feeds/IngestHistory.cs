using System.Globalization;
using Dapper;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Feeds;

/// <summary>One entry of the ingest ledger: a file as it was received and what became of it.</summary>
public sealed record LedgerFile(
    string File,
    string Feed,
    string Date,
    long Version,
    string Sha256,
    string Status,
    long RowsLoaded,
    long RowsQuarantined,
    string? Error,
    string IngestedAt);

/// <summary>A day for which a daily feed sent no file, although it sent files for days before and after it.</summary>
public sealed record MissingFeedDate(string Feed, DateOnly Date);

/// <summary>
/// What the ingest ledger (<c>ingest_file</c>) tells an operator: every file received with its hash, version, row counts,
/// time and outcome, and the days a daily feed skipped. A gap is a day between a feed's first and last loaded file
/// with none of its own; days after the last file are not gaps yet (the source may simply be late).
/// </summary>
public static class IngestHistory
{
    /// <summary>The ledger in the order files were ingested.</summary>
    public static async Task<IReadOnlyList<LedgerFile>> ReadLedgerAsync(RiskStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LedgerFile>(new CommandDefinition(
            """
            SELECT file_name AS File, feed AS Feed, as_of AS Date, version AS Version, sha256 AS Sha256, status AS Status,
                   rows_loaded AS RowsLoaded, rows_quarantined AS RowsQuarantined, error AS Error, ingested_at AS IngestedAt
            FROM ingest_file ORDER BY file_id
            """,
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The missing days of every daily feed, by feed and date.</summary>
    public static async Task<IReadOnlyList<MissingFeedDate>> FindMissingDatesAsync(RiskStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var loaded = await connection.QueryAsync<(string Feed, string Date)>(new CommandDefinition(
            "SELECT DISTINCT feed, as_of FROM ingest_file WHERE status IN ('loaded', 'superseded')",
            cancellationToken: cancellationToken));
        return Gaps(loaded);
    }

    internal static IReadOnlyList<MissingFeedDate> Gaps(IEnumerable<(string Feed, string Date)> loaded)
    {
        var missing = new List<MissingFeedDate>();
        foreach (var byFeed in loaded.GroupBy(l => l.Feed, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (FeedCatalog.Find(byFeed.Key) is not { Daily: true })
            {
                continue;
            }

            var dates = byFeed.Select(l => DateOnly.ParseExact(l.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToHashSet();
            var last = dates.Max();
            for (var day = dates.Min(); day < last; day = day.AddDays(1))
            {
                if (!dates.Contains(day))
                {
                    missing.Add(new MissingFeedDate(byFeed.Key, day));
                }
            }
        }

        return missing;
    }
}
