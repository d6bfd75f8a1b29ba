using System.Diagnostics;
using Npgsql;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Ingest.Tests.TestSupport;

/// <summary>Everything a store holds, as the bytes an attacker with a copy would see: the SQLite files, or a pg_dump of the schema.</summary>
internal static class StoreDump
{
    public static async Task<byte[]> ReadAllAsync(StoreLocation location, string folder)
    {
        if (location.Kind == StoreKind.Sqlite)
        {
            return Directory.EnumerateFiles(folder, SqliteLocation.FileName + "*", SearchOption.AllDirectories)
                .SelectMany(File.ReadAllBytes).ToArray();
        }

        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        var start = new ProcessStartInfo("pg_dump")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--host", builder.Host!, "--port", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--username", builder.Username!, "--schema", builder.SearchPath!, "--no-owner", builder.Database!,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = builder.Password ?? string.Empty;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pg_dump did not start");
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await copy;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_dump failed: {await error}");
        }

        return output.ToArray();
    }
}
