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

/// <summary>The versions that produced a run, stamped on every case it touches, and the partition it covers.</summary>
internal sealed record RunStamp(DateOnly RunDate, string Partition, string ModelVersion, string PolicyVersion)
{
    /// <summary>Fingerprint of everything the pass read; a stored run with the same one is not written again.</summary>
    public string InputHash { get; init; } = "";

    /// <summary>The partition's dongs; null for the whole district.</summary>
    public IReadOnlyList<string>? Dongs { get; init; }
}

internal sealed record PushResult(bool AlreadyDone, int Opened, int Updated, int HeldByCapacity, int HeldByCoolDown)
{
    /// <summary>Cases this date had opened before that a rerun on corrected inputs no longer flags (never touched by an officer).</summary>
    public int Withdrawn { get; init; }
}
