using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.Store;

public sealed class SqliteHeapTests
{
    [Fact]
    public void On_linux_the_heap_takes_the_thresholds_and_asking_again_changes_nothing()
    {
        Assert.Equal(OperatingSystem.IsLinux(), SqliteHeap.KeepLargeBlocksInHeap());
        Assert.Equal(OperatingSystem.IsLinux(), SqliteHeap.KeepLargeBlocksInHeap());
    }
}
