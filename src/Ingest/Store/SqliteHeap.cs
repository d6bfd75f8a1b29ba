using System.Runtime.InteropServices;

namespace RiskWatch.Ingest.Store;

/// <summary>glibc's heap, tuned for SQLite's large pages.</summary>
public static class SqliteHeap
{
    // mallopt's parameters (malloc.h).
    private const int TrimThreshold = -1;
    private const int MmapThreshold = -3;

    // Above the largest block SQLite asks for with 64 KiB pages (a B-tree balance's scratch, ~5 pages); below glibc's
    // 32 MiB ceiling. Free memory kept at the top of an arena is bounded by the trim threshold.
    private const int MmapThresholdBytes = 4 << 20;
    private const int TrimThresholdBytes = 16 << 20;

    private static readonly Lazy<bool> Tuned = new(() =>
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return MallOpt(MmapThreshold, MmapThresholdBytes) == 1 && MallOpt(TrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, say): its allocator has no such thresholds.
            return false;
        }
    });

    /// <summary>
    /// Keeps blocks of up to 4 MiB in the heap instead of mapping each one from the kernel. With 64 KiB pages (see
    /// SqliteDialect.NewStorePageSize) every B-tree balance of an insert allocates ~320 KiB of scratch and frees it: above
    /// glibc's 128 KiB threshold that was an mmap, a munmap and a zero-filled page fault per 4 KiB each time, and the
    /// heap grown and trimmed again around it — a third more CPU in a million-household night's ingest. True when set.
    /// </summary>
    public static bool KeepLargeBlocksInHeap() => Tuned.Value;

    // DllImport: two ints need no marshalling, and LibraryImport's generated code would need unsafe blocks here.
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int MallOpt(int parameter, int value);
}
