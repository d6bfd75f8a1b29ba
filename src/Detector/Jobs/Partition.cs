namespace RiskWatch.Detector.Jobs;

/// <summary>
/// A group of dongs run together. The unit of every nightly write (with the run date), of a backfill's Hangfire jobs and
/// of the work several workers share. <see cref="District"/> is the whole district in one partition.
/// </summary>
public sealed record Partition(string Key, IReadOnlyList<string>? Dongs)
{
    public static readonly Partition District = new("district", null);

    /// <summary>The dongs split into groups of <paramref name="dongsPerGroup"/>, in code order; all of them when it is 0.</summary>
    public static IReadOnlyList<Partition> Plan(IReadOnlyList<string> dongs, int dongsPerGroup)
    {
        ArgumentNullException.ThrowIfNull(dongs);
        if (dongsPerGroup <= 0)
        {
            return [District];
        }

        var ordered = dongs.Order(StringComparer.Ordinal).ToList();
        return ordered.Chunk(dongsPerGroup).Select(Of).ToList();
    }

    /// <summary>A partition of exactly these dongs, keyed by their codes so the same group always has the same key.</summary>
    public static Partition Of(IReadOnlyCollection<string> dongs)
    {
        ArgumentNullException.ThrowIfNull(dongs);
        var ordered = dongs.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new Partition(string.Join('+', ordered), ordered);
    }

    /// <summary>The dongs as stored beside a run ("" for the whole district).</summary>
    public string DongsText => Dongs is null ? string.Empty : string.Join(',', Dongs);

    public static Partition Parse(string key, string? dongs) =>
        string.IsNullOrEmpty(dongs) ? new Partition(key, null) : new Partition(key, dongs.Split(','));
}
