using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;
using RiskWatch.Scoring.Reasons;

namespace RiskWatch.Scoring.Tests.Models;

public sealed class RiskModelTrainerTests(TrainedModelFixture fixture)
{
    [Fact]
    public void A_label_driven_by_two_features_is_learned_with_held_out_auc_above_point_eight()
    {
        var metrics = fixture.Model.Metrics;

        Assert.True(metrics.RocAuc > 0.8, $"ROC AUC {metrics.RocAuc:F3}");
        Assert.True(metrics.PrAuc > metrics.TestPositives / (double)metrics.TestRows, "PR AUC above the base rate");
        Assert.Equal(["top 1%", "top 2%", "top 5%"], metrics.AtK.Select(k => k.Label));
    }

    [Fact]
    public void Held_out_probabilities_are_calibrated_within_each_bin()
    {
        var bins = fixture.Model.Metrics.Calibration;

        Assert.Equal(10, bins.Count);
        Assert.Equal(fixture.Model.Metrics.TestRows, bins.Sum(b => b.Count));
        Assert.All(bins, b => Assert.True(
            Math.Abs(b.MeanPredicted - b.Observed) <= 0.1,
            $"bin {b.From:F3}–{b.To:F3}: predicted {b.MeanPredicted:F3}, observed {b.Observed:F3}"));
    }

    [Fact]
    public void The_last_quarter_of_as_of_dates_is_the_test_set()
    {
        var metrics = fixture.Model.Metrics;

        // 8 monthly as-of dates: the last 2 are the test set, the 6 before them train the validation model.
        Assert.Equal(SyntheticExamples.FirstAsOf.AddDays(6 * SyntheticExamples.DaysBetweenAsOfDates), metrics.TestFrom);
        Assert.Equal(2 * 2_000, metrics.TestRows);
        Assert.Equal(6 * 2_000, metrics.TrainRows);
        Assert.Equal(SyntheticExamples.FirstAsOf.AddDays(7 * SyntheticExamples.DaysBetweenAsOfDates), fixture.Model.TrainedThrough);
    }

    [Fact]
    public void Validation_rolls_the_cut_off_back_over_three_temporal_folds()
    {
        var folds = fixture.Model.Metrics.Folds!;

        // 8 as-of dates, 2 per test span: tested on dates 3–4, 5–6, 7–8, each fitted on every date before its span.
        Assert.Equal([2 * 2_000, 4 * 2_000, 6 * 2_000], folds.Select(f => f.TrainRows));
        Assert.All(folds, f => Assert.Equal(2 * 2_000, f.TestRows));
        Assert.Equal(SyntheticExamples.FirstAsOf.AddDays(2 * SyntheticExamples.DaysBetweenAsOfDates), folds[0].TestFrom);
        Assert.Equal(fixture.Model.Metrics.TestFrom, folds[^1].TestFrom);
        Assert.Equal(fixture.Model.Metrics.RocAuc, folds[^1].RocAuc);
        Assert.All(folds, f => Assert.True(f.RocAuc > 0.8, $"fold from {f.TestFrom}: ROC AUC {f.RocAuc:F3}"));
        Assert.InRange(fixture.Model.Metrics.RocAuc, fixture.Model.Metrics.RocAucLow, fixture.Model.Metrics.RocAucHigh);
    }

    [Fact]
    public void Precision_at_capacity_takes_k_rows_per_dong_and_as_of_date_with_ties_broken_by_household_key()
    {
        var examples = SyntheticExamples.Create(households: 400, asOfDates: 4, seed: 6);
        for (var i = 0; i < examples.Count; i++)
        {
            // Two dongs, so k = 5 per dong and date gives 10 rows for the single test date.
            examples[i] = examples[i] with { DongCode = i % 2 == 0 ? "2826051000" : "2826052000" };
        }

        var result = RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { Trees = 10, CapacityPerDong = 5 }, TestContext.Current.CancellationToken);

        var atCapacity = result.Metrics.AtK[0];
        Assert.Equal("capacity 5/dong/day", atCapacity.Label);
        Assert.Equal(10, atCapacity.K);
        Assert.Equal(ModelMetrics.TieBreakRule, result.Metrics.TieBreak);
        var expected = result.Test
            .GroupBy(t => t.Example.DongCode)
            .SelectMany(g => g.OrderByDescending(t => t.Probability).ThenBy(t => t.Example.HouseholdKey, StringComparer.Ordinal).Take(5))
            .Count(t => t.Example.Label);
        Assert.Equal(expected / 10.0, atCapacity.Precision, 9);
    }

    [Fact]
    public void A_test_fold_with_few_positives_carries_a_warning()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 4, seed: 3, intercept: -11);

        var result = RiskModelTrainer.Validate(
            ModelTarget.LonelyDeath, examples, new TrainingOptions { Trees = 10, MinimumPositives = 1 }, TestContext.Current.CancellationToken);

        Assert.Contains(result.Metrics.Warnings!, w => w.StartsWith("too few positives", StringComparison.Ordinal));
    }

    [Fact]
    public void Purging_leaves_out_training_rows_whose_label_window_reaches_into_the_test_period()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 8, seed: 4);

        var model = RiskModelTrainer.Train(
            ModelTarget.Crisis, examples, new TrainingOptions { Trees = 10, PurgeOverlappingLabels = true }, TestContext.Current.CancellationToken);

        // Test from the 7th date (day 180); a 60-day window must end before it, so only dates up to day 90 train.
        Assert.Equal(4 * 300, model.Metrics.TrainRows);
        Assert.Equal(2 * 300, model.Metrics.TestRows);
    }

    [Fact]
    public void Minimum_examples_per_leaf_is_chosen_on_the_earlier_folds_whatever_the_latest_fold_holds()
    {
        var examples = SyntheticExamples.Create(households: 600, asOfDates: 8, seed: 8);
        var options = new TrainingOptions { Trees = 20, MinimumExamplesPerLeaf = [2, 60, 600], LeafValues = [new()] };
        var testFrom = RiskModelTrainer.LatestTestFrom(examples);
        var upsideDown = examples.Select(e => e.AsOf >= testFrom ? e with { Label = !e.Label } : e).ToList();

        var tuning = RiskModelTrainer.Validate(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken).Metrics.Tuning!;
        var tuningUpsideDown = RiskModelTrainer.Validate(ModelTarget.Crisis, upsideDown, options, TestContext.Current.CancellationToken).Metrics.Tuning!;

        Assert.Equal(2, tuning.Folds);
        Assert.Equal([2, 60, 600], tuning.Candidates.Select(c => c.MinimumExamplesPerLeaf));
        var chosen = Assert.Single(tuning.Candidates, c => c.Chosen);
        Assert.Equal(chosen.MinimumExamplesPerLeaf, tuning.MinimumExamplesPerLeaf);
        Assert.Equal(tuning.Candidates.Max(c => c.MeanPrAuc), chosen.MeanPrAuc);

        // Turning the latest fold's labels upside down changes its figures, not the choice nor what the choice was made on.
        Assert.Equal(tuning.MinimumExamplesPerLeaf, tuningUpsideDown.MinimumExamplesPerLeaf);
        Assert.Equal(tuning.Candidates, tuningUpsideDown.Candidates);
    }

    [Fact]
    public void Smoothing_is_chosen_with_the_leaf_size_on_the_earlier_folds_whatever_the_latest_fold_holds()
    {
        var examples = SyntheticExamples.Create(households: 600, asOfDates: 8, seed: 8);
        var options = new TrainingOptions { Trees = 20, MinimumExamplesPerLeaf = [2, 60], LeafValues = [new(), new(Smoothing: 0.9)] };
        var testFrom = RiskModelTrainer.LatestTestFrom(examples);
        var upsideDown = examples.Select(e => e.AsOf >= testFrom ? e with { Label = !e.Label } : e).ToList();

        var tuning = RiskModelTrainer.Validate(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken).Metrics.Tuning!;
        var tuningUpsideDown = RiskModelTrainer.Validate(ModelTarget.Crisis, upsideDown, options, TestContext.Current.CancellationToken).Metrics.Tuning!;

        // Every pair is a candidate, leaf size first, and smoothing changes what the trees learn (so it is really applied).
        Assert.Equal([(2, 0.0), (2, 0.9), (60, 0.0), (60, 0.9)], tuning.Candidates.Select(c => (c.MinimumExamplesPerLeaf, c.Smoothing)));
        Assert.NotEqual(tuning.Candidates[0].MeanPrAuc, tuning.Candidates[1].MeanPrAuc);
        var chosen = Assert.Single(tuning.Candidates, c => c.Chosen);
        Assert.Equal((chosen.MinimumExamplesPerLeaf, chosen.Smoothing), (tuning.MinimumExamplesPerLeaf, tuning.Smoothing));
        Assert.Equal(tuning.Candidates.Max(c => c.MeanPrAuc), chosen.MeanPrAuc);

        // The latest fold's labels turned upside down change its figures, not the choice nor what it was made on.
        Assert.Equal((tuning.MinimumExamplesPerLeaf, tuning.Smoothing), (tuningUpsideDown.MinimumExamplesPerLeaf, tuningUpsideDown.Smoothing));
        Assert.Equal(tuning.Candidates, tuningUpsideDown.Candidates);
    }

    [Fact]
    public void A_leaf_cap_and_lighter_positive_weights_are_chosen_on_the_earlier_folds_whatever_the_latest_fold_holds()
    {
        var examples = SyntheticExamples.Create(households: 600, asOfDates: 8, seed: 8);
        var capped = new LeafValueSettings(MaximumTreeOutput: 0.05, PositiveWeightPower: 0.25);
        var options = new TrainingOptions { Trees = 20, MinimumExamplesPerLeaf = [2], LeafValues = [new(), capped, new(PositiveWeightPower: 0)] };
        var testFrom = RiskModelTrainer.LatestTestFrom(examples);
        var upsideDown = examples.Select(e => e.AsOf >= testFrom ? e with { Label = !e.Label } : e).ToList();

        var tuning = RiskModelTrainer.Validate(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken).Metrics.Tuning!;
        var tuningUpsideDown = RiskModelTrainer.Validate(ModelTarget.Crisis, upsideDown, options, TestContext.Current.CancellationToken).Metrics.Tuning!;

        // Every candidate is tried and recorded as given; the cap and the weights change what the trees learn (so they are
        // really applied), and the one with the best mean PR-AUC on the earlier folds is the one recorded as chosen.
        Assert.Equal(
            [(LeafValueSettings.NoCap, 0.5), (0.05, 0.25), (LeafValueSettings.NoCap, 0.0)],
            tuning.Candidates.Select(c => (c.MaximumTreeOutput, c.PositiveWeightPower)));
        Assert.Equal(3, tuning.Candidates.Select(c => c.MeanPrAuc).Distinct().Count());
        var chosen = Assert.Single(tuning.Candidates, c => c.Chosen);
        Assert.Equal(tuning.Candidates.Max(c => c.MeanPrAuc), chosen.MeanPrAuc);
        Assert.Equal((chosen.Smoothing, chosen.MaximumTreeOutput, chosen.PositiveWeightPower), (tuning.Smoothing, tuning.MaximumTreeOutput, tuning.PositiveWeightPower));

        // The latest fold's labels turned upside down change its figures, not the choice nor what it was made on.
        Assert.Equal((tuning.MaximumTreeOutput, tuning.PositiveWeightPower), (tuningUpsideDown.MaximumTreeOutput, tuningUpsideDown.PositiveWeightPower));
        Assert.Equal(tuning.Candidates, tuningUpsideDown.Candidates);
    }

    [Fact]
    public void The_chosen_leaf_values_are_the_saved_models()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 6, seed: 9);
        var options = new TrainingOptions { Trees = 10 };

        var chosen = RiskModelTrainer.Train(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken);
        var fixedAtChoice = RiskModelTrainer.Train(
            ModelTarget.Crisis, examples,
            options with
            {
                MinimumExamplesPerLeaf = [chosen.Metrics.Tuning!.MinimumExamplesPerLeaf],
                LeafValues = [new(chosen.Metrics.Tuning.Smoothing, chosen.Metrics.Tuning.MaximumTreeOutput, chosen.Metrics.Tuning.PositiveWeightPower)],
            },
            TestContext.Current.CancellationToken);

        var rows = examples.Select(e => e.Features).ToList();
        Assert.Equal(chosen.Score(rows), fixedAtChoice.Score(rows));
    }

    [Fact]
    public void One_candidate_fixes_the_tree_settings_without_a_tuning_record()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 6, seed: 9);

        var result = RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { Trees = 10, MinimumExamplesPerLeaf = [25], LeafValues = [new(Smoothing: 0.5)] }, TestContext.Current.CancellationToken);

        Assert.Null(result.Metrics.Tuning);
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { MinimumExamplesPerLeaf = [] }, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { LeafValues = [] }, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { LeafValues = [new(Smoothing: 1.0)] }, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { LeafValues = [new(MaximumTreeOutput: 0)] }, TestContext.Current.CancellationToken));
        Assert.Throws<ArgumentOutOfRangeException>(() => RiskModelTrainer.Validate(
            ModelTarget.Crisis, examples, new TrainingOptions { LeafValues = [new(PositiveWeightPower: -0.5)] }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Version_names_target_last_as_of_and_data_hash()
    {
        var model = fixture.Model;

        Assert.Equal($"crisis-20260803-{model.DataHash[..8]}", model.Version);
        Assert.Equal(64, model.DataHash.Length);
        Assert.Equal(FeatureSchema.Names, model.FeatureNames);
    }

    [Fact]
    public void Training_is_deterministic_whatever_the_order_of_the_examples()
    {
        var examples = SyntheticExamples.Create(households: 400, asOfDates: 6, seed: 5, intercept: -5);
        var options = new TrainingOptions { Trees = 20 };
        var first = RiskModelTrainer.Train(ModelTarget.Crisis, examples, options, TestContext.Current.CancellationToken);
        var shuffled = examples.OrderBy(_ => Random.Shared.Next()).ToList();
        var second = RiskModelTrainer.Train(ModelTarget.Crisis, shuffled, options, TestContext.Current.CancellationToken);

        Assert.Equal(first.Version, second.Version);
        var rows = examples.Select(e => e.Features).ToList();
        Assert.Equal(first.Score(rows), second.Score(rows));
        Assert.Equal(first.Metrics.RocAuc, second.Metrics.RocAuc);
        Assert.Equal(first.Metrics.Tuning!.Candidates, second.Metrics.Tuning!.Candidates);
    }

    [Fact]
    public void Explain_names_the_features_that_truly_drive_the_label()
    {
        var reasons = fixture.Model.Explain(SyntheticExamples.RiskyRow(), top: 2);

        Assert.Equal(
            ["arrears_months_health_insurance", "elec_flat_days"],
            reasons.Select(r => r.Code).Order(StringComparer.Ordinal));
        Assert.Contains(reasons, r => r.Text == "건강보험료 6개월 체납 (health insurance 6 months overdue)");
    }

    [Fact]
    public void Fast_scoring_over_the_trees_equals_the_ml_net_idataview_pass()
    {
        var model = fixture.Model;
        var rows = fixture.Examples.Select(e => e.Features).ToList();

        var fast = model.Score(rows);
        var reference = model.ScoreThroughDataView(rows);

        Assert.True(model.IsCompiled);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(fast[i] - reference[i]) < 1e-6, $"row {i}: {fast[i]} vs {reference[i]}");
        }
    }

    [Fact]
    public void Scoring_a_flat_matrix_equals_scoring_the_rows_one_array_each()
    {
        var model = fixture.Model;

        // Not a whole number of blocks, so the last, partial block is exercised too.
        var rows = fixture.Examples.Take(1_037).Select(e => e.Features).ToList();
        var matrix = rows.SelectMany(r => r).ToArray();
        var probabilities = new float[rows.Count];

        model.Score(matrix, probabilities);

        Assert.Equal(model.Score(rows), probabilities);
        Assert.Throws<ArgumentException>(() => model.Score(matrix.AsSpan(1), probabilities));
    }

    [Fact]
    public void Scores_rank_a_risky_row_above_a_quiet_one()
    {
        var quiet = new float[FeatureSchema.Count];
        var scores = fixture.Model.Score([SyntheticExamples.RiskyRow(), quiet]);

        Assert.True(scores[0] > 0.8f, $"risky {scores[0]:F3}");
        Assert.True(scores[1] < 0.05f, $"quiet {scores[1]:F3}");
    }

    [Fact]
    public void Scoring_and_explaining_from_several_threads_at_once_agree_with_one_thread()
    {
        var model = fixture.Model;
        var rows = fixture.Examples.Take(3_000).Select(e => e.Features).ToList();
        var expectedScores = model.Score(rows);
        var expectedReasons = model.Explain(rows[0], 3);
        var scores = new float[8][];
        var reasons = new IReadOnlyList<Reason>[8];

        Parallel.For(0, 8, i =>
        {
            scores[i] = model.Score(rows);
            reasons[i] = model.Explain(rows[0], 3);
        });

        Assert.All(scores, s => Assert.Equal(expectedScores, s));
        Assert.All(reasons, r => Assert.Equal(expectedReasons, r));
    }

    [Fact]
    public void Too_few_positives_is_refused_with_a_clear_message()
    {
        var examples = SyntheticExamples.Create(households: 300, asOfDates: 4, seed: 2, intercept: -14);
        var positives = examples.Count(e => e.Label);

        var error = Assert.Throws<InsufficientLabelsException>(
            () => RiskModelTrainer.Train(ModelTarget.LonelyDeath, examples, new TrainingOptions { MinimumPositives = positives + 1 }, TestContext.Current.CancellationToken));

        Assert.Equal(positives, error.PositivesFound);
        Assert.Equal(positives + 1, error.PositivesNeeded);
        Assert.Contains("lonely_death", error.Message, StringComparison.Ordinal);
        Assert.Contains("multiplier", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_of_the_wrong_width_are_refused()
    {
        var examples = SyntheticExamples.Create(households: 50, asOfDates: 2, seed: 1);
        examples[3] = examples[3] with { Features = new float[3] };

        Assert.Throws<ArgumentException>(() => RiskModelTrainer.Train(ModelTarget.Crisis, examples, new TrainingOptions(), TestContext.Current.CancellationToken));
    }
}
