using System.Collections.Frozen;
using System.Globalization;
using RiskWatch.Scoring.Features;
using static System.FormattableString;

namespace RiskWatch.Scoring.Reasons;

/// <summary>Plain-Korean reasons (English in parentheses) for the officer's list.</summary>
public static class ReasonWriter
{
    /// <summary>Usage at or below this share of the household's own usual level is worth naming.</summary>
    private const float NotableDrop = 0.7f;

    /// <summary>One standby or silent day happens to anyone; two in a row is worth a line.</summary>
    private const int NotableRunDays = 2;

    private const int NotableDaysOf14 = 3;

    private static readonly FrozenDictionary<string, (string Korean, string English)> ArrearsSources =
        new Dictionary<string, (string, string)>(StringComparer.Ordinal)
        {
            ["arrears_months_electricity"] = ("전기요금", "electricity bill"),
            ["arrears_months_water"] = ("수도요금", "water bill"),
            ["arrears_months_gas"] = ("가스요금", "gas bill"),
            ["arrears_months_health_insurance"] = ("건강보험료", "health insurance"),
            ["arrears_months_telecom"] = ("통신요금", "phone bill"),
            ["arrears_months_rent"] = ("월세", "rent"),
            ["arrears_months_management_fee"] = ("관리비", "management fee"),
            ["arrears_months_pension"] = ("국민연금 보험료", "pension contributions"),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The reason a feature's value gives, or null when there is none to give: the feature is not something an officer can act
    /// on (age, sex, household size: <see cref="Profile"/> says those; meter presence), the value is unknown
    /// (<see cref="FeatureBuilder.Unknown"/>), or the value is unremarkable (0 months overdue, usage at 90% of usual).
    /// </summary>
    public static Reason? ForFeature(string featureName, float value)
    {
        ArgumentNullException.ThrowIfNull(featureName);
        if (float.IsNaN(value) || (value < 0 && featureName != "arrears_trend_60"))
        {
            return null;
        }

        var n = (int)MathF.Round(value);
        var text = featureName switch
        {
            "housing_gosiwon" when n == 1 => "고시원 거주 (lives in a gosiwon)",
            "housing_basement" when n == 1 => "반지하 거주 (lives in a basement flat)",
            "housing_rooftop" when n == 1 => "옥탑방 거주 (lives in a rooftop room)",

            "kwh_ratio_7_60" => Drop(value, "최근 7일 전기 사용량", "electricity last 7 days"),
            "kwh_ratio_14_60" => Drop(value, "최근 14일 전기 사용량", "electricity last 14 days"),
            "elec_flat_days" when n >= NotableRunDays => Invariant($"전기 사용 {n}일째 대기전력 수준 (electricity at standby {n} days)"),
            "standby_days_14" when n >= NotableDaysOf14 => Invariant($"최근 14일 중 {n}일 대기전력 수준 (standby {n} of the last 14 days)"),
            "active_hours_ratio_7_60" => Drop(value, "최근 7일 전기 사용 시간", "hours of electricity use last 7 days"),
            "water_ratio_7_60" => Drop(value, "최근 7일 수도 사용량", "water last 7 days"),

            "calls_out_ratio_14_60" => Drop(value, "최근 14일 발신 통화", "outgoing calls last 14 days"),
            "sms_out_ratio_14_60" => Drop(value, "최근 14일 문자 발신", "texts sent last 14 days"),
            "data_ratio_14_60" => Drop(value, "최근 14일 데이터 사용량", "mobile data last 14 days"),
            "telecom_silent_days" when n >= NotableRunDays => Invariant($"발신 통화·문자 {n}일째 없음 (no outgoing calls or texts {n} days)"),
            "days_without_outgoing_14" when n >= NotableDaysOf14 => Invariant($"최근 14일 중 {n}일 발신 없음 (no outgoing contact {n} of the last 14 days)"),
            "calls_in_unanswered_ratio_14" when value >= 0.5f => Invariant($"걸려온 전화 {Percent(value)}%에 회신 없음 ({Percent(value)}% of incoming calls not returned)"),

            _ when n >= 1 && ArrearsSources.TryGetValue(featureName, out var source) =>
                Invariant($"{source.Korean} {n}개월 체납 ({source.English} {n} {Months(n)} overdue)"),
            "arrears_source_count" when n >= 2 => Invariant($"{n}종 체납 (arrears on {n} kinds of bills)"),
            "arrears_total_krw_log" => Amount(value),
            "arrears_max_months" when n >= 1 => Invariant($"최장 {n}개월 체납 (longest arrears {n} {Months(n)})"),
            "cutoff_or_restricted" when n == 1 => "단전·단수 등 공급 제한 (supply restricted or cut off)",
            "arrears_trend_60" when n >= 1 => Invariant($"최근 60일간 체납 {n}개월 증가 (arrears grew {n} {Months(n)} in 60 days)"),

            "basic_livelihood" when n == 1 => "기초생활수급 중 (receives basic livelihood support)",
            "livelihood_ended_180d" when n == 1 => "6개월 내 기초생활수급 중지 (basic livelihood support ended within 6 months)",
            "job_loss_180d" when n == 1 => "6개월 내 실직 (lost a job within 6 months)",
            "medical_overspend_365d" when n == 1 => "1년 내 과다 의료비 (high medical costs within a year)",
            "disability" when n == 1 => "장애 등록 (registered disability)",
            "long_term_care" when n == 1 => "장기요양 등급 (long-term care grade)",
            "emergency_aid_365d" when n == 1 => "1년 내 긴급복지 지원 (emergency aid within a year)",
            "near_poverty" when n == 1 => "차상위계층 (near-poverty group)",

            "reports_30d" when n >= 1 => Invariant($"최근 30일 신고 {n}건 ({n} {Reports(n)} in 30 days)"),
            "reports_90d" when n >= 1 => Invariant($"최근 90일 신고 {n}건 ({n} {Reports(n)} in 90 days)"),
            _ => null,
        };

        return text is null ? null : new Reason(featureName, text);
    }

    /// <summary>Who lives there: "1인 가구, 78세 남성 (lives alone, 78, male)" or "3인 가구, 65세 이상 1명 (3 persons, 1 aged 65+)".</summary>
    public static Reason Profile(HouseholdHistory history, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(history);
        var p = history.Profile;
        if (p.HouseholdSize <= 1)
        {
            var age = FeatureBuilder.AgeOn(p.HeadBirthDate, asOf);
            var (sexKo, sexEn) = p.HeadSex == Sex.Male ? ("남성", "male") : ("여성", "female");
            return new Reason("profile", Invariant($"1인 가구, {age}세 {sexKo} (lives alone, {age}, {sexEn})"));
        }

        return new Reason("profile", p.MembersAged65Plus > 0
            ? Invariant($"{p.HouseholdSize}인 가구, 65세 이상 {p.MembersAged65Plus}명 ({p.HouseholdSize} persons, {p.MembersAged65Plus} aged 65+)")
            : Invariant($"{p.HouseholdSize}인 가구 ({p.HouseholdSize} persons)"));
    }

    /// <summary>The flatline lane's reason: "전기 사용 5일째 대기전력 수준, 발신 통화·문자 3일째 없음 (electricity at standby 5 days, no outgoing calls or texts 3 days)".</summary>
    public static Reason Flatline(FlatlineSignal signal)
    {
        var korean = new List<string>(3);
        var english = new List<string>(3);
        if (signal.ElectricityFlatDays > 0)
        {
            korean.Add(Invariant($"전기 사용 {signal.ElectricityFlatDays}일째 대기전력 수준"));
            english.Add(Invariant($"electricity at standby {signal.ElectricityFlatDays} {Days(signal.ElectricityFlatDays)}"));
        }

        if (signal.TelecomSilentDays > 0)
        {
            korean.Add(Invariant($"발신 통화·문자 {signal.TelecomSilentDays}일째 없음"));
            english.Add(Invariant($"no outgoing calls or texts {signal.TelecomSilentDays} {Days(signal.TelecomSilentDays)}"));
            if (signal.CallsInWhileSilent > 0)
            {
                korean.Add(Invariant($"그동안 걸려온 전화 {signal.CallsInWhileSilent}통"));
                english.Add(Invariant($"{signal.CallsInWhileSilent} incoming {(signal.CallsInWhileSilent == 1 ? "call" : "calls")} meanwhile"));
            }
        }

        if (korean.Count == 0)
        {
            return new Reason("flatline", signal.HasMeter || signal.HasPhone
                ? "전기·통신 사용 이상 없음 (electricity and phone in use)"
                : "전기·통신 자료 없음 (no electricity or phone data)");
        }

        return new Reason("flatline", $"{string.Join(", ", korean)} ({string.Join(", ", english)})");
    }

    private static string? Drop(float ratio, string korean, string english)
    {
        if (ratio > NotableDrop)
        {
            return null;
        }

        var percent = Percent(ratio);
        return Invariant($"{korean} 평소의 {percent}% ({english} at {percent}% of usual)");
    }

    /// <summary>Rounded to 10,000 won: officers think in 만 원, and the exact amount adds nothing to the decision.</summary>
    private static string? Amount(float logAmount)
    {
        var manWon = (long)Math.Round((Math.Exp(logAmount) - 1) / 10_000);
        return manWon < 1
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"체납액 약 {manWon:N0}만 원 (arrears about {manWon * 10_000:N0} won)");
    }

    private static int Percent(float ratio) => (int)MathF.Round(ratio * 100);

    private static string Months(int n) => n == 1 ? "month" : "months";

    private static string Days(int n) => n == 1 ? "day" : "days";

    private static string Reports(int n) => n == 1 ? "report" : "reports";
}
