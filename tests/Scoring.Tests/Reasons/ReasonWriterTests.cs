using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Reasons;
using RiskWatch.Scoring.Tests.Features;

namespace RiskWatch.Scoring.Tests.Reasons;

public sealed class ReasonWriterTests
{
    [Theory]
    [InlineData("arrears_months_health_insurance", 4f, "건강보험료 4개월 체납 (health insurance 4 months overdue)")]
    [InlineData("arrears_months_rent", 1f, "월세 1개월 체납 (rent 1 month overdue)")]
    [InlineData("elec_flat_days", 5f, "전기 사용 5일째 대기전력 수준 (electricity at standby 5 days)")]
    [InlineData("kwh_ratio_7_60", 0.35f, "최근 7일 전기 사용량 평소의 35% (electricity last 7 days at 35% of usual)")]
    [InlineData("telecom_silent_days", 3f, "발신 통화·문자 3일째 없음 (no outgoing calls or texts 3 days)")]
    [InlineData("arrears_total_krw_log", 13.65305f, "체납액 약 85만 원 (arrears about 850,000 won)")]
    [InlineData("cutoff_or_restricted", 1f, "단전·단수 등 공급 제한 (supply restricted or cut off)")]
    [InlineData("reports_30d", 2f, "최근 30일 신고 2건 (2 reports in 30 days)")]
    public void A_notable_value_reads_in_plain_korean_then_english(string feature, float value, string expected)
    {
        var reason = ReasonWriter.ForFeature(feature, value);

        Assert.Equal(new Reason(feature, expected), reason);
    }

    [Theory]
    [InlineData("head_age", 78f)]
    [InlineData("has_meter", 1f)]
    [InlineData("arrears_months_health_insurance", 0f)]
    [InlineData("kwh_ratio_7_60", 0.95f)]
    [InlineData("kwh_ratio_7_60", FeatureBuilder.Unknown)]
    [InlineData("elec_flat_days", 1f)]
    [InlineData("no_such_feature", 3f)]
    public void Unremarkable_or_non_actionable_values_give_no_reason(string feature, float value)
    {
        Assert.Null(ReasonWriter.ForFeature(feature, value));
    }

    [Fact]
    public void Every_feature_can_be_asked_about()
    {
        foreach (var name in FeatureSchema.Names)
        {
            foreach (var value in new[] { FeatureBuilder.Unknown, 0f, 0.3f, 1f, 5f, 14f })
            {
                var reason = ReasonWriter.ForFeature(name, value);
                Assert.True(reason is null || (reason.Code == name && reason.Text.Contains(" (", StringComparison.Ordinal)));
            }
        }
    }

    [Fact]
    public void Profile_of_a_person_living_alone_gives_age_and_sex()
    {
        var b = HistoryBuilder.Active(30);
        b.Profile = b.Profile with { HouseholdSize = 1, HeadBirthDate = new DateOnly(1948, 3, 2), HeadSex = Sex.Male };

        Assert.Equal("1인 가구, 77세 남성 (lives alone, 77, male)", ReasonWriter.Profile(b.Build(), new DateOnly(2026, 3, 1)).Text);
        Assert.Equal("1인 가구, 78세 남성 (lives alone, 78, male)", ReasonWriter.Profile(b.Build(), new DateOnly(2026, 3, 2)).Text);
    }

    [Fact]
    public void Profile_of_a_larger_household_gives_its_size()
    {
        var b = HistoryBuilder.Active(30);
        b.Profile = b.Profile with { HouseholdSize = 3, MembersAged65Plus = 0 };

        Assert.Equal(new Reason("profile", "3인 가구 (3 persons)"), ReasonWriter.Profile(b.Build(), new DateOnly(2026, 3, 1)));
    }

    [Fact]
    public void Flatline_combines_electricity_and_telecom()
    {
        var reason = ReasonWriter.Flatline(new FlatlineSignal(5, 3, HasMeter: true, HasPhone: true, CallsInWhileSilent: 4));

        Assert.Equal(
            "전기 사용 5일째 대기전력 수준, 발신 통화·문자 3일째 없음, 그동안 걸려온 전화 4통 " +
            "(electricity at standby 5 days, no outgoing calls or texts 3 days, 4 incoming calls meanwhile)",
            reason.Text);
        Assert.Equal("flatline", reason.Code);
    }
}
