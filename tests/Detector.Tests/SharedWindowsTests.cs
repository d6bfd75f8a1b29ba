using RiskWatch.Detector.Histories;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>The night's telecom windows: a person range the chunks share is read once, and what is kept stays bounded.</summary>
public sealed class SharedWindowsTests
{
    private const long Span = UsageSlabs.Span;

    [Fact]
    public async Task A_range_two_chunks_share_is_read_once_and_goes_back_to_the_pool_after_the_second()
    {
        var pool = new SlabWindow.Pool(days: 1);
        var windows = new SharedWindows(pool, [(0, 0), (0, Span), (Span, Span), (Span, 2 * Span)]);

        Assert.Equal(0, await ReadAsync(windows, chunk: 0, range: 0));
        var shared = await windows.AcquireAsync(0, Span, w => Mark(w, Span));
        windows.Release(0, Span);
        windows.ChunkDone(0);

        var again = await windows.AcquireAsync(Span, Span, w => Mark(w, -1));
        Assert.Same(shared, again);
        Assert.Equal(Span, again.Values[0]);
        windows.Release(Span, Span);
        Assert.Equal(2 * Span, await ReadAsync(windows, chunk: Span, range: 2 * Span));
        windows.ChunkDone(Span);

        Assert.Equal(3, windows.Reads);
        var spares = new[] { pool.Rent(SlabFeed.Telecom), pool.Rent(SlabFeed.Telecom), pool.Rent(SlabFeed.Telecom) };
        Assert.Contains(shared, spares);
    }

    [Fact]
    public async Task Two_chunks_asking_for_a_range_at_once_wait_for_one_read()
    {
        var windows = new SharedWindows(new SlabWindow.Pool(days: 1), [(0, Span), (Span, Span)]);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = windows.AcquireAsync(0, Span, async w =>
        {
            await gate.Task;
            await Mark(w, Span);
        });
        var second = windows.AcquireAsync(Span, Span, w => Mark(w, -1));

        Assert.False(second.IsCompleted);
        gate.SetResult();
        Assert.Same(await first, await second);
        Assert.Equal(Span, (await second).Values[0]);
        Assert.Equal(1, windows.Reads);
    }

    [Fact]
    public async Task Beyond_the_idle_bound_the_window_needed_last_is_read_again_when_its_chunk_comes()
    {
        // Chunk 0 reads three ranges that chunks 3, 2 and 1 need later: one more than may wait idle.
        var windows = new SharedWindows(
            new SlabWindow.Pool(days: 1),
            [(0, 0), (0, Span), (0, 2 * Span), (3 * Span, 0), (2 * Span, Span), (Span, 2 * Span)]);
        foreach (var range in new[] { 0, Span, 2 * Span })
        {
            await ReadAsync(windows, chunk: 0, range);
        }

        windows.ChunkDone(0);
        Assert.Equal(3, windows.Reads);

        Assert.Equal(2 * Span, await ReadAsync(windows, chunk: Span, range: 2 * Span));
        Assert.Equal(Span, await ReadAsync(windows, chunk: 2 * Span, range: Span));
        Assert.Equal(3, windows.Reads);
        Assert.Equal(0, await ReadAsync(windows, chunk: 3 * Span, range: 0));
        Assert.Equal(4, windows.Reads);
    }

    [Fact]
    public async Task A_failed_read_is_not_kept_and_the_next_chunk_reads_the_range_again()
    {
        var windows = new SharedWindows(new SlabWindow.Pool(days: 1), [(0, Span), (Span, Span)]);

        var failed = await Assert.ThrowsAsync<IOException>(() => windows.AcquireAsync(0, Span, _ => throw new IOException("disk")));
        Assert.Equal("disk", failed.Message);
        windows.ChunkDone(0);

        Assert.Equal(Span, await ReadAsync(windows, chunk: Span, range: Span));
        Assert.Equal(2, windows.Reads);
    }

    [Fact]
    public async Task A_range_outside_the_plan_is_read_for_the_chunk_that_asks_and_not_kept()
    {
        var pool = new SlabWindow.Pool(days: 1);
        var windows = new SharedWindows(pool, []);

        Assert.Equal(5 * Span, await ReadAsync(windows, chunk: 0, range: 5 * Span));
        Assert.Equal(5 * Span, await ReadAsync(windows, chunk: Span, range: 5 * Span));
        Assert.Equal(2, windows.Reads);
    }

    /// <summary>Acquires, reads the marker the load wrote, releases.</summary>
    private static async Task<float> ReadAsync(SharedWindows windows, long chunk, long range)
    {
        var window = await windows.AcquireAsync(chunk, range, w => Mark(w, range));
        var marker = window.Values[0];
        windows.Release(chunk, range);
        return marker;
    }

    private static Task Mark(SlabWindow window, long range)
    {
        window.Values[0] = range;
        return Task.CompletedTask;
    }
}
