namespace RiskWatch.Ingest.Tests.TestSupport;

/// <summary>
/// Finds <c>shared/</c> (SPEC and the sample feeds), which sits beside the repository: walk up from the test binaries
/// to the folder holding RiskWatch.sln, then look at <c>../shared</c>. Works for /work/main and for a CI clone in a temp folder.
/// </summary>
internal static class SharedFolder
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string Samples => System.IO.Path.Combine(Path, "feeds", "samples");

    public static string Sample(string relativePath) => System.IO.Path.Combine(Samples, relativePath);

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(System.IO.Path.Combine(folder.FullName, "RiskWatch.sln")))
            {
                continue;
            }

            var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder.FullName, "..", "shared"));
            if (File.Exists(System.IO.Path.Combine(shared, "feeds", "SPEC.md")))
            {
                return shared;
            }

            throw new InvalidOperationException($"Found the repository at {folder.FullName}, but no shared/feeds/SPEC.md beside it ({shared}).");
        }

        throw new InvalidOperationException($"No RiskWatch.sln above {AppContext.BaseDirectory}.");
    }
}
