using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks -- --filter '*'   (see benchmarks/README.md)
// dotnet run -c Release --project benchmarks -- peer DIR       (RiskWatch's side of benchmarks/peer/compare.sh)
if (args is ["peer", var directory])
{
    return RiskWatch.Benchmarks.PeerRun.Run(directory);
}

BenchmarkSwitcher.FromAssembly(typeof(RiskWatch.Benchmarks.BenchmarkConfig).Assembly).Run(args, new RiskWatch.Benchmarks.BenchmarkConfig());
return 0;
