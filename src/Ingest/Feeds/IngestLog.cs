using Serilog;

namespace RiskWatch.Ingest.Feeds;

/// <summary>The recurring log events of the ingest, in one place. File names, feeds and counts only: never a value of a row.</summary>
internal static class IngestLog
{
    public static void InboxScanned(this ILogger logger, string inbox, int files) =>
        logger.Information("Inbox {Inbox}: {FileCount} files", inbox, files);

    public static void FileLoaded(this ILogger logger, string file, int rowsLoaded, int rowsQuarantined, double seconds)
    {
        if (rowsQuarantined > 0)
        {
            logger.Warning(
                "Loaded {File}: {RowsLoaded} rows, {RowsQuarantined} quarantined (riskwatch quarantine --file shows them) in {Seconds:0.000} s",
                file, rowsLoaded, rowsQuarantined, seconds);
            return;
        }

        logger.Information("Loaded {File}: {RowsLoaded} rows in {Seconds:0.000} s", file, rowsLoaded, seconds);
    }

    public static void FileRejected(this ILogger logger, string file, string error) =>
        logger.Warning("Rejected {File}: {Error}", file, error);

    public static void FileDuplicate(this ILogger logger, string file, string ingestedAs) =>
        logger.Information("Skipped {File}: its content was already ingested as {IngestedAs}", file, ingestedAs);

    public static void VersionsReplaced(this ILogger logger, string file, IEnumerable<string> replaced, int rowsDeleted) =>
        logger.Information("{File} replaces {Replaced} ({RowsDeleted} rows removed)", file, replaced, rowsDeleted);

    public static void FileFailed(this ILogger logger, Exception exception, string file) =>
        logger.Error(exception, "Ingesting {File} failed; its transaction was rolled back and it will be retried", file);

    public static void FeedDateMissing(this ILogger logger, string feed, DateOnly date) =>
        logger.Warning("No {Feed} file for {Date:yyyy-MM-dd}, though later days have one (riskwatch ledger lists the gaps)", feed, date);
}
