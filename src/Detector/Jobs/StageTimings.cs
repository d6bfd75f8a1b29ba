using System.Diagnostics;

namespace RiskWatch.Detector.Jobs;

/// <summary>Wall and CPU time of one stage of a pass; CPU is the whole process's, so it includes any overlapping work.</summary>
public sealed record StageTiming(string Stage, TimeSpan Wall, TimeSpan Cpu);

/// <summary>
/// Wall and process CPU time per named stage of a pass (ingest, open, history, features, flatline, score, collect, flag, push), summed
/// over the chunks a stage runs in. CPU above wall means both cores worked.
/// </summary>
public sealed class StageTimings
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (TimeSpan Wall, TimeSpan Cpu)> _totals = new(StringComparer.Ordinal);

    public IReadOnlyList<StageTiming> Stages =>
        _order.Select(s => new StageTiming(s, _totals[s].Wall, _totals[s].Cpu)).ToList();

    /// <summary>Times the work until the returned scope is disposed.</summary>
    public Scope Measure(string stage) => new(this, stage);

    public async Task<T> MeasureAsync<T>(string stage, Func<Task<T>> work)
    {
        using var scope = Measure(stage);
        return await work();
    }

    private void Add(string stage, TimeSpan wall, TimeSpan cpu)
    {
        lock (_totals)
        {
            if (!_totals.TryGetValue(stage, out var total))
            {
                _order.Add(stage);
            }

            _totals[stage] = (total.Wall + wall, total.Cpu + cpu);
        }
    }

    public readonly struct Scope : IDisposable
    {
        private readonly StageTimings _owner;
        private readonly string _stage;
        private readonly long _started;
        private readonly TimeSpan _cpu;

        internal Scope(StageTimings owner, string stage)
        {
            _owner = owner;
            _stage = stage;
            _started = Stopwatch.GetTimestamp();
            _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        }

        public void Dispose() =>
            _owner.Add(_stage, Stopwatch.GetElapsedTime(_started), Process.GetCurrentProcess().TotalProcessorTime - _cpu);
    }
}
