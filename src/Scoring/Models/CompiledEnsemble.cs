using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace RiskWatch.Scoring.Models;

/// <summary>
/// The trained FastTree ensemble and Platt calibrator of a <see cref="RiskModel"/>, read out of ML.NET's public model
/// parameters (<see cref="RegressionTree"/> arrays, <see cref="PlattCalibrator"/> slope and offset) into flat arrays.
/// </summary>
/// <remarks>
/// Why: ML.NET's IDataView path costs a cursor, a VBuffer copy and several delegate calls per row, which held batch scoring
/// to a few hundred thousand rows a second; walking the same trees over the caller's arrays does the same arithmetic
/// (threshold test "value ≤ threshold goes left", as FastTree does; score = bias + Σ weight × leaf; p = Platt(score))
/// several times faster. A test holds it equal to the IDataView path.
/// </remarks>
internal sealed class CompiledEnsemble
{
    private readonly int[] _roots;        // per tree: first node index, or ~(leaf index) for a one-leaf tree
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly int[] _left;         // ≥ 0: node index; < 0: ~(global leaf index)
    private readonly int[] _right;
    private readonly double[] _leafValue; // already multiplied by the tree's weight
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;

    private CompiledEnsemble(
        int[] roots, int[] feature, float[] threshold, int[] left, int[] right, double[] leafValue, double bias, double slope, double offset)
    {
        (_roots, _feature, _threshold, _left, _right, _leafValue, _bias, _slope, _offset) =
            (roots, feature, threshold, left, right, leafValue, bias, slope, offset);
    }

    /// <summary>The compiled form of a chain of (FastTree binary, Platt calibrator), or null for any other shape.</summary>
    public static CompiledEnsemble? TryCompile(ITransformer model)
    {
        if (model is not TransformerChain<ITransformer> chain)
        {
            return null;
        }

        var trees = chain
            .OfType<ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>>>()
            .FirstOrDefault();
        var platt = chain.OfType<CalibratorTransformer<PlattCalibrator>>().FirstOrDefault();
        if (trees is null || platt is null || PlattOf(platt) is not { } calibrator)
        {
            return null;
        }

        var ensemble = trees.Model.SubModel.TrainedTreeEnsemble;
        var roots = new List<int>();
        var feature = new List<int>();
        var threshold = new List<float>();
        var left = new List<int>();
        var right = new List<int>();
        var leaves = new List<double>();
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            if (tree.CategoricalSplitFlags.Any(f => f))
            {
                return null; // RiskWatch has no categorical features; if it ever does, the IDataView path handles them
            }

            var weight = ensemble.TreeWeights[t];
            var nodeBase = feature.Count;
            var leafBase = leaves.Count;
            roots.Add(tree.NumberOfNodes == 0 ? ~leafBase : nodeBase);
            for (var n = 0; n < tree.NumberOfNodes; n++)
            {
                feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                threshold.Add(tree.NumericalSplitThresholds[n]);
                left.Add(tree.LeftChild[n] >= 0 ? nodeBase + tree.LeftChild[n] : ~(leafBase + ~tree.LeftChild[n]));
                right.Add(tree.RightChild[n] >= 0 ? nodeBase + tree.RightChild[n] : ~(leafBase + ~tree.RightChild[n]));
            }

            foreach (var value in tree.LeafValues)
            {
                leaves.Add(weight * value);
            }
        }

        return new CompiledEnsemble(
            [.. roots], [.. feature], [.. threshold], [.. left], [.. right], [.. leaves], ensemble.Bias, calibrator.Slope, calibrator.Offset);
    }

    /// <summary>Calibrated probabilities of <paramref name="rows"/> into <paramref name="output"/>.</summary>
    public void Score(IReadOnlyList<float[]> rows, Span<float> output)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            output[i] = Probability(rows[i]);
        }
    }

    public float Probability(ReadOnlySpan<float> x)
    {
        var score = _bias;
        var feature = _feature;
        var threshold = _threshold;
        var left = _left;
        var right = _right;
        foreach (var root in _roots)
        {
            var node = root;
            while (node >= 0)
            {
                node = x[feature[node]] <= threshold[node] ? left[node] : right[node];
            }

            score += _leafValue[~node];
        }

        return (float)(1 / (1 + Math.Exp((_slope * score) + _offset)));
    }

    private static PlattCalibrator? PlattOf(CalibratorTransformer<PlattCalibrator> transformer) =>
        (transformer as ISingleFeaturePredictionTransformer<PlattCalibrator>)?.Model;
}
