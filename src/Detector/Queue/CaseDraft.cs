using RiskWatch.Detector.Policy;

namespace RiskWatch.Detector.Queue;

/// <summary>What the nightly pass hands the queue for one flagged household; reasons are produced only if it gets pushed.</summary>
internal sealed record CaseDraft(
    long HouseholdNo,
    string HouseholdKey,
    string DongCode,
    Priority Priority,
    Lane Lane,
    double CrisisScore,
    double LonelyDeathScore,
    Func<IReadOnlyList<string>> Reasons);

/// <summary>The versions that produced a run, stamped on every case it touches.</summary>
internal sealed record RunStamp(DateOnly RunDate, string Partition, string ModelVersion, string PolicyVersion);

internal sealed record PushResult(bool AlreadyDone, int Opened, int Updated, int HeldByCapacity, int HeldByCoolDown);
