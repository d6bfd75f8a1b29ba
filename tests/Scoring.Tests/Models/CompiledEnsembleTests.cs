using System.Runtime.Intrinsics.X86;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Models;

namespace RiskWatch.Scoring.Tests.Models;

/// <summary>
/// Each kernel of the compiled scorer, forced in turn, held to ML.NET's own IDataView pass. <c>./test</c> runs this class a
/// second time with <c>DOTNET_EnableAVX2=0</c>, so the choice and the refusal are also checked as a CPU without AVX2 sees them.
/// </summary>
public sealed class CompiledEnsembleTests(TrainedModelFixture fixture)
{
    [Fact]
    public void The_bitvector_kernel_is_the_default_wherever_the_cpu_has_avx2()
    {
        var compiled = fixture.Model.Compiled!;

        // FastTree's default 31 leaves fit the 32-bit masks, so only the CPU decides.
        Assert.Equal(Avx2.IsSupported, compiled.SupportsBitvector);
        Assert.Equal(Avx2.IsSupported ? ScoringKernel.Bitvector : ScoringKernel.Walk, compiled.Kernel);
    }

    [Fact]
    public void The_portable_walk_forced_on_any_cpu_equals_the_ml_net_idataview_pass()
    {
        var rows = RowsWithEdgeValues();

        AssertEqualsMlNet(fixture.Model, rows, Score(fixture.Model, rows, ScoringKernel.Walk));
    }

    [Fact]
    public void The_avx2_bitvector_kernel_equals_the_ml_net_idataview_pass_and_the_walk_to_the_bit()
    {
        var rows = RowsWithEdgeValues();
        if (!Avx2.IsSupported)
        {
            // Without AVX2 the kernel must refuse rather than run emulated; the walk above is what such a CPU scores with.
            Assert.Throws<NotSupportedException>(() => Score(fixture.Model, rows, ScoringKernel.Bitvector));
            return;
        }

        var bitvector = Score(fixture.Model, rows, ScoringKernel.Bitvector);

        AssertEqualsMlNet(fixture.Model, rows, bitvector);
        Assert.Equal(Score(fixture.Model, rows, ScoringKernel.Walk), bitvector);
    }

    [Fact]
    public void Trees_of_more_than_32_leaves_are_walked_and_still_equal_the_ml_net_idataview_pass()
    {
        var model = RiskModelTrainer.FitUnvalidated(
            ModelTarget.Crisis, fixture.Examples, new TrainingOptions { Trees = 5, Leaves = 64, MinimumExamplesPerLeaf = [2] },
            cancellationToken: TestContext.Current.CancellationToken);
        var rows = RowsWithEdgeValues();

        var compiled = model.Compiled!;

        Assert.False(compiled.SupportsBitvector);
        Assert.Equal(ScoringKernel.Walk, compiled.Kernel);
        AssertEqualsMlNet(model, rows, model.Score(rows));
        Assert.Throws<NotSupportedException>(() => Score(model, rows, ScoringKernel.Bitvector));
    }

    /// <summary>
    /// The fixture's rows (small integers, a number of rows that leaves a partial last block) and rows that probe the
    /// threshold test: FastTree's thresholds fall halfway between the integers it saw, so x.5 hits "equal goes left";
    /// NaN must go right; negative and infinite values lie outside every bin.
    /// </summary>
    private List<float[]> RowsWithEdgeValues()
    {
        var rows = fixture.Examples.Take(1_000).Select(e => e.Features).ToList();
        float[] edges = [-1, 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var random = new Random(5);
        for (var i = 0; i < 101; i++)
        {
            var row = new float[FeatureSchema.Count];
            for (var f = 0; f < row.Length; f++)
            {
                row[f] = random.Next(3) == 0 ? edges[random.Next(edges.Length)] : random.Next(0, 8);
            }

            rows.Add(row);
        }

        return rows;
    }

    private static float[] Score(RiskModel model, List<float[]> rows, ScoringKernel kernel)
    {
        var probabilities = new float[rows.Count];
        model.Compiled!.Score(rows.SelectMany(r => r).ToArray(), probabilities, kernel);
        return probabilities;
    }

    private static void AssertEqualsMlNet(RiskModel model, List<float[]> rows, float[] probabilities)
    {
        var reference = model.ScoreThroughDataView(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.True(Math.Abs(probabilities[i] - reference[i]) < 1e-6, $"row {i}: {probabilities[i]} vs ML.NET {reference[i]}");
        }
    }
}
