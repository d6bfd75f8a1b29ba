using System.Diagnostics;
using System.Text;

namespace RiskWatch.Detector.Tests;

/// <summary>Runs the real `riskwatch` CLI as a child process, with its own RISKWATCH_HOME, as scripts and operators do.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error);

internal static class CliProcess
{
    public static Task<CliResult> RunAsync(string home, params string[] args) => RunWithInputAsync(home, null, args);

    /// <summary>Runs the CLI with <paramref name="input"/> on its standard input (a password, as `users add` reads it).</summary>
    public static async Task<CliResult> RunWithInputAsync(string home, string? input, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "riskwatch.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["RISKWATCH_HOME"] = home;
        start.Environment.Remove("RISKWATCH_DB");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await output, await error);
    }
}
