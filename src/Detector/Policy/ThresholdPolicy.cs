using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RiskWatch.Detector.Policy;

/// <summary>
/// How scores become cases: the thresholds of each model, the grade boundaries, each dong team's daily capacity and the
/// flatline lane's settings. Every case is stamped with <see cref="Version"/>, a hash of the content, so a list can always
/// be traced to the exact rules that made it.
/// </summary>
public sealed record ThresholdPolicy
{
    /// <summary>Crisis probability from which a household enters the model lane.</summary>
    public double CrisisThreshold { get; init; } = 0.30;

    /// <summary>
    /// Lonely-death probability from which a household enters the model lane. Calibrated probabilities of a rare event are
    /// small: in the demo district the mean is ~0.001, so 0.05 is already some 35 times the base rate.
    /// </summary>
    public double LonelyDeathThreshold { get; init; } = 0.05;

    /// <summary>From these scores a model-lane case is graded high (주의) rather than normal (관심).</summary>
    public double CrisisHigh { get; init; } = 0.60;

    public double LonelyDeathHigh { get; init; } = 0.20;

    /// <summary>
    /// Lonely-death probability from which a household with several members is watched by the flatline lane as well;
    /// everyone living alone is always watched.
    /// </summary>
    public double WatchThreshold { get; init; } = 0.01;

    /// <summary>New model-lane cases a dong team can take per day; urgent (flatline) cases always go through.</summary>
    public int DailyCapacityPerDong { get; init; } = 5;

    /// <summary>A team's own daily capacity where it differs from <see cref="DailyCapacityPerDong"/> (dong code → cases a day).</summary>
    public IReadOnlyDictionary<string, int> CapacityByDong { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>A dong's own model thresholds where its team tunes them apart from the district's (dong code → thresholds).</summary>
    public IReadOnlyDictionary<string, DongThresholds> ThresholdsByDong { get; init; } = new Dictionary<string, DongThresholds>(StringComparer.Ordinal);

    /// <summary>Days after a case is closed before the model lane may open another for the household.</summary>
    public int CoolDownDays { get; init; } = 30;

    /// <summary>Days of standby electricity and no outgoing telecom that make a watched household urgent.</summary>
    public int FlatlineDays { get; init; } = 3;

    public string Version
    {
        get
        {
            var canonical = string.Join(
                '|',
                Format(CrisisThreshold), Format(LonelyDeathThreshold), Format(CrisisHigh), Format(LonelyDeathHigh),
                Format(WatchThreshold), DailyCapacityPerDong, CoolDownDays, FlatlineDays,
                string.Join(',', CapacityByDong.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}")),
                string.Join(',', ThresholdsByDong.OrderBy(t => t.Key, StringComparer.Ordinal)
                    .Select(t => $"{t.Key}={Format(t.Value.CrisisThreshold)}/{Format(t.Value.LonelyDeathThreshold)}")));
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
            return "policy-" + Convert.ToHexStringLower(hash)[..8];
        }
    }

    /// <summary>New model-lane cases the dong's team can take per day.</summary>
    public int CapacityFor(string dongCode) =>
        CapacityByDong.TryGetValue(dongCode, out var capacity) ? capacity : DailyCapacityPerDong;

    /// <summary>
    /// The policy as it applies in one dong: the dong's own thresholds when it has them. A grade boundary never falls below
    /// its threshold, so a dong that raises a threshold still grades its cases normal before high.
    /// </summary>
    public ThresholdPolicy ForDong(string dongCode) =>
        ThresholdsByDong.TryGetValue(dongCode, out var own)
            ? this with
            {
                CrisisThreshold = own.CrisisThreshold,
                LonelyDeathThreshold = own.LonelyDeathThreshold,
                CrisisHigh = Math.Max(CrisisHigh, own.CrisisThreshold),
                LonelyDeathHigh = Math.Max(LonelyDeathHigh, own.LonelyDeathThreshold),
                ThresholdsByDong = new Dictionary<string, DongThresholds>(StringComparer.Ordinal),
            }
            : this;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static ThresholdPolicy FromJson(string json) =>
        JsonSerializer.Deserialize<ThresholdPolicy>(json, JsonOptions) ?? throw new InvalidDataException("empty policy");

    /// <summary>The first rule a policy breaks, or null when it is usable.</summary>
    public string? Problem()
    {
        static bool Probability(double p) => p is > 0 and <= 1;
        if (!Probability(CrisisThreshold) || !Probability(LonelyDeathThreshold) || !Probability(CrisisHigh) ||
            !Probability(LonelyDeathHigh) || !Probability(WatchThreshold))
        {
            return "thresholds are probabilities in (0, 1]";
        }

        if (ThresholdsByDong.Values.Any(t => !Probability(t.CrisisThreshold) || !Probability(t.LonelyDeathThreshold)))
        {
            return "a dong's thresholds are probabilities in (0, 1]";
        }

        if (CrisisHigh < CrisisThreshold || LonelyDeathHigh < LonelyDeathThreshold)
        {
            return "a high grade cannot start below its threshold";
        }

        if (DailyCapacityPerDong < 0 || CapacityByDong.Values.Any(c => c < 0) || CoolDownDays < 0 || FlatlineDays < 1)
        {
            return "capacity and cool-down are zero or more, flatline days one or more";
        }

        return null;
    }

    /// <summary>The policy in {home}/policy.json if there is one, else the defaults above.</summary>
    public static ThresholdPolicy Load(string home)
    {
        var path = Path.Combine(home, "policy.json");
        if (!File.Exists(path))
        {
            return new ThresholdPolicy();
        }

        try
        {
            return JsonSerializer.Deserialize<ThresholdPolicy>(File.ReadAllText(path), JsonOptions)
                ?? throw new InvalidDataException($"{path}: empty policy.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not a valid policy ({ex.Message}).", ex);
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNameCaseInsensitive = true };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>One dong's own model thresholds.</summary>
public sealed record DongThresholds(double CrisisThreshold, double LonelyDeathThreshold);
