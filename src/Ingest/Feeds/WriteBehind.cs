using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// The store writes of one file, run in order on a thread of their own while the row loop parses and validates the
/// next rows: on two cores SQLite's stepping (or the COPY's encoding and round trips) no longer waits for the CSV
/// parser, nor the parser for them. The connection is then used by this thread alone until <see cref="Finish"/>, so
/// everything the loop would write (rows, quarantine entries, new subjects) goes through <see cref="Post"/>. The
/// queue holds one batch: memory stays bounded, and a slow store holds the parser back instead of the heap growing.
/// </summary>
/// <remarks>
/// Nothing here commits: the writes are in the file's one transaction, which the caller commits after
/// <see cref="Finish"/> or rolls back after <see cref="Dispose"/>, so a file is still applied whole or not at all.
/// </remarks>
internal sealed class WriteBehind : IDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateBounded<Action>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly Thread _thread;
    private volatile ExceptionDispatchInfo? _failure;
    private bool _finished;

    public WriteBehind()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "riskwatch ingest writer" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="write"/> after the writes queued before it; blocks while the queue is full. Rethrows a failed earlier write.</summary>
    public void Post(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        ObjectDisposedException.ThrowIf(_finished, this);
        _failure?.Throw();
        if (!_queue.Writer.TryWrite(write))
        {
            // The row loop is synchronous (CsvReader's spans cannot cross an await): wait here for the writer thread.
            _queue.Writer.WriteAsync(write).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits for every queued write; rethrows the first that failed.</summary>
    public void Finish()
    {
        Stop();
        _failure?.Throw();
    }

    /// <summary>Waits for the queued writes without rethrowing: the file is failing already and is rolled back next.</summary>
    public void Dispose() => Stop();

    private void Stop()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _queue.Writer.TryComplete();
        _thread.Join();
    }

    private void Run()
    {
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var write))
            {
                if (_failure is not null)
                {
                    continue; // drained, not run: the file is rolled back anyway
                }

                try
                {
                    write();
                }
                catch (Exception exception)
                {
                    _failure = ExceptionDispatchInfo.Capture(exception);
                }
            }
        }
    }
}
