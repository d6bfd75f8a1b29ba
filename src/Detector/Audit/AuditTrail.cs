using System.Globalization;
using Dapper;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Audit;

/// <summary>Who looked at whose identity, when and why. Written before the identity is shown, never after.</summary>
internal sealed class AuditTrail(RiskStore store)
{
    public async Task RecordAsync(string actor, string action, long? householdNo, string detail, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO audit_log (at, actor, action, household_no, detail) VALUES (@at, @actor, @action, @householdNo, @detail)",
            new
            {
                at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                actor,
                action,
                householdNo,
                detail,
            },
            cancellationToken: cancellationToken));
    }
}
