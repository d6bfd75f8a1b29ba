using System.Globalization;
using Dapper;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Policy;

/// <summary>One saved version of the threshold policy: who saved it, when and why.</summary>
public sealed record PolicyVersion(
    long VersionNo, ThresholdPolicy Policy, string SavedBy, string SavedAt, string Reason, long? RolledBackFrom)
{
    /// <summary>What cases and runs are stamped with: the version number and the content hash.</summary>
    public string Stamp => $"v{VersionNo}:{Policy.Version}";
}

/// <summary>
/// The threshold policy, versioned in the store. Versions are never changed: saving adds one, and a rollback saves an
/// earlier version's content again, so the history always shows what was live on any night and who made it so.
/// </summary>
internal sealed class PolicyStore(RiskStore store)
{
    public async Task<PolicyVersion?> CurrentAsync(CancellationToken cancellationToken)
    {
        var history = await ReadAsync("ORDER BY version_no DESC LIMIT 1", null, cancellationToken);
        return history.FirstOrDefault();
    }

    /// <summary>The live policy: the store's current version, else {home}/policy.json, else the defaults.</summary>
    public async Task<(ThresholdPolicy Policy, string Stamp)> LiveAsync(string home, CancellationToken cancellationToken)
    {
        if (await CurrentAsync(cancellationToken) is { } current)
        {
            return (current.Policy, current.Stamp);
        }

        var fallback = ThresholdPolicy.Load(home);
        return (fallback, fallback.Version);
    }

    public Task<IReadOnlyList<PolicyVersion>> HistoryAsync(CancellationToken cancellationToken) =>
        ReadAsync("ORDER BY version_no DESC", null, cancellationToken);

    public async Task<PolicyVersion> SaveAsync(
        ThresholdPolicy policy, string savedBy, string reason, long? rolledBackFrom, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(savedBy);
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ArgumentException("a policy change needs a reason");
        }

        if (policy.Problem() is { } problem)
        {
            throw new ArgumentException(problem);
        }

        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var next = 1 + await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COALESCE(MAX(version_no), 0) FROM policy_version", transaction: transaction, cancellationToken: cancellationToken));
        var savedAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO policy_version (version_no, policy_hash, content_json, saved_by, saved_at, reason, rolled_back_from)
            VALUES (@next, @hash, @json, @savedBy, @savedAt, @reason, @rolledBackFrom)
            """,
            new { next, hash = policy.Version, json = policy.ToJson(), savedBy, savedAt, reason = reason.Trim(), rolledBackFrom },
            transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new PolicyVersion(next, policy, savedBy, savedAt, reason.Trim(), rolledBackFrom);
    }

    /// <summary>Makes an earlier version live again, as a new version that says where it came from.</summary>
    public async Task<PolicyVersion> RollBackAsync(long versionNo, string savedBy, string reason, CancellationToken cancellationToken)
    {
        var earlier = (await ReadAsync("WHERE version_no = @versionNo", new { versionNo }, cancellationToken)).FirstOrDefault()
            ?? throw new ArgumentException($"no policy version {versionNo}");
        return await SaveAsync(earlier.Policy, savedBy, reason, versionNo, cancellationToken);
    }

    private async Task<IReadOnlyList<PolicyVersion>> ReadAsync(string tail, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT version_no AS VersionNo, content_json AS ContentJson, saved_by AS SavedBy, saved_at AS SavedAt, reason AS Reason, " +
            "rolled_back_from AS RolledBackFrom FROM policy_version " + tail,
            parameters, cancellationToken: cancellationToken));
        return rows.Select(r => new PolicyVersion(r.VersionNo, ThresholdPolicy.FromJson(r.ContentJson), r.SavedBy, r.SavedAt, r.Reason, r.RolledBackFrom))
            .ToList();
    }

    private sealed class Row
    {
        public long VersionNo { get; init; }
        public string ContentJson { get; init; } = "";
        public string SavedBy { get; init; } = "";
        public string SavedAt { get; init; } = "";
        public string Reason { get; init; } = "";
        public long? RolledBackFrom { get; init; }
    }
}
