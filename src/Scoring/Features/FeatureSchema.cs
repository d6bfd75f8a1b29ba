using System.Collections.Frozen;

namespace RiskWatch.Scoring.Features;

/// <summary>The names and order of the feature vector <see cref="FeatureBuilder"/> writes and the models are trained on.</summary>
public static class FeatureSchema
{
    private static readonly string[] NameArray = Enum.GetNames<Feature>();

    private static readonly FrozenDictionary<string, int> Index =
        NameArray.Select((name, index) => KeyValuePair.Create(name, index)).ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Feature names in vector order (snake_case; they are stored in model files, so never rename one).</summary>
    public static IReadOnlyList<string> Names { get; } = Array.AsReadOnly(NameArray);

    public static int Count => NameArray.Length;

    /// <summary>Position of <paramref name="name"/> in the vector, or -1 when there is no such feature.</summary>
    public static int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Index.TryGetValue(name, out var index) ? index : -1;
    }
}

/// <summary>
/// One member per feature, in vector order. The member names are the feature names themselves (snake_case, against C#
/// habit) so the order and the names have one source and cannot drift apart.
/// </summary>
/// <remarks>
/// Conventions: counts and flags are exact; a ratio or rate that cannot be computed (no meter, too few valid days, no
/// phone) is <see cref="FeatureBuilder.Unknown"/> (-1), never NaN, so every consumer (FastTree, reasons, JSON) sees a number.
/// The has_* flags let the trees tell "unknown" from "low".
/// </remarks>
#pragma warning disable CA1707 // identifiers with underscores: see summary
internal enum Feature
{
    // Registry profile. Size, housing and the 65+ count are the latest snapshot (the contract carries no history of them).
    household_size,
    lives_alone,
    head_age,
    head_male,
    members_65plus,
    housing_gosiwon,
    housing_basement,
    housing_rooftop,
    months_at_address,

    // Electricity (smart meter).
    has_meter,
    kwh_ratio_7_60,
    kwh_ratio_14_60,
    elec_flat_days,
    standby_days_14,
    active_hours_ratio_7_60,
    elec_missing_days_14,

    // Water (optional smart meter).
    has_water_meter,
    water_ratio_7_60,

    // Telecom, summed over the household's lines.
    has_phone,
    calls_out_ratio_14_60,
    sms_out_ratio_14_60,
    data_ratio_14_60,
    telecom_silent_days,
    days_without_outgoing_14,
    calls_in_unanswered_ratio_14,

    // Arrears: the latest report on or before the as-of date, per source.
    arrears_months_electricity,
    arrears_months_water,
    arrears_months_gas,
    arrears_months_health_insurance,
    arrears_months_telecom,
    arrears_months_rent,
    arrears_months_management_fee,
    arrears_months_pension,
    arrears_source_count,
    arrears_total_krw_log,
    arrears_max_months,
    cutoff_or_restricted,
    arrears_trend_60,

    // Welfare events.
    basic_livelihood,
    livelihood_ended_180d,
    job_loss_180d,
    medical_overspend_365d,
    disability,
    long_term_care,
    emergency_aid_365d,
    near_poverty,

    // Public–private reports.
    reports_30d,
    reports_90d,
}
#pragma warning restore CA1707
