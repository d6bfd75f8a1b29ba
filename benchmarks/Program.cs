using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks -- --filter '*'   (see benchmarks/README.md)
BenchmarkSwitcher.FromAssembly(typeof(RiskWatch.Benchmarks.BenchmarkConfig).Assembly).Run(args, new RiskWatch.Benchmarks.BenchmarkConfig());
