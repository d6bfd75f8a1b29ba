using RiskWatch.Ingest.Privacy;

namespace RiskWatch.Ingest.Feeds;

/// <summary>
/// Validates and stores the rows of one file of a feed. <see cref="Load"/> either stores a row (or buffers it to be
/// stored by <see cref="CompleteAsync"/>) or says why it is quarantined; it validates every field before it creates
/// anything, so a quarantined row leaves no trace but its quarantine entry.
/// </summary>
internal abstract class FeedLoader(LoadContext context) : IDisposable
{
    protected LoadContext Context { get; } = context;

    /// <summary>Stores the current row; null when it landed, otherwise why it is quarantined.</summary>
    public abstract RowError? Load(FeedRow row);

    /// <summary>
    /// Rows <see cref="Load"/> took that a later step quarantined (a usage row repeating an earlier date and subject is
    /// found when its subject is resolved, a row later): the row loop counts them as quarantined, not loaded.
    /// </summary>
    public int LateQuarantined { get; protected set; }

    /// <summary>The file's rows have all been given to <see cref="Load"/>: the loader finishes what it held back.</summary>
    public virtual void EndRows()
    {
    }

    /// <summary>Stores what <see cref="Load"/> buffered.</summary>
    public virtual Task CompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual void Dispose()
    {
    }

    /// <summary>The household_no of a valid household_id, created if unseen.</summary>
    protected long HouseholdNo(ReadOnlySpan<byte> householdId) => Context.Subjects.Household(householdId, Context.Hasher);

    /// <summary>The person_no of the 13 normalized digits of a valid rrn, created if unseen.</summary>
    protected long PersonNo(ReadOnlySpan<byte> rrnDigits) => Context.Subjects.Person(rrnDigits, Context.Hasher);

    /// <summary>
    /// The key of a valid household_id, its slot in the run's table of keys fetched into cache while the loader validates
    /// the row's other fields: a usage row's lookup is a cache miss in a table of hundreds of MB, and it was a fifth of
    /// the ingest's CPU when it came right after the hash. Creates nothing: <see cref="HouseholdNo(in SubjectKey)"/> does.
    /// </summary>
    protected SubjectKey HouseholdKey(ReadOnlySpan<byte> householdId) => Context.Subjects.HouseholdKey(householdId, Context.Hasher);

    /// <summary>The household_no of a key from <see cref="HouseholdKey"/>, created if unseen.</summary>
    protected long HouseholdNo(in SubjectKey key) => Context.Subjects.Household(key);

    /// <summary>The key of the 13 normalized digits of a valid rrn, fetched ahead like <see cref="HouseholdKey"/>.</summary>
    protected SubjectKey PersonKey(ReadOnlySpan<byte> rrnDigits) => Context.Subjects.PersonKey(rrnDigits, Context.Hasher);

    /// <summary>The person_no of a key from <see cref="PersonKey"/>, created if unseen.</summary>
    protected long PersonNo(in SubjectKey key) => Context.Subjects.Person(key);

    /// <summary>The digits buffer a loader validates an rrn into.</summary>
    protected static byte[] NewRrnBuffer() => new byte[Rrn.DigitCount];
}
