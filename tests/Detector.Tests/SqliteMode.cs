using System.Runtime.CompilerServices;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// The host's tests run SQLite as the CLI runs it (multi-thread, set before any store opens; glibc's heap thresholds), so a statement
/// freed on the wrong thread or a connection shared by two shows up here and not only in production.
/// </summary>
public static class SqliteMode
{
    [ModuleInitializer]
    internal static void AsTheCliRunsIt() => SqliteProcess.Configure();
}

public sealed class SqliteModeTests
{
    [Fact]
    public void The_host_tests_run_SQLite_in_multi_thread_mode_like_the_CLI() =>
        Assert.True(SqliteThreading.UseMultiThreadMode());
}
