namespace RiskWatch.Detector.Jobs;

/// <summary>
/// One pass over one partition for one date. <see cref="Shadow"/> scores and flags into the shadow tables only;
/// <see cref="ModelVersions"/> names the models to use (empty: the live ones).
/// </summary>
public sealed record PassRequest(DateOnly RunDate, Partition Partition, bool Shadow, IReadOnlyList<string> ModelVersions)
{
    public static PassRequest Live(DateOnly runDate) => new(runDate, Partition.District, Shadow: false, []);
}
