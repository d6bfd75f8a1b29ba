using Dapper;
using RiskWatch.Detector.Audit;
using RiskWatch.Ingest.Privacy;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Queue;

/// <summary>Opens the sealed identity of each household's head for a printed visit list; the bulk view is audited first.</summary>
internal sealed class IdentityLookup(RiskStore store, KeyRing keys, AuditTrail audit)
{
    public async Task<IReadOnlyList<QueueEntry>> AttachAsync(
        IReadOnlyList<QueueEntry> entries, string actor, string why, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return entries;
        }

        await audit.RecordAsync(actor, "bulk_identity_view", null, $"{why}; {entries.Count} households", cancellationToken);

        var households = entries.Select(e => e.HouseholdNo).Distinct().ToArray();
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IdentityRow>(new CommandDefinition(
            $"""
            SELECT p.household_no AS HouseholdNo, p.relation AS Relation, p.birth_date AS BirthDate,
                   i.household_id_enc AS HouseholdIdSealed, i.name_enc AS NameSealed, i.address_enc AS AddressSealed,
                   i.phone_enc AS PhoneSealed
            FROM person p JOIN identity i ON i.person_no = p.person_no
            WHERE p.household_no IN ({SqlInList.Names("h", households.Length)})
            """,
            SqlInList.Add(new DynamicParameters(), "h", households),
            cancellationToken: cancellationToken));

        // The head names the household on a visit list; without one recorded, the eldest member does.
        var heads = rows
            .GroupBy(r => r.HouseholdNo)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(r => r.Relation == "head" ? 0 : 1).ThenBy(r => r.BirthDate, StringComparer.Ordinal).First());

        return entries.Select(e =>
        {
            if (!heads.TryGetValue(e.HouseholdNo, out var head))
            {
                return e;
            }

            return e with
            {
                HouseholdId = keys.Vault.Open(head.HouseholdIdSealed),
                Name = keys.Vault.Open(head.NameSealed),
                Address = head.AddressSealed is null ? string.Empty : keys.Vault.Open(head.AddressSealed),
                Phone = head.PhoneSealed is null ? string.Empty : keys.Vault.Open(head.PhoneSealed),
            };
        }).ToList();
    }

    /// <summary>
    /// One household's head, for the case page's explicit "show identity": the audit row (who, which household, why) is
    /// written before anything is decrypted, and a view without a reason is refused.
    /// </summary>
    public async Task<HouseholdIdentity?> RevealAsync(long householdNo, string actor, string why, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(why))
        {
            throw new ArgumentException("an identity view needs a reason");
        }

        await audit.RecordAsync(actor, "identity_view", householdNo, why.Trim(), cancellationToken);
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IdentityRow>(new CommandDefinition(
            """
            SELECT p.household_no AS HouseholdNo, p.relation AS Relation, p.birth_date AS BirthDate,
                   i.household_id_enc AS HouseholdIdSealed, i.name_enc AS NameSealed, i.address_enc AS AddressSealed,
                   i.phone_enc AS PhoneSealed
            FROM person p JOIN identity i ON i.person_no = p.person_no
            WHERE p.household_no = @householdNo
            """,
            new { householdNo },
            cancellationToken: cancellationToken));
        var head = rows.OrderBy(r => r.Relation == "head" ? 0 : 1).ThenBy(r => r.BirthDate, StringComparer.Ordinal).FirstOrDefault();
        return head is null ? null : new HouseholdIdentity(
            keys.Vault.Open(head.HouseholdIdSealed),
            keys.Vault.Open(head.NameSealed),
            head.AddressSealed is null ? string.Empty : keys.Vault.Open(head.AddressSealed),
            head.PhoneSealed is null ? string.Empty : keys.Vault.Open(head.PhoneSealed));
    }

    private sealed class IdentityRow
    {
        public long HouseholdNo { get; init; }
        public string? Relation { get; init; }
        public string? BirthDate { get; init; }
        public byte[] HouseholdIdSealed { get; init; } = [];
        public byte[] NameSealed { get; init; } = [];
        public byte[]? AddressSealed { get; init; }
        public byte[]? PhoneSealed { get; init; }
    }
}

/// <summary>The head of a household as the registry names them.</summary>
public sealed record HouseholdIdentity(string HouseholdId, string Name, string Address, string Phone);
