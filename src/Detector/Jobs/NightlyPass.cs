using System.Diagnostics;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Detector.Histories;
using RiskWatch.Detector.Policy;
using RiskWatch.Detector.Queue;
using RiskWatch.Ingest.Feeds;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;
using RiskWatch.Scoring.Reasons;
using Serilog;

namespace RiskWatch.Detector.Jobs;

/// <summary>What one pass did, for the CLI, the page and the logs.</summary>
public sealed record NightlyResult(
    DateOnly RunDate, bool AlreadyDone, int FilesIngested, int HouseholdsScored, int Flagged, int Opened, int Updated,
    int HeldByCapacity, int HeldByCoolDown, string ModelVersion, string PolicyVersion, TimeSpan Elapsed)
{
    public string PartitionKey { get; init; } = Partition.District.Key;

    public int Withdrawn { get; init; }

    /// <summary>Wall and CPU time per stage of this pass (empty when it was already done).</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];
}

/// <summary>
/// The nightly pass for one as-of date D and one partition (DESIGN "One night"): build features as of D for every
/// registered household, score both models, apply the threshold policy and the flatline lane, push to the dong queues
/// (or, in shadow mode, to the shadow tables only). Re-entrant: a pass whose inputs are unchanged changes nothing.
/// </summary>
internal sealed class NightlyPass(
    RiskStore store, KeyRing keys, ModelRegistry models, ThresholdPolicy fallbackPolicy, string inbox, ILogger logger)
{
    /// <summary>
    /// Read the window with <see cref="HistoryLoader"/> (every household's rows at once) instead of the chunked day slabs:
    /// the reference the chunked path is tested against.
    /// </summary>
    internal bool WholeWindowHistory { get; init; }

    /// <summary>Days of history read for a night: the 60-day baseline and the recent weeks the features compare with it.</summary>
    public const int WindowDays = 120;

    private const int ReasonsPerCase = 4;

    /// <summary>
    /// Chunks read at once while one is scored: one per core, at most four, since each chunk in memory is ~75 MB of
    /// 120-day series (its usage block) and its windows (peak RSS).
    /// </summary>
    private static readonly int ChunksReadAhead = Math.Clamp(Environment.ProcessorCount, 2, 4);

    private static readonly HashSet<string> FlatlineCodes = new(StringComparer.Ordinal)
    {
        "elec_flat_days", "telecom_silent_days", "standby_days_14", "days_without_outgoing_14",
    };

    /// <summary>The scheduled night: ingest what arrived, then the live pass over the whole district.</summary>
    public async Task<NightlyResult> RunAsync(DateOnly runDate, CancellationToken cancellationToken)
    {
        var timings = new StageTimings();
        var request = PassRequest.Live(runDate);
        // The models are files, not rows of the store: they load on the other core while the ingest's row loop runs,
        // instead of after it. A missing model still fails the pass after the ingest, as it did when it was loaded
        // there: the day's files are kept either way.
        var models = Task.Run(() => LoadModels(request.ModelVersions), cancellationToken);
        int files;
        try
        {
            using (timings.Measure("ingest"))
            {
                files = await IngestPendingAsync(cancellationToken);
            }
        }
        catch
        {
            // The load ends before the ingest's error is reported, so no work of the pass outlives it; the ingest's error
            // is the one to see (reading the load's marks it seen).
            await Task.WhenAny(models);
            _ = models.Exception;
            throw;
        }

        var result = await RunPartitionAsync(request, models, timings, cancellationToken);
        return result with { FilesIngested = files };
    }

    public async Task<int> IngestPendingAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(inbox))
        {
            return 0;
        }

        var ingested = await new InboxIngestor(store, keys, logger).IngestAsync(inbox, cancellationToken);
        return ingested.Count(r => r.Status == FileIngestResult.Loaded);
    }

    public Task<NightlyResult> RunPartitionAsync(PassRequest request, CancellationToken cancellationToken) =>
        RunPartitionAsync(request, models: null, new StageTimings(), cancellationToken);

    /// <summary>The pass over a partition, with its models already loading (<paramref name="models"/>) or loaded here.</summary>
    private async Task<NightlyResult> RunPartitionAsync(
        PassRequest request, Task<(RiskModel Crisis, RiskModel Lonely)>? models, StageTimings timings, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var runDate = request.RunDate;
        var openStage = timings.Measure("open");
        var (crisis, lonely) = models is null ? LoadModels(request.ModelVersions) : await models;
        var modelVersion = $"{crisis.Version}+{lonely.Version}";
        var (policy, policyVersion) = await ResolvePolicyAsync(cancellationToken);
        var inputHash = await InputFingerprint.ComputeAsync(store, runDate, request.Partition, modelVersion, policyVersion, cancellationToken);
        var stamp = new RunStamp(runDate, request.Partition.Key, modelVersion, policyVersion)
        {
            InputHash = inputHash,
            Dongs = request.Partition.Dongs,
        };
        var ledger = new PartitionLedger(store);
        var unchanged = new NightlyResult(runDate, true, 0, 0, 0, 0, 0, 0, 0, modelVersion, policyVersion, TimeSpan.Zero)
        {
            PartitionKey = request.Partition.Key,
        };
        var done = await ledger.IsDoneWithAsync(stamp, request.Shadow, cancellationToken);
        openStage.Dispose();
        if (done)
        {
            logger.Information("Pass {RunDate:yyyy-MM-dd} {Partition} already done with the same inputs; nothing changes", runDate, request.Partition.Key);
            return unchanged;
        }

        await ledger.MarkRunningAsync(stamp, request.Shadow, cancellationToken);
        try
        {
            await EnsureFeedsArrivedAsync(runDate, cancellationToken);
            var scored = await ScoreAsync(runDate, request.Partition, crisis, lonely, policy, timings, cancellationToken);

            // The history reader's pools (slab windows, the chunks' usage blocks: hundreds of MB at a million households)
            // died with it: one full collection gives their memory to the flags and the push.
            CollectAll(timings);

            var flagStage = timings.Measure("flag");
            var flags = Flagger.Select(scored.Flagged, policy);
            var drafts = flags.Select(f => new CaseDraft(
                f.Scored.Household.HouseholdNo,
                f.Scored.Household.History.HouseholdKey,
                f.DongCode,
                f.Priority,
                f.Lane,
                f.Scored.CrisisScore,
                f.Scored.LonelyDeathScore,
                () => Reasons(f, scored.Features[f.Scored.Row], crisis, lonely, policy, runDate))).ToList();
            flagStage.Dispose();

            NightlyResult result;
            using var pushStage = timings.Measure("push");
            if (request.Shadow)
            {
                var shadow = await new ShadowRuns(store).WriteAsync(stamp, drafts, scored.Scores, policy, cancellationToken);
                result = new NightlyResult(runDate, !shadow, 0, scored.Scores.Count, flags.Count, 0, 0, 0, 0, modelVersion, policyVersion, clock.Elapsed);
            }
            else
            {
                var pushed = await new DongQueue(store).PushAsync(stamp, drafts, scored.Scores, policy, cancellationToken);
                result = new NightlyResult(
                    runDate, pushed.AlreadyDone, 0, scored.Scores.Count, flags.Count, pushed.Opened, pushed.Updated,
                    pushed.HeldByCapacity, pushed.HeldByCoolDown, modelVersion, policyVersion, clock.Elapsed)
                {
                    Withdrawn = pushed.Withdrawn,
                };
            }

            logger.Information(
                "Pass {RunDate:yyyy-MM-dd} {Partition} ({Mode}): {Households} households scored, {Flagged} flagged, {Opened} cases opened, {Updated} updated, {HeldByCapacity} held by capacity in {Elapsed}",
                runDate, request.Partition.Key, request.Shadow ? "shadow" : "live", result.HouseholdsScored, result.Flagged, result.Opened,
                result.Updated, result.HeldByCapacity, clock.Elapsed);
            pushStage.Dispose();
            logger.Information(
                "Pass {RunDate:yyyy-MM-dd} {Partition}: garbage collections so far gen0 {Gen0}, gen1 {Gen1}, gen2 {Gen2}; paused {PauseSeconds:F2} s; {AllocatedMiB} MiB allocated",
                runDate, request.Partition.Key, GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalSeconds,
                GC.GetTotalAllocatedBytes() >> 20);
            foreach (var stage in timings.Stages)
            {
                logger.Information(
                    "Pass {RunDate:yyyy-MM-dd} {Partition} stage {Stage}: {WallSeconds:F2} s wall, {CpuSeconds:F2} s CPU",
                    runDate, request.Partition.Key, stage.Stage, stage.Wall.TotalSeconds, stage.Cpu.TotalSeconds);
            }

            return result with { PartitionKey = request.Partition.Key, Stages = timings.Stages };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The partition shows as failed until a retry succeeds; what an earlier successful pass pushed stays as it was.
            await ledger.MarkFailedAsync(stamp, request.Shadow, ex.Message, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The version stamp a pass with these models (empty: the live ones) writes, e.g. for a shadow comparison.</summary>
    public string ModelVersionOf(IReadOnlyList<string> versions)
    {
        var (crisis, lonely) = LoadModels(versions);
        return $"{crisis.Version}+{lonely.Version}";
    }

    /// <summary>
    /// The policy a pass applies: the analysts' current version in the store; the file or default policy only until one
    /// is saved there.
    /// </summary>
    public async Task<(ThresholdPolicy Policy, string Version)> ResolvePolicyAsync(CancellationToken cancellationToken)
    {
        var saved = await new PolicyStore(store).CurrentAsync(cancellationToken);
        return saved is null ? (fallbackPolicy, fallbackPolicy.Version) : (saved.Policy, saved.Stamp);
    }

    private (RiskModel Crisis, RiskModel Lonely) LoadModels(IReadOnlyList<string> versions)
    {
        RiskModel Pick(ModelTarget target)
        {
            var prefix = target.ToName() + "-";
            var named = versions.FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal));
            return named is not null
                ? models.LoadVersion(target, named)
                : models.LoadCurrent(target)
                  ?? throw new InvalidOperationException($"No {target.ToName()} model yet: run `riskwatch train` first.");
        }

        var unknown = versions.FirstOrDefault(v => !v.StartsWith("crisis-", StringComparison.Ordinal) && !v.StartsWith("lonely_death-", StringComparison.Ordinal));
        if (unknown is not null)
        {
            throw new ArgumentException($"--model: '{unknown}' is neither a crisis-… nor a lonely_death-… version.");
        }

        return (Pick(ModelTarget.Crisis), Pick(ModelTarget.LonelyDeath));
    }

    /// <summary>A night without its electricity feed would score everyone on stale data and look calm: fail it instead.</summary>
    private async Task EnsureFeedsArrivedAsync(DateOnly runDate, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var arrived = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM ingest_file WHERE feed = 'usage_electricity' AND as_of = @date AND status = 'loaded'",
            new { date = IsoDate.Text(runDate) },
            cancellationToken: cancellationToken));
        if (arrived == 0)
        {
            throw new InvalidOperationException($"No usage_electricity feed has been loaded for {runDate:yyyy-MM-dd}: ingest it, then rerun the night.");
        }
    }

    private async Task<ScoredPartition> ScoreAsync(
        DateOnly runDate, Partition partition, RiskModel crisis, RiskModel lonely, ThresholdPolicy policy, StageTimings timings,
        CancellationToken cancellationToken)
    {
        var start = runDate.AddDays(1 - WindowDays);
        var dongs = new DongPolicies(policy);
        var buffers = new ChunkBuffers();
        var scored = new List<ScoredHousehold>();
        var scores = new List<ScoreRow>();
        var features = new List<float[]>();
        if (WholeWindowHistory)
        {
            var history = await timings.MeasureAsync("history", () => new HistoryLoader(store).LoadAsync(start, runDate, partition.Dongs, cancellationToken));
            ScoreChunk(history.Households, runDate, crisis, lonely, dongs, buffers, timings, scored, scores, features, cancellationToken);
            return new ScoredPartition(scored, scores, features);
        }

        // A chunk of households at a time, so memory does not grow with the district: what stays is each household's
        // features, scores and profile, not its 120 days of usage.
        await using var chunked = await timings.MeasureAsync("history", () => ChunkedHistory.OpenAsync(store, start, runDate, partition.Dongs, cancellationToken));

        // Chunks are read ahead, one per core, while the current one is scored: reading a chunk is one thread's work and
        // costs several times its scoring, so with a single read in flight the second core idled through most of the
        // history stage. The history stage counts only the time the pass waits for a chunk.
        Task<ChunkedHistory.Chunk> Read(long first) => Task.Run(() => chunked.LoadChunkAsync(first, cancellationToken), cancellationToken);
        var reads = new Queue<Task<ChunkedHistory.Chunk>>();
        var nextChunk = 0;
        void ReadAhead()
        {
            while (reads.Count < ChunksReadAhead && nextChunk < chunked.Chunks.Count)
            {
                reads.Enqueue(Read(chunked.Chunks[nextChunk++]));
            }
        }

        ReadAhead();
        var heapAfterCollection = GC.GetTotalMemory(forceFullCollection: false);
        try
        {
            while (reads.Count > 0)
            {
                var read = reads.Dequeue();
                var chunk = await timings.MeasureAsync("history", () => read);
                ReadAhead();
                ScoreChunk(chunk.Records, runDate, crisis, lonely, dongs, buffers, timings, scored, scores, features, cancellationToken);
                chunked.Recycle(chunk);

                // A chunk's persons, builders and row objects live long enough to reach the oldest generation before they
                // die, and the GC's own schedule let them pile up (2.4 GB at a million households). A full collection
                // after every chunk marked every household scored so far each time, a cost that grew with the district;
                // collecting when the heap has grown by an eighth since the last one bounds the garbage at an eighth of
                // what is kept. A chunk leaves more garbage than that, so in practice this collects after most chunks
                // (0.6–0.9 s a night at a million households once the usage series lived in blocks, ninth pass);
                // collecting less often cost as much in the history reads as it saved (RESULTS, eighth pass).
                if (GC.GetTotalMemory(forceFullCollection: false) > heapAfterCollection * 9 / 8)
                {
                    CollectAll(timings);
                    heapAfterCollection = GC.GetTotalMemory(forceFullCollection: false);
                }
            }
        }
        catch when (reads.Count > 0)
        {
            // A failed pass lets the reads in flight end first, so none of their connections outlives the pass.
            await Task.WhenAny(Task.WhenAll(reads));
            throw;
        }

        return new ScoredPartition(scored, scores, features);
    }

    /// <summary>A blocking, compacting full collection, timed as the pass's collect stage.</summary>
    private static void CollectAll(StageTimings timings)
    {
        using var collect = timings.Measure("collect");
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>
    /// Builds, scores and signals a chunk's households. Every household's scores are kept (the night's risk_score rows);
    /// features and the record (without usage) only for the households the policy flags, the few hundred that need
    /// reasons and a queue row: kept for every household, they were most of the pass's heap (~0.75 KB a household) and
    /// the garbage collector marked them all again on each full collection.
    /// </summary>
    private static void ScoreChunk(
        IReadOnlyList<HouseholdRecord> records, DateOnly runDate, RiskModel crisis, RiskModel lonely, DongPolicies dongs,
        ChunkBuffers buffers, StageTimings timings, List<ScoredHousehold> flagged, List<ScoreRow> scores, List<float[]> flaggedFeatures,
        CancellationToken cancellationToken)
    {
        var households = records.Where(h => h.ActiveOn(runDate)).ToList();
        var width = FeatureSchema.Count;
        var matrix = buffers.Matrix(households.Count * width);
        var signals = new FlatlineSignal[households.Count];
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        using (timings.Measure("features"))
        {
            Parallel.For(0, households.Count, parallel, i => FeatureBuilder.Build(households[i].History, runDate, matrix.AsSpan(i * width, width)));
        }

        using (timings.Measure("flatline"))
        {
            Parallel.For(0, households.Count, parallel, i => signals[i] = FlatlineSignal.Compute(households[i].History, runDate));
        }

        var crisisScores = buffers.Crisis(households.Count);
        var lonelyScores = buffers.Lonely(households.Count);
        using (timings.Measure("score"))
        {
            crisis.Score(matrix.AsSpan(0, households.Count * width), crisisScores);
            lonely.Score(matrix.AsSpan(0, households.Count * width), lonelyScores);
        }

        for (var i = 0; i < households.Count; i++)
        {
            scores.Add(new ScoreRow(households[i].HouseholdNo, crisisScores[i], lonelyScores[i]));
            var candidate = new ScoredHousehold(households[i], flaggedFeatures.Count, crisisScores[i], lonelyScores[i], signals[i]);
            if (Flagger.LaneOf(candidate, dongs.For(households[i].History.DongCode)) == Lane.None)
            {
                continue;
            }

            // The usage series are done with (their block goes to the next chunk): keep what the flags, the reasons and
            // the queue read.
            var kept = households[i] with { History = WithoutUsage(households[i].History), Targets = [] };
            flagged.Add(candidate with { Household = kept });
            flaggedFeatures.Add(matrix.AsSpan(i * width, width).ToArray());
        }
    }

    private static HouseholdHistory WithoutUsage(HouseholdHistory history) => new()
    {
        HouseholdKey = history.HouseholdKey,
        DongCode = history.DongCode,
        Profile = history.Profile,
        Start = history.Start,
        Kwh = default,
        ActiveHours = default,
        WaterLiters = default,
        CallsOut = default,
        CallsIn = default,
        SmsOut = default,
        DataMb = default,
        TelecomLines = history.TelecomLines,
        Arrears = history.Arrears,
        Welfare = history.Welfare,
        Reports = history.Reports,
    };

    /// <summary>
    /// Why, in the officer's words: the flatline signal first when it fired, then the strongest contributions of the model
    /// that put the household forward, then who lives there.
    /// </summary>
    private static IReadOnlyList<string> Reasons(
        Flag flag, float[] features, RiskModel crisis, RiskModel lonely, ThresholdPolicy policy, DateOnly runDate)
    {
        var reasons = new List<Reason>();
        if (flag.Lane.HasFlag(Lane.Flatline))
        {
            reasons.Add(ReasonWriter.Flatline(flag.Scored.Signal));
        }

        if (flag.Lane.HasFlag(Lane.Model))
        {
            // The model that put the household furthest past its own threshold explains it.
            var lead = flag.Scored.LonelyDeathScore / policy.LonelyDeathThreshold >= flag.Scored.CrisisScore / policy.CrisisThreshold
                ? lonely
                : crisis;
            foreach (var reason in lead.Explain(features, ReasonsPerCase))
            {
                if (reasons.Count >= ReasonsPerCase - 1)
                {
                    break;
                }

                if (reasons.TrueForAll(r => r.Code != reason.Code) && !SaidByFlatline(reasons, reason))
                {
                    reasons.Add(reason);
                }
            }
        }

        reasons.Add(ReasonWriter.Profile(flag.Scored.Household.History, runDate));
        return reasons.Select(r => r.Text).ToList();
    }

    /// <summary>The flatline reason already says how long the meter and the phone have been quiet.</summary>
    private static bool SaidByFlatline(List<Reason> reasons, Reason reason) =>
        reasons.Exists(r => r.Code == "flatline") && FlatlineCodes.Contains(reason.Code);

    /// <summary>
    /// A chunk's feature matrix and scores, kept from one chunk to the next: chunks are scored one after the other, and
    /// a fresh 6 MB matrix per chunk would be large-object garbage for the full collections to clear.
    /// </summary>
    private sealed class ChunkBuffers
    {
        private float[] _matrix = [];
        private float[] _crisis = [];
        private float[] _lonely = [];

        public float[] Matrix(int length) => Fit(ref _matrix, length);

        public Span<float> Crisis(int rows) => Fit(ref _crisis, rows).AsSpan(0, rows);

        public Span<float> Lonely(int rows) => Fit(ref _lonely, rows).AsSpan(0, rows);

        private static float[] Fit(ref float[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new float[length];
            }

            return buffer;
        }
    }

    /// <summary>The night's scores of every household; the flagged households (any lane) with their features, by Row.</summary>
    private sealed record ScoredPartition(IReadOnlyList<ScoredHousehold> Flagged, IReadOnlyList<ScoreRow> Scores, IReadOnlyList<float[]> Features);
}
