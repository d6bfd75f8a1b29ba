using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;

namespace RiskWatch.Benchmarks;

/// <summary>One config for every benchmark: memory diagnoser, markdown export, a short job sized for a 2-core machine.</summary>
public sealed class BenchmarkConfig : ManualConfig
{
    public BenchmarkConfig()
    {
        // ManualConfig starts empty: without a logger and the default columns the run prints nothing.
        AddLogger(ConsoleLogger.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        // AsDefault: a class that names its own job ([SimpleJob], the whole-file ingests) runs that job only, not both.
        AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddExporter(MarkdownExporter.GitHub);
        WithOptions(ConfigOptions.JoinSummary);

        // BenchmarkDotNet builds a boilerplate project per run; on a shared 2-core machine that outlasts its 2-minute default.
        WithBuildTimeout(TimeSpan.FromMinutes(10));
    }
}
