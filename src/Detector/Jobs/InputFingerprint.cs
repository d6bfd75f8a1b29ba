using System.Security.Cryptography;
using System.Text;
using Dapper;
using RiskWatch.Detector.Configuration;
using RiskWatch.Ingest.Store;

namespace RiskWatch.Detector.Jobs;

/// <summary>
/// What a pass for date D reads, as one hash: every loaded feed file dated on or before D (by content hash, so a corrected
/// re-send changes it), the model and policy versions and the partition's dongs. Equal fingerprints mean a rerun would
/// compute exactly what is already stored.
/// </summary>
internal static class InputFingerprint
{
    public static async Task<string> ComputeAsync(
        RiskStore store, DateOnly runDate, Partition partition, string modelVersion, string policyVersion, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var files = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT sha256 FROM ingest_file WHERE status = 'loaded' AND as_of <= @date ORDER BY sha256",
            new { date = IsoDate.Text(runDate) },
            cancellationToken: cancellationToken));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{IsoDate.Text(runDate)}|{partition.Key}|{partition.DongsText}|{modelVersion}|{policyVersion}\n"));
        foreach (var file in files)
        {
            hash.AppendData(Encoding.ASCII.GetBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
