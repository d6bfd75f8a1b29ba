using SQLitePCL;

namespace RiskWatch.Ingest.Store;

/// <summary>SQLite's threading mode for the process.</summary>
public static class SqliteThreading
{
    private static readonly Lazy<bool> MultiThread = new(() =>
    {
        Batteries_V2.Init();

        // Nor are the allocator's statistics kept: they cost a global mutex around every malloc and free of every
        // connection, and nothing here reads them (no soft heap limit).
        _ = raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
        return raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD) == raw.SQLITE_OK;
    });

    /// <summary>
    /// Switches SQLite to multi-thread mode, where a connection is used by one thread at a time: ADO.NET's rule anyway
    /// (pooled connections go from thread to thread, never two at once), so the serialized mode's mutex around every step
    /// and column call is pure cost, ~4% of a million-household night's CPU. SQLite takes the mode only before it is first
    /// used in the process; asked later it stays serialized (correct, slower) and this returns false.
    /// </summary>
    public static bool UseMultiThreadMode() => MultiThread.Value;
}
