using System.Diagnostics;
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

/// <summary>What one night did, for the CLI, the page and the logs.</summary>
public sealed record NightlyResult(
    DateOnly RunDate, bool AlreadyDone, int FilesIngested, int HouseholdsScored, int Flagged, int Opened, int Updated,
    int HeldByCapacity, int HeldByCoolDown, string ModelVersion, string PolicyVersion, TimeSpan Elapsed);

/// <summary>
/// The nightly pass for one as-of date D (DESIGN "One night"): ingest pending files, build features as of D for every
/// registered household, score both models, apply the threshold policy and the flatline lane, push to the dong queues.
/// Re-entrant: a rerun of a finished D changes nothing.
/// </summary>
internal sealed class NightlyPass(
    RiskStore store, KeyRing keys, ModelRegistry models, ThresholdPolicy fallbackPolicy, string inbox, ILogger logger)
{
    /// <summary>Days of history read for a night: the 60-day baseline and the recent weeks the features compare with it.</summary>
    public const int WindowDays = 120;

    /// <summary>One partition covers the whole district until scale-out splits it by dong groups.</summary>
    public const string DistrictPartition = "district";

    private const int ReasonsPerCase = 4;

    public async Task<NightlyResult> RunAsync(DateOnly runDate, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var files = 0;
        if (Directory.Exists(inbox))
        {
            var ingested = await new InboxIngestor(store, keys, logger).IngestAsync(inbox, cancellationToken);
            files = ingested.Count(r => r.Status == "loaded");
        }

        var crisis = models.LoadCurrent(ModelTarget.Crisis)
            ?? throw new InvalidOperationException("No crisis model yet: run `riskwatch train` first.");
        var lonely = models.LoadCurrent(ModelTarget.LonelyDeath)
            ?? throw new InvalidOperationException("No lonely_death model yet: run `riskwatch train` first.");
        var modelVersion = $"{crisis.Version}+{lonely.Version}";

        // The analysts' current version in the store rules; the file or default policy only until one is saved there.
        var saved = await new PolicyStore(store).CurrentAsync(cancellationToken);
        var policy = saved?.Policy ?? fallbackPolicy;
        var policyVersion = saved?.Stamp ?? fallbackPolicy.Version;
        var stamp = new RunStamp(runDate, DistrictPartition, modelVersion, policyVersion);

        var queue = new DongQueue(store);
        if (await queue.IsDoneAsync(runDate, DistrictPartition, cancellationToken))
        {
            logger.Information("Nightly pass for {RunDate:yyyy-MM-dd} already done; nothing changes", runDate);
            return new NightlyResult(runDate, true, files, 0, 0, 0, 0, 0, 0, modelVersion, policyVersion, clock.Elapsed);
        }

        var history = await new HistoryLoader(store).LoadAsync(
            runDate.AddDays(1 - WindowDays), runDate, dongs: null, cancellationToken);
        var households = history.Households.Where(h => h.ActiveOn(runDate)).ToList();

        var features = new float[households.Count][];
        var signals = new FlatlineSignal[households.Count];
        Parallel.For(0, households.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            features[i] = new float[FeatureSchema.Count];
            FeatureBuilder.Build(households[i].History, runDate, features[i]);
            signals[i] = FlatlineSignal.Compute(households[i].History, runDate);
        });

        var crisisScores = crisis.Score(features);
        var lonelyScores = lonely.Score(features);
        var scored = new ScoredHousehold[households.Count];
        var scores = new ScoreRow[households.Count];
        for (var i = 0; i < households.Count; i++)
        {
            scored[i] = new ScoredHousehold(households[i], i, crisisScores[i], lonelyScores[i], signals[i]);
            scores[i] = new ScoreRow(households[i].HouseholdNo, crisisScores[i], lonelyScores[i]);
        }

        var flags = Flagger.Select(scored, policy);
        var drafts = flags.Select(f => new CaseDraft(
            f.Scored.Household.HouseholdNo,
            f.Scored.Household.History.HouseholdKey,
            f.DongCode,
            f.Priority,
            f.Lane,
            f.Scored.CrisisScore,
            f.Scored.LonelyDeathScore,
            () => Reasons(f, features[f.Scored.Row], crisis, lonely, policy, runDate))).ToList();

        var pushed = await queue.PushAsync(stamp, drafts, scores, policy, cancellationToken);
        var result = new NightlyResult(
            runDate, pushed.AlreadyDone, files, households.Count, flags.Count, pushed.Opened, pushed.Updated,
            pushed.HeldByCapacity, pushed.HeldByCoolDown, modelVersion, policyVersion, clock.Elapsed);
        logger.Information(
            "Nightly pass {RunDate:yyyy-MM-dd}: {Households} households scored, {Flagged} flagged, {Opened} cases opened, {Updated} updated, {HeldByCapacity} held by capacity in {Elapsed}",
            runDate, result.HouseholdsScored, result.Flagged, result.Opened, result.Updated, result.HeldByCapacity, result.Elapsed);
        return result;
    }

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

    private static readonly HashSet<string> FlatlineCodes = new(StringComparer.Ordinal)
    {
        "elec_flat_days", "telecom_silent_days", "standby_days_14", "days_without_outgoing_14",
    };
}
