using Dapper;

namespace RiskWatch.Detector.Tests;

/// <summary>
/// Scale-out and faults with real processes on one real PostgreSQL (issue 6): `riskwatch serve --worker` processes share a
/// backfill's partitions enqueued by `riskwatch backfill --external-workers`. A <see cref="TableGate"/> holds partitions
/// mid-way for as long as a test needs: on ingest_file, read first thing by every partition (its input fingerprint), or on
/// run_list, written inside each partition's transaction after its scores. A statement waits at most the store's 30-second
/// command timeout, so no test keeps a partition at a gate longer than that.
/// </summary>
public sealed class ScaleOutTests(PostgresDistrict postgres) : IClassFixture<PostgresDistrict>
{
    /// <summary>Seconds a fetched job stays hidden without a heartbeat, short so a dead worker's job comes back quickly.</summary>
    private const int Invisibility = 3;

    /// <summary>Two nights × three dongs, one dong per partition: six partitions.</summary>
    private static readonly string[] ShadowRange =
        ["--from", "2026-11-21", "--to", "2026-11-22", "--dongs-per-partition", "1", "--shadow"];

    private static readonly SemaphoreSlim ReferenceOnce = new(1, 1);
    private static IReadOnlyDictionary<string, string>? _shadowReference;

    [Fact]
    public async Task Two_workers_split_a_live_backfill_run_each_partition_once_and_leave_what_one_process_leaves()
    {
        var db = postgres.NewDatabase();
        using var first = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 1, first);
        using var second = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 2, first, second);
        string[] range = ["--from", "2026-11-20", "--to", "2026-11-22", "--dongs-per-partition", "1", "--max-in-flight", "3"];

        CliResult result;
        await using (var gate = await TableGate.CloseAsync(db, "ingest_file"))
        {
            // Each worker takes one job at a time: with both held at the gate, each has one of the first partitions.
            var backfill = CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", db, "--external-workers", .. range]);
            await gate.WaitForWaitingAsync(2, () => "two partitions never reached the gate:\n" + first.Log + "\n---\n" + second.Log);
            await gate.OpenAsync();
            result = await backfill;
        }

        Assert.True(result.ExitCode == 0, result.Out + result.Error + first.Log + second.Log);
        Assert.Contains("9 partitions done", result.Out, StringComparison.Ordinal);
        var history = await PostgresDistrict.PartitionJobHistoryAsync(db);
        var processing = history.Where(s => s.Name == "Processing").ToList();
        Assert.Equal(9, history.Select(s => s.JobId).Distinct().Count());
        Assert.All(processing.GroupBy(s => s.JobId), job => Assert.Single(job));
        Assert.Equal(9, history.Count(s => s.Name == "Succeeded"));
        Assert.Contains(processing, s => s.Pid == first.Pid);
        Assert.Contains(processing, s => s.Pid == second.Pid);

        var alone = postgres.NewDatabase();
        var reference = await CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", alone, .. range]);
        Assert.Equal(0, reference.ExitCode);
        Assert.Equal(await PassTablesAsync(alone), await PassTablesAsync(db));
        Assert.False((await PassTablesAsync(db))["risk_case"].StartsWith("0 rows", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_partition_longer_than_the_invisibility_timeout_is_not_picked_up_by_the_other_worker()
    {
        var db = postgres.NewDatabase();
        using var first = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 1, first);
        using var second = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 2, first, second);
        // Four timeouts: well past the invisibility timeout, well inside the store's 30-second command timeout.
        var held = TimeSpan.FromSeconds(Invisibility * 4);

        CliResult result;
        await using (var gate = await TableGate.CloseAsync(db, "ingest_file"))
        {
            // One partition in flight: one worker holds it at the gate while the other polls the queue every second and
            // would take it the moment its fetch looked abandoned.
            var backfill = CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", db, "--external-workers", "--max-in-flight", "1", .. ShadowRange]);
            await gate.WaitForWaitingAsync(1, () => "no partition reached the gate:\n" + first.Log + "\n---\n" + second.Log);
            await Task.Delay(held, TestContext.Current.CancellationToken);
            await gate.OpenAsync();
            result = await backfill;
        }

        Assert.True(result.ExitCode == 0, result.Out + result.Error + first.Log + second.Log);
        Assert.Contains("6 partitions done", result.Out, StringComparison.Ordinal);
        var history = await PostgresDistrict.PartitionJobHistoryAsync(db);
        var trace = string.Join("\n", history.Select(s => $"{s.JobId} {s.Name} {s.Reason} {string.Join(',', s.Data)}"));
        // No retry muddles the count: every job was processed exactly once, by one worker.
        Assert.DoesNotContain(history, s => s.Name is "Failed" or "Scheduled");
        Assert.All(history.Where(s => s.Name == "Processing").GroupBy(s => s.JobId), job => Assert.Single(job));
        Assert.Equal(6, history.Count(s => s.Name == "Succeeded"));
        // The held partition really ran longer than the timeout, by Hangfire's own clock.
        Assert.True(
            history.Any(s => s.Name == "Succeeded" && long.Parse(s.Data["PerformanceDuration"], System.Globalization.CultureInfo.InvariantCulture) > Invisibility * 3 * 1000),
            trace);
        Assert.Equal(await ShadowReferenceAsync(), await PassTablesAsync(db));
    }

    [Fact]
    public async Task Worker_killed_mid_partition_its_partition_is_retried_by_the_other_and_the_result_is_unchanged()
    {
        var db = postgres.NewDatabase();
        using var victim = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 1, victim);

        CliResult result;
        long orphaned;
        WorkerProcess? started = null;
        try
        {
            await using (var gate = await TableGate.CloseAsync(db, "run_list"))
            {
                var backfill = CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", db, "--external-workers", "--max-in-flight", "2", .. ShadowRange]);
                await gate.WaitForWaitingAsync(1, () => "no partition reached the gate:\n" + victim.Log);
                orphaned = (await PostgresDistrict.PartitionJobHistoryAsync(db)).Single(s => s.Name == "Processing" && s.Pid == victim.Pid).JobId;

                // kill -9 mid-transaction: its partition's scores deleted and written again, not committed, the list next.
                victim.KillHard();
                await gate.OpenAsync();
                started = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
                result = await backfill;
            }

            var survivor = started!;
            Assert.True(result.ExitCode == 0, result.Out + result.Error + survivor.Log);
            Assert.Contains("6 partitions done", result.Out, StringComparison.Ordinal);
            var history = await PostgresDistrict.PartitionJobHistoryAsync(db);
            var runs = history.Where(s => s.JobId == orphaned && s.Name == "Processing").ToList();
            Assert.Equal([victim.Pid, survivor.Pid], runs.Select(r => r.Pid));
            Assert.Equal(6, history.Count(s => s.Name == "Succeeded"));
            await using (var connection = PostgresDistrict.Connect(db))
            {
                Assert.Equal(6, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM shadow_run WHERE status = 'done'"));
            }

            Assert.Equal(await ShadowReferenceAsync(), await PassTablesAsync(db));
        }
        finally
        {
            started?.Dispose();
        }
    }

    [Fact]
    public async Task Database_going_away_mid_partition_fails_it_cleanly_and_the_retry_completes_it()
    {
        var db = postgres.NewDatabase();
        using var worker = WorkerProcess.Start(postgres.NewHome(), db, workerCount: 1, Invisibility);
        await PostgresDistrict.WaitForServersAsync(db, 1, worker);

        CliResult result;
        await using (var gate = await TableGate.CloseAsync(db, "run_list"))
        {
            var backfill = CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", db, "--external-workers", "--max-in-flight", "2", .. ShadowRange]);
            await gate.WaitForWaitingAsync(1, () => "no partition reached the gate:\n" + worker.Log);

            // Every session of the database but the gate's is cut: the worker's pass, its Hangfire connections, the CLI's.
            Assert.True(await gate.TerminateEveryoneElseAsync() >= 1);
            await PostgresDistrict.WaitUntilAsync(
                async () => await gate.CountAsync("SELECT COUNT(*) FROM shadow_run WHERE status = 'failed'") >= 1,
                TimeSpan.FromMinutes(1),
                () => "the cut-off partition was not marked failed:\n" + worker.Log);
            // Failed, and nothing of it committed: no score, no list, no run marked done.
            Assert.Equal(0, await gate.CountAsync("SELECT COUNT(*) FROM shadow_score"));
            Assert.Equal(0, await gate.CountAsync("SELECT COUNT(*) FROM shadow_run WHERE status = 'done'"));
            await gate.OpenAsync();
            result = await backfill;
        }

        Assert.True(result.ExitCode == 0, result.Out + result.Error + worker.Log);
        Assert.Contains("6 partitions done", result.Out, StringComparison.Ordinal);
        var history = await PostgresDistrict.PartitionJobHistoryAsync(db);
        Assert.Contains(history, s => s.Name == "Scheduled" && s.Reason?.StartsWith("Retry attempt 1", StringComparison.Ordinal) == true);
        Assert.Equal(6, history.Count(s => s.Name == "Succeeded"));
        Assert.Equal(await ShadowReferenceAsync(), await PassTablesAsync(db));
    }

    private static Task<IReadOnlyDictionary<string, string>> PassTablesAsync(string db) =>
        TestStores.FingerprintAsync(db, PostgresDistrict.PassTables, PostgresDistrict.Timestamps);

    /// <summary>The shadow backfill of <see cref="ShadowRange"/> run by one process with its own server, nothing interrupted.</summary>
    private async Task<IReadOnlyDictionary<string, string>> ShadowReferenceAsync()
    {
        await ReferenceOnce.WaitAsync();
        try
        {
            if (_shadowReference is null)
            {
                var db = postgres.NewDatabase();
                var result = await CliProcess.RunAsync(postgres.NewHome(), ["backfill", "--db", db, .. ShadowRange]);
                Assert.True(result.ExitCode == 0, result.Out + result.Error);
                _shadowReference = await PassTablesAsync(db);
                Assert.StartsWith("6 rows", _shadowReference["shadow_run"], StringComparison.Ordinal);
            }

            return _shadowReference;
        }
        finally
        {
            ReferenceOnce.Release();
        }
    }
}
