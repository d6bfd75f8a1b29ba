using System.Diagnostics;
using System.Text;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// A real `riskwatch serve --worker` process on a shared PostgreSQL, as an operator starts one per machine: its own home
/// (same keys and models), its standard error kept for the test's failure message, killed with SIGKILL when asked.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private WorkerProcess(Process process)
    {
        _process = process;
        Pid = process.Id;
    }

    /// <summary>The process id, kept so it can still be named after a kill (Hangfire's server ids carry it).</summary>
    public int Pid { get; }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="invisibilitySeconds">RISKWATCH_INVISIBILITY_TIMEOUT: tests make it short so a dead worker's job comes back soon.</param>
    public static WorkerProcess Start(string home, string db, int workerCount, int invisibilitySeconds)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "riskwatch.dll"), "serve", "--worker", "--db", db,
                     "--worker-count", workerCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                 })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["RISKWATCH_HOME"] = home;
        start.Environment["RISKWATCH_INVISIBILITY_TIMEOUT"] = invisibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment.Remove("RISKWATCH_DB");
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>kill -9: no shutdown, no requeue, the job it holds stays fetched by a server that no longer exists.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
