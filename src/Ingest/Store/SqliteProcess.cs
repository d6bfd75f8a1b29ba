namespace RiskWatch.Ingest.Store;

/// <summary>What a host sets for SQLite once, before anything opens a store: the CLI and the host's tests alike.</summary>
public static class SqliteProcess
{
    /// <summary>Multi-thread mode (<see cref="SqliteThreading"/>) and glibc's heap thresholds (<see cref="SqliteHeap"/>).</summary>
    public static void Configure()
    {
        SqliteThreading.UseMultiThreadMode();
        SqliteHeap.KeepLargeBlocksInHeap();
    }
}
