namespace RiskWatch.Detector.Tests;

/// <summary>Where the repository and the shared feed samples are, from wherever the tests run (a clone has shared/ beside it).</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Samples => Path.Combine(Shared, "feeds", "samples");

    public static string Shared
    {
        get
        {
            foreach (var candidate in new[] { Path.Combine(RepositoryRoot, "..", "shared"), Path.Combine(RepositoryRoot, "shared") })
            {
                if (File.Exists(Path.Combine(candidate, "feeds", "SPEC.md")))
                {
                    return Path.GetFullPath(candidate);
                }
            }

            throw new DirectoryNotFoundException($"shared/feeds/SPEC.md not found beside {RepositoryRoot}.");
        }
    }

    /// <summary>
    /// Every folder this test run makes lives under one root that the assembly fixture deletes at the end: homes of
    /// generated districts are large, and a day of test runs used to leave gigabytes in /tmp.
    /// </summary>
    public static string RunRoot { get; } =
        Path.Combine(Path.GetTempPath(), "riskwatch-tests", $"run-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");

    public static string NewTempDirectory()
    {
        var path = Path.Combine(RunRoot, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RiskWatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("RiskWatch.sln not found above " + AppContext.BaseDirectory);
    }
}
