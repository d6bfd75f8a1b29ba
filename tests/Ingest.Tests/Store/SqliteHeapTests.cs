using System.Runtime.InteropServices;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SqliteHeapTests
{
    [Fact]
    public void With_glibc_the_heap_takes_the_thresholds_and_asking_again_changes_nothing()
    {
        // musl (Alpine) and the other systems have no such thresholds: there the call does nothing and says so.
        var glibc = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out _);

        Assert.Equal(glibc, SqliteHeap.KeepLargeBlocksInHeap());
        Assert.Equal(glibc, SqliteHeap.KeepLargeBlocksInHeap());
    }
}
