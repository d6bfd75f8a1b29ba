using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Tests.Features;

public sealed class FeatureBuilderTests
{
    private static readonly DateOnly AsOf = HistoryBuilder.Start.AddDays(89);

    [Fact]
    public void Adding_data_after_as_of_leaves_every_feature_unchanged()
    {
        var random = new Random(7);
        for (var household = 0; household < 200; household++)
        {
            var days = random.Next(20, 200);
            var history = HistoryBuilder.Random(random, days);

            // As-of dates before the history, inside it, on its last day and after it.
            foreach (var asOfIndex in new[] { -5, 0, random.Next(days), random.Next(days), days - 1, days + 3 })
            {
                var asOf = HistoryBuilder.Start.AddDays(asOfIndex);
                var before = Features(history, asOf);

                // Loading more days is only "after D" when D lies inside the loaded history.
                var changed = HistoryBuilder.From(history, extraDays: asOfIndex < days ? 30 : 0);
                var firstAfter = Math.Max(0, asOfIndex + 1);
                if (firstAfter < changed.Kwh.Length)
                {
                    changed.Randomize(random, firstAfter, changed.Kwh.Length - 1);
                }

                for (var i = 0; i < 5; i++)
                {
                    changed.AddRandomEvents(random, asOf.AddDays(1), asOf.AddDays(400));
                }

                Assert.Equal(before, Features(changed.Build(), asOf));
            }
        }
    }

    [Fact]
    public void A_history_of_twenty_days_gives_every_feature_a_number()
    {
        var history = HistoryBuilder.Random(new Random(3), 20);
        foreach (var asOf in new[] { HistoryBuilder.Start.AddDays(19), HistoryBuilder.Start, HistoryBuilder.Start.AddDays(-1) })
        {
            var features = Features(history, asOf);
            Assert.All(features, value => Assert.True(float.IsFinite(value)));
        }
    }

    [Fact]
    public void Ordinary_life_reads_as_usual_usage_and_no_arrears()
    {
        var features = Features(HistoryBuilder.Active(120).Build(), AsOf);

        Assert.Equal(1f, Feature(features, "has_meter"));
        Assert.Equal(1f, Feature(features, "kwh_ratio_7_60"), 3);
        Assert.Equal(1f, Feature(features, "calls_out_ratio_14_60"), 3);
        Assert.Equal(0f, Feature(features, "elec_flat_days"));
        Assert.Equal(0f, Feature(features, "telecom_silent_days"));
        Assert.Equal(0f, Feature(features, "arrears_max_months"));
        Assert.Equal(78f, Feature(features, "head_age"));
        Assert.Equal(1f, Feature(features, "lives_alone"));
        Assert.Equal(1f, Feature(features, "housing_basement"));
    }

    [Fact]
    public void A_week_at_standby_shows_in_the_electricity_features()
    {
        var b = HistoryBuilder.Active(120).Standby(83, 89);
        var features = Features(b.Build(), AsOf);

        Assert.Equal(7f, Feature(features, "elec_flat_days"));
        Assert.Equal(7f, Feature(features, "standby_days_14"));
        Assert.Equal((1.2f + 0.5f) / (6f + 0.5f), Feature(features, "kwh_ratio_7_60"), 4);
        Assert.True(Feature(features, "active_hours_ratio_7_60") < 0.1f);
    }

    [Fact]
    public void Without_meter_or_phone_their_features_are_unknown_not_zero()
    {
        var b = HistoryBuilder.Active(120).MeterMissing(0, 119).NoTelecomRows(0, 119);
        b.TelecomLines = 0;
        var features = Features(b.Build(), AsOf);

        Assert.Equal(0f, Feature(features, "has_meter"));
        Assert.Equal(FeatureBuilder.Unknown, Feature(features, "kwh_ratio_7_60"));
        Assert.Equal(FeatureBuilder.Unknown, Feature(features, "elec_flat_days"));
        Assert.Equal(0f, Feature(features, "has_phone"));
        Assert.Equal(FeatureBuilder.Unknown, Feature(features, "calls_out_ratio_14_60"));
        Assert.Equal(FeatureBuilder.Unknown, Feature(features, "telecom_silent_days"));
    }

    [Fact]
    public void Arrears_take_the_latest_report_per_source_on_or_before_as_of()
    {
        var b = HistoryBuilder.Active(120)
            .Arrears(ArrearsSource.HealthInsurance, AsOf.AddDays(-80), 2, 180_000)
            .Arrears(ArrearsSource.HealthInsurance, AsOf.AddDays(-10), 4, 360_000)
            .Arrears(ArrearsSource.HealthInsurance, AsOf.AddDays(1), 0, 0)
            .Arrears(ArrearsSource.Electricity, AsOf.AddDays(-3), 3, 150_000, SupplyAction.Restricted)
            .Arrears(ArrearsSource.Gas, AsOf.AddDays(-40), 2, 50_000)
            .Arrears(ArrearsSource.Gas, AsOf.AddDays(-20), 0, 0);
        var features = Features(b.Build(), AsOf);

        Assert.Equal(4f, Feature(features, "arrears_months_health_insurance"));
        Assert.Equal(3f, Feature(features, "arrears_months_electricity"));
        Assert.Equal(0f, Feature(features, "arrears_months_gas"));
        Assert.Equal(2f, Feature(features, "arrears_source_count"));
        Assert.Equal(4f, Feature(features, "arrears_max_months"));
        Assert.Equal(1f, Feature(features, "cutoff_or_restricted"));
        Assert.Equal((float)Math.Log(1 + 510_000.0), Feature(features, "arrears_total_krw_log"), 4);

        // Now 4 + 3 months overdue; 60 days earlier only the 2 months of health insurance.
        Assert.Equal(5f, Feature(features, "arrears_trend_60"));
    }

    [Fact]
    public void Welfare_events_count_within_their_windows()
    {
        var b = HistoryBuilder.Active(120)
            .Welfare(WelfareEventKind.BasicLivelihoodStart, AsOf.AddDays(-300))
            .Welfare(WelfareEventKind.BasicLivelihoodEnd, AsOf.AddDays(-100))
            .Welfare(WelfareEventKind.JobLoss, AsOf.AddDays(-179))
            .Welfare(WelfareEventKind.EmergencyAid, AsOf.AddDays(-365))
            .Report(AsOf.AddDays(-29))
            .Report(AsOf.AddDays(-30))
            .Report(AsOf);
        var features = Features(b.Build(), AsOf);

        Assert.Equal(0f, Feature(features, "basic_livelihood"));
        Assert.Equal(1f, Feature(features, "livelihood_ended_180d"));
        Assert.Equal(1f, Feature(features, "job_loss_180d"));
        Assert.Equal(0f, Feature(features, "emergency_aid_365d"));
        Assert.Equal(2f, Feature(features, "reports_30d"));
        Assert.Equal(3f, Feature(features, "reports_90d"));
    }

    [Fact]
    public void Build_allocates_nothing()
    {
        var history = HistoryBuilder.Active(400)
            .Arrears(ArrearsSource.Rent, AsOf, 2, 900_000)
            .Welfare(WelfareEventKind.DisabilityRegistered, AsOf)
            .Report(AsOf)
            .Build();
        var destination = new float[FeatureSchema.Count];
        FeatureBuilder.Build(history, AsOf, destination);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            FeatureBuilder.Build(history, AsOf.AddDays(i % 300), destination);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Schema_names_are_unique_and_indexed()
    {
        Assert.Equal(FeatureSchema.Count, FeatureSchema.Names.Distinct(StringComparer.Ordinal).Count());
        for (var i = 0; i < FeatureSchema.Count; i++)
        {
            Assert.Equal(i, FeatureSchema.IndexOf(FeatureSchema.Names[i]));
        }

        Assert.Equal(-1, FeatureSchema.IndexOf("no_such_feature"));
    }

    [Fact]
    public void Arrears_month_features_follow_the_source_order()
    {
        var first = FeatureSchema.IndexOf("arrears_months_electricity");
        foreach (var source in Enum.GetValues<ArrearsSource>())
        {
            var snake = string.Concat(source.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
            Assert.Equal("arrears_months_" + snake, FeatureSchema.Names[first + (int)source]);
        }
    }

    internal static float[] Features(HouseholdHistory history, DateOnly asOf)
    {
        var features = new float[FeatureSchema.Count];
        FeatureBuilder.Build(history, asOf, features);
        return features;
    }

    internal static float Feature(float[] features, string name) => features[FeatureSchema.IndexOf(name)];
}
