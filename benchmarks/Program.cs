using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks -- --filter '*'   (see benchmarks/README.md)
// dotnet run -c Release --project benchmarks -- peer DIR       (RiskWatch's side of benchmarks/peer/compare.sh)
// dotnet run -c Release --project benchmarks -- peer-variants DIR TARGET OUT FOLDS VARIANT... (benchmarks/peer/variants.sh)
if (args is ["peer", var directory])
{
    return RiskWatch.Benchmarks.PeerRun.Run(directory);
}

if (args is ["peer-variants", var matrices, var target, var outDirectory, var folds, .. var variants])
{
    return RiskWatch.Benchmarks.PeerVariants.Run(matrices, target, outDirectory, folds, variants);
}

BenchmarkSwitcher.FromAssembly(typeof(RiskWatch.Benchmarks.BenchmarkConfig).Assembly).Run(args, new RiskWatch.Benchmarks.BenchmarkConfig());
return 0;
