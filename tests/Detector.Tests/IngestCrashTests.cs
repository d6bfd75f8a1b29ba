using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// Crash safety of the ingest, with a real process: `riskwatch ingest` is killed with SIGKILL in the middle of a large
/// file, run again, and the store must then equal the store of a run that was never interrupted.
/// </summary>
public abstract class IngestCrashTests
{
    // 60,000 households × 30 days: a file that takes seconds to load on either engine even at 500,000 rows/s, so the kill
    // lands inside it.
    private const int Households = 60_000;
    private const int Days = 30;

    [Fact]
    public async Task Ingest_killed_mid_file_then_rerun_leaves_the_store_a_clean_run_leaves()
    {
        var home = TestPaths.NewTempDirectory();
        var inbox = Path.Combine(home, "inbox");
        Directory.CreateDirectory(inbox);
        WriteUsage(Path.Combine(inbox, "usage_electricity_20260601.csv"), households: 100, days: 1, new DateOnly(2026, 6, 1));
        WriteUsage(Path.Combine(inbox, "usage_electricity_20260801.csv"), Households, Days, new DateOnly(2026, 6, 2));
        var crashed = NewStore(home, "crashed");
        var clean = NewStore(home, "clean");

        // The first (small) file commits; once the ledger shows it, the big file is being loaded: kill it then.
        using (var child = StartIngest(home, inbox, crashed))
        {
            await WaitForLedgerAsync(crashed, files: 1, child);
            await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
            Assert.False(child.HasExited, "the ingest finished before it was killed: the file is too small for this machine");
            child.Kill(entireProcessTree: true); // SIGKILL: no finally block, no rollback by the process
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(await LedgerCountAsync(crashed) == 1, "the big file was committed before the kill: it is too small for this machine");
        var rerun = await CliProcess.RunAsync(home, "ingest", "--inbox", inbox, "--db", crashed);
        Assert.True(rerun.ExitCode == 0, rerun.Error);
        var once = await CliProcess.RunAsync(home, "ingest", "--inbox", inbox, "--db", clean);
        Assert.True(once.ExitCode == 0, once.Error);

        var expected = await TestStores.FingerprintAsync(clean);
        Assert.Equal(expected, await TestStores.FingerprintAsync(crashed));
        Assert.StartsWith((100 + (Households * Days)).ToString(CultureInfo.InvariantCulture) + " rows", expected["usage_electricity"], StringComparison.Ordinal);
    }

    private protected abstract string NewStore(string home, string name);

    private static Process StartIngest(string home, string inbox, string db)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "riskwatch.dll"), "ingest", "--inbox", inbox, "--db", db })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["RISKWATCH_HOME"] = home;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForLedgerAsync(string db, int files, Process child)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !child.HasExited)
        {
            try
            {
                if (await LedgerCountAsync(db) >= files)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is System.Data.Common.DbException)
            {
                // The child is still creating the store.
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new InvalidOperationException("The first file never reached the ledger.");
    }

    private static async Task<long> LedgerCountAsync(string db)
    {
        using var store = await RiskStore.OpenAsync(StoreLocation.Parse(db), CancellationToken.None);
        await using var connection = await store.OpenConnectionAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ingest_file WHERE status = 'loaded'");
    }

    private static void WriteUsage(string path, int households, int days, DateOnly first)
    {
        var random = new Random(3);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 20);
        writer.Write("household_id,date,kwh,active_hours,quality\n");
        for (var day = 0; day < days; day++)
        {
            var date = first.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            for (var h = 0; h < households; h++)
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"H{h:D7},{date},{random.Next(0, 20_000) / 1000.0:0.###},{random.Next(0, 25)},measured\n"));
            }
        }
    }
}

public sealed class SqliteIngestCrashTests : IngestCrashTests
{
    private protected override string NewStore(string home, string name) => TestStores.Sqlite(Path.Combine(home, name));
}

public sealed class PostgresIngestCrashTests : IngestCrashTests
{
    private protected override string NewStore(string home, string name) => TestStores.NewPostgresDatabase();
}
