using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace RiskWatch.Scoring.Models;

/// <summary>
/// The trained FastTree ensemble and Platt calibrator of a <see cref="RiskModel"/>, read out of ML.NET's public model
/// parameters (<see cref="RegressionTree"/> arrays, <see cref="PlattCalibrator"/> slope and offset) into one flat node array.
/// </summary>
/// <remarks>
/// <para>Why: ML.NET's IDataView path costs a cursor, a VBuffer copy and several delegate calls per row, which held batch
/// scoring to a few hundred thousand rows a second. This does the same arithmetic (threshold test "value ≤ threshold goes
/// left", as FastTree does; score = bias + Σ weight × leaf, summed in tree order in double; p = Platt(score)); a test holds
/// it equal to the IDataView path.</para>
/// <para>How it is fast: rows are scored a block at a time, tree by tree, so one tree (≈ 1 KB) stays in L1 while the whole
/// block walks it; within a tree every row takes the same number of steps (the tree's depth: a leaf is a node whose two
/// children are itself), so the walk has no data-dependent branch, only a select, and the rows of a block are independent
/// chains the CPU overlaps.</para>
/// </remarks>
internal sealed class CompiledEnsemble
{
    /// <summary>Rows per block: the block's features (64 × 48 floats, 12 KB, column-major) and the current tree stay in L1 together.</summary>
    private const int BlockRows = 64;

    private readonly Node[] _nodes;         // every tree's nodes, tree after tree; child indexes are relative to the tree
    private readonly double[] _leafValue;   // per node: leaf value × tree weight (0 for a split node)
    private readonly int[] _treeStart;
    private readonly int[] _treeDepth;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;

    [StructLayout(LayoutKind.Sequential)]
    private struct Node
    {
        public int Column;   // feature index × BlockRows: where the feature's values start in a block
        public float Threshold;
        public int Left;   // value ≤ threshold (and what a leaf points back to)
        public int Right;  // value > threshold, or NaN
    }

    private CompiledEnsemble(int featureCount, Node[] nodes, double[] leafValue, int[] treeStart, int[] treeDepth, double bias, double slope, double offset)
    {
        FeatureCount = featureCount;
        (_nodes, _leafValue, _treeStart, _treeDepth, _bias, _slope, _offset) = (nodes, leafValue, treeStart, treeDepth, bias, slope, offset);
    }

    public int FeatureCount { get; }

    /// <summary>The compiled form of a chain of (FastTree binary, Platt calibrator), or null for any other shape.</summary>
    public static CompiledEnsemble? TryCompile(ITransformer model, int featureCount)
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
        var nodes = new List<Node>();
        var values = new List<double>();
        var starts = new int[ensemble.Trees.Count];
        var depths = new int[ensemble.Trees.Count];
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            if (tree.CategoricalSplitFlags.Any(f => f))
            {
                return null; // RiskWatch has no categorical features; if it ever does, the IDataView path handles them
            }

            var weight = ensemble.TreeWeights[t];
            var splits = tree.NumberOfNodes;
            starts[t] = nodes.Count;

            // Split nodes keep their index; leaf i becomes node splits + i, pointing to itself.
            int Local(int child) => child >= 0 ? child : splits + ~child;
            for (var n = 0; n < splits; n++)
            {
                var feature = tree.NumericalSplitFeatureIndexes[n];
                if (feature < 0 || feature >= featureCount)
                {
                    return null;
                }

                nodes.Add(new Node
                {
                    Column = feature * BlockRows,
                    Threshold = tree.NumericalSplitThresholds[n],
                    Left = Local(tree.LeftChild[n]),
                    Right = Local(tree.RightChild[n]),
                });
                values.Add(0);
            }

            for (var leaf = 0; leaf < tree.LeafValues.Count; leaf++)
            {
                nodes.Add(new Node { Column = 0, Threshold = 0, Left = splits + leaf, Right = splits + leaf });
                values.Add(weight * tree.LeafValues[leaf]);
            }

            depths[t] = splits == 0 ? 0 : Depth(tree, 0);
        }

        return new CompiledEnsemble(featureCount, [.. nodes], [.. values], starts, depths, ensemble.Bias, calibrator.Slope, calibrator.Offset);
    }

    private static int Depth(RegressionTree tree, int node) =>
        1 + Math.Max(
            tree.LeftChild[node] < 0 ? 0 : Depth(tree, tree.LeftChild[node]),
            tree.RightChild[node] < 0 ? 0 : Depth(tree, tree.RightChild[node]));

    /// <summary>Calibrated probabilities of <paramref name="rows"/> (each <see cref="FeatureCount"/> long) into <paramref name="output"/>.</summary>
    public void Score(IReadOnlyList<float[]> rows, Span<float> output)
    {
        var block = new float[BlockRows * FeatureCount];
        for (var start = 0; start < rows.Count; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rows.Count - start);
            for (var r = 0; r < count; r++)
            {
                Transpose(rows[start + r], r, block);
            }

            ScoreBlock(block, count, output.Slice(start, count));
        }
    }

    /// <summary>Calibrated probabilities of the rows of a row-major matrix (<see cref="FeatureCount"/> floats per row) into <paramref name="output"/>.</summary>
    public void Score(ReadOnlySpan<float> matrix, Span<float> output)
    {
        var block = new float[BlockRows * FeatureCount];
        var rows = matrix.Length / FeatureCount;
        for (var start = 0; start < rows; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rows - start);
            for (var r = 0; r < count; r++)
            {
                Transpose(matrix.Slice((start + r) * FeatureCount, FeatureCount), r, block);
            }

            ScoreBlock(block, count, output.Slice(start, count));
        }
    }

    /// <summary>Row <paramref name="r"/> of a block into its column-major layout (feature f of row r at f × <see cref="BlockRows"/> + r).</summary>
    private static void Transpose(ReadOnlySpan<float> row, int r, float[] block)
    {
        ref var to = ref block[r];
        for (var f = 0; f < row.Length; f++)
        {
            Unsafe.Add(ref to, f * BlockRows) = row[f];
        }
    }

    private void ScoreBlock(float[] block, int count, Span<float> output)
    {
        Span<double> score = stackalloc double[BlockRows];
        score.Fill(_bias);
        var lanes = (count + Lanes - 1) / Lanes * Lanes; // rows past count hold stale or zero values: scored, never returned
        for (var t = 0; t < _treeStart.Length; t++)
        {
            ref var root = ref _nodes[_treeStart[t]];
            ref var leaves = ref _leafValue[_treeStart[t]];
            var depth = _treeDepth[t];
            for (var r = 0; r < lanes; r += Lanes)
            {
                Walk(ref root, ref block[r], depth, ref leaves, score.Slice(r, Lanes));
            }
        }

        for (var r = 0; r < count; r++)
        {
            output[r] = (float)(1 / (1 + Math.Exp((_slope * score[r]) + _offset)));
        }
    }

    /// <summary>Rows walked down one tree together, each an independent chain of loads the CPU overlaps with the others.</summary>
    private const int Lanes = 8;

    /// <summary>
    /// Moves <see cref="Lanes"/> rows of the block (the first at <paramref name="x"/>) <paramref name="depth"/> levels down one
    /// tree and adds their leaves to <paramref name="score"/>. The positions stay in registers; indexes are unchecked: node
    /// columns are checked against the feature count when compiling, children are the tree's own nodes, and the block is
    /// always full size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Walk(ref Node root, ref float x, int depth, ref double leaves, Span<double> score)
    {
        int p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0;
        for (var step = depth; step > 0; step--)
        {
            p0 = Next(ref root, p0, ref x);
            p1 = Next(ref root, p1, ref Unsafe.Add(ref x, 1));
            p2 = Next(ref root, p2, ref Unsafe.Add(ref x, 2));
            p3 = Next(ref root, p3, ref Unsafe.Add(ref x, 3));
            p4 = Next(ref root, p4, ref Unsafe.Add(ref x, 4));
            p5 = Next(ref root, p5, ref Unsafe.Add(ref x, 5));
            p6 = Next(ref root, p6, ref Unsafe.Add(ref x, 6));
            p7 = Next(ref root, p7, ref Unsafe.Add(ref x, 7));
        }

        score[0] += Unsafe.Add(ref leaves, p0);
        score[1] += Unsafe.Add(ref leaves, p1);
        score[2] += Unsafe.Add(ref leaves, p2);
        score[3] += Unsafe.Add(ref leaves, p3);
        score[4] += Unsafe.Add(ref leaves, p4);
        score[5] += Unsafe.Add(ref leaves, p5);
        score[6] += Unsafe.Add(ref leaves, p6);
        score[7] += Unsafe.Add(ref leaves, p7);
    }

    /// <summary>One level down: Left and Right sit side by side, picked by the comparison without a branch (NaN fails ≤ and goes right).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Next(ref Node root, int position, ref float row)
    {
        ref var node = ref Unsafe.Add(ref root, position);
        return Unsafe.Add(ref node.Left, Unsafe.Add(ref row, node.Column) <= node.Threshold ? 0 : 1);
    }

    private static PlattCalibrator? PlattOf(CalibratorTransformer<PlattCalibrator> transformer) =>
        (transformer as ISingleFeaturePredictionTransformer<PlattCalibrator>)?.Model;
}
