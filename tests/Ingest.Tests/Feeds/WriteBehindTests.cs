using RiskWatch.Ingest.Feeds;

namespace RiskWatch.Ingest.Tests.Feeds;

public sealed class WriteBehindTests
{
    [Fact]
    public void Writes_run_in_the_order_they_were_posted_on_one_other_thread()
    {
        var ran = new List<int>();
        var threads = new HashSet<int>();
        using (var writes = new WriteBehind())
        {
            for (var i = 0; i < 1_000; i++)
            {
                var n = i;
                writes.Post(() =>
                {
                    ran.Add(n);
                    threads.Add(Environment.CurrentManagedThreadId);
                });
            }

            writes.Finish();
        }

        Assert.Equal(Enumerable.Range(0, 1_000), ran);
        Assert.NotEqual(Environment.CurrentManagedThreadId, Assert.Single(threads));
    }

    [Fact]
    public void A_failed_write_is_rethrown_to_the_poster_and_the_writes_after_it_do_not_run()
    {
        var ran = new List<int>();
        using var writes = new WriteBehind();
        writes.Post(() => ran.Add(1));
        writes.Post(() => throw new InvalidOperationException("the store said no"));
        var afterFailure = 0;
        var thrown = Record.Exception(() =>
        {
            // The failure surfaces at the latest on Finish; posts until then are drained without running.
            for (var i = 0; i < 100; i++)
            {
                writes.Post(() => afterFailure++);
            }

            writes.Finish();
        });

        Assert.Equal("the store said no", Assert.IsType<InvalidOperationException>(thrown).Message);
        Assert.Equal([1], ran);
        Assert.Equal(0, afterFailure);
    }
}
