using System.Text.Json.Serialization;

namespace RiskWatch.Detector.Queue;

/// <summary>One open case as SPEC's queue export spells it.</summary>
public sealed record QueueEntry
{
    [JsonPropertyName("case_id")] public required string CaseId { get; init; }
    [JsonPropertyName("household_key")] public required string HouseholdKey { get; init; }
    [JsonPropertyName("dong_code")] public required string DongCode { get; init; }
    [JsonPropertyName("flagged_on")] public required string FlaggedOn { get; init; }
    [JsonPropertyName("priority")] public required string Priority { get; init; }
    [JsonPropertyName("lane")] public required string Lane { get; init; }
    [JsonPropertyName("crisis_score")] public required double CrisisScore { get; init; }
    [JsonPropertyName("lonely_death_score")] public required double LonelyDeathScore { get; init; }
    [JsonPropertyName("reasons")] public required IReadOnlyList<string> Reasons { get; init; }
    [JsonPropertyName("model_version")] public required string ModelVersion { get; init; }
    [JsonPropertyName("status")] public required string Status { get; init; }

    /// <summary>Identity of the head, only with --with-identity (an audited bulk identity view).</summary>
    [JsonPropertyName("household_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? HouseholdId { get; init; }
    [JsonPropertyName("name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonPropertyName("address"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Address { get; init; }
    [JsonPropertyName("phone"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Phone { get; init; }

    [JsonIgnore] internal long HouseholdNo { get; init; }
}
