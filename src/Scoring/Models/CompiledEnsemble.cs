using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Transforms;

namespace RiskWatch.Scoring.Models;

/// <summary>
/// The trained FastTree ensemble (and in a blend LightGbm's, each tree weighted by ½) and Platt calibrator of a
/// <see cref="RiskModel"/>, read out of ML.NET's public model parameters (<see cref="RegressionTree"/> arrays,
/// <see cref="PlattCalibrator"/> slope and offset) into one flat node array.
/// </summary>
/// <remarks>
/// <para>Why: ML.NET's IDataView path costs a cursor, a VBuffer copy and several delegate calls per row, which held batch
/// scoring to a few hundred thousand rows a second. This does the same arithmetic (threshold test "value ≤ threshold goes
/// left", as FastTree does; score = bias + Σ weight × leaf, summed in tree order in double; p = Platt(score)); a test holds
/// it equal to the IDataView path.</para>
/// <para>Rows are scored a block of 64 at a time, tree by tree, so one tree stays in L1 while the whole block goes through
/// it. Two kernels (<see cref="ScoringKernel"/>), chosen once in <see cref="TryCompile"/>, give identical sums:</para>
/// <para><see cref="ScoringKernel.Bitvector"/> (AVX2, trees of ≤ 32 leaves, which FastTree's default 31 are), after
/// QuickScorer (Lucchese et al., SIGIR 2015) without its sorted early exit: number a tree's leaves left to right; a row
/// that goes right at a split can reach none of the leaves of that split's left subtree, so AND those bits out of a mask
/// of reachable leaves; after every split of the tree has been tested the row's exit leaf is the lowest bit still set.
/// Every split is tested for every row, but 8 rows per compare and with no dependent loads or branches, where a walk
/// is a chain of ≈ 11 dependent loads per row and tree (a dotnet-trace profile of the walk put 98% of the scoring time in
/// that chain).</para>
/// <para><see cref="ScoringKernel.Walk"/> (any CPU, any tree): every row takes exactly the tree's depth in steps (a leaf
/// is a node whose two children are itself), so the walk has no data-dependent branch, only a select, and 8 rows are
/// walked together as independent load chains the CPU overlaps.</para>
/// </remarks>
internal sealed class CompiledEnsemble
{
    /// <summary>Rows per block: the block's features (64 × 48 floats, 12 KB, column-major) and the current tree stay in L1 together.</summary>
    private const int BlockRows = 64;

    /// <summary>Leaves a tree may have for <see cref="ScoringKernel.Bitvector"/>: one bit each in a 32-bit lane.</summary>
    private const int MaskBits = 32;

    private readonly Node[] _nodes;         // every tree's nodes, tree after tree; child indexes are relative to the tree
    private readonly double[] _leafValue;   // per node: leaf value × tree weight (0 for a split node)
    private readonly int[] _treeStart;
    private readonly int[] _treeDepth;
    private readonly double _bias;
    private readonly double _slope;
    private readonly double _offset;
    private readonly Bitvectors? _bitvectors; // null when a tree has more than 32 leaves

    /// <summary>The trees for <see cref="ScoringKernel.Bitvector"/>: splits in any order (the AND does not care), leaves left to right.</summary>
    /// <param name="Splits">Every tree's splits, tree after tree.</param>
    /// <param name="SplitStart">Tree t's splits are [SplitStart[t], SplitStart[t + 1]).</param>
    /// <param name="Leaves">Leaf value × tree weight of tree t's leaf k (left to right) at t × 32 + k, 0 past the tree's leaves.</param>
    private sealed record Bitvectors(Split[] Splits, int[] SplitStart, double[] Leaves);

    [StructLayout(LayoutKind.Sequential)]
    private struct Split
    {
        public int Column;      // feature index × BlockRows, as in Node
        public float Threshold;
        public uint Survivors;  // leaves still reachable when the row goes right: all bits but the left subtree's
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Node
    {
        public int Column;   // feature index × BlockRows: where the feature's values start in a block
        public float Threshold;
        public int Left;   // value ≤ threshold (and what a leaf points back to)
        public int Right;  // value > threshold, or NaN
    }

    private CompiledEnsemble(
        int featureCount, Node[] nodes, double[] leafValue, int[] treeStart, int[] treeDepth, Bitvectors? bitvectors, double bias, double slope, double offset)
    {
        FeatureCount = featureCount;
        (_nodes, _leafValue, _treeStart, _treeDepth, _bitvectors, _bias, _slope, _offset) = (nodes, leafValue, treeStart, treeDepth, bitvectors, bias, slope, offset);
        Kernel = SupportsBitvector ? ScoringKernel.Bitvector : ScoringKernel.Walk;
    }

    public int FeatureCount { get; }

    /// <summary>The kernel <see cref="Score(ReadOnlySpan{float}, Span{float})"/> uses: the fastest this CPU and these trees allow.</summary>
    public ScoringKernel Kernel { get; }

    /// <summary>Whether <see cref="ScoringKernel.Bitvector"/> can run: AVX2 (for 8-lane integer masks and the leaf gather) and ≤ 32 leaves per tree.</summary>
    public bool SupportsBitvector => _bitvectors is not null && Avx2.IsSupported;

    /// <summary>
    /// The compiled form of a chain <see cref="RiskModelTrainer"/> fits — FastTree binary then Platt, or the blend (FastTree,
    /// LightGbm, the average of their raw scores, Platt) — or null for any other shape, which scores through IDataView.
    /// </summary>
    /// <param name="blendsLightGbm">The manifest's word that this is the blend: its two members and the averaging expression must be there, and without it neither may be.</param>
    public static CompiledEnsemble? TryCompile(ITransformer model, int featureCount, bool blendsLightGbm)
    {
        if (model is not TransformerChain<ITransformer> chain)
        {
            return null;
        }

        var members = ModelMember.Of(chain);
        MemberKind[] expected = blendsLightGbm ? [MemberKind.FastTree, MemberKind.LightGbm] : [MemberKind.FastTree];
        var averages = chain.Count(t => t is ExpressionTransformer);
        var platt = chain.OfType<CalibratorTransformer<PlattCalibrator>>().FirstOrDefault();
        if (!members.Select(m => m.Kind).SequenceEqual(expected) || averages != (blendsLightGbm ? 1 : 0) || platt is null || PlattOf(platt) is not { } calibrator)
        {
            return null;
        }

        // A blend's score is the average of its members' (RiskModelTrainer.BlendExpression): every tree's weight and each
        // bias take a share, and the trees of both members are one list.
        var share = 1.0 / members.Count;
        var trees = members.SelectMany(m => m.Trees.Trees.Select((tree, t) => (Tree: tree, Weight: share * m.Trees.TreeWeights[t]))).ToArray();
        var bias = members.Sum(m => share * m.Trees.Bias);
        var nodes = new List<Node>();
        var values = new List<double>();
        var starts = new int[trees.Length];
        var depths = new int[trees.Length];
        var bitvectors = trees.All(t => t.Tree.NumberOfLeaves <= MaskBits)
            ? new Bitvectors(new Split[trees.Sum(t => t.Tree.NumberOfNodes)], new int[trees.Length + 1], new double[trees.Length * MaskBits])
            : null;
        for (var t = 0; t < trees.Length; t++)
        {
            var (tree, weight) = trees[t];
            if (tree.CategoricalSplitFlags.Any(f => f))
            {
                return null; // RiskWatch has no categorical features; if it ever does, the IDataView path handles them
            }

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
            if (bitvectors is not null)
            {
                AddBitvectorTree(tree, weight, t, bitvectors);
            }
        }

        return new CompiledEnsemble(featureCount, [.. nodes], [.. values], starts, depths, bitvectors, bias, calibrator.Slope, calibrator.Offset);
    }

    /// <summary>Tree <paramref name="t"/>'s splits and left-to-right leaves into <paramref name="into"/> (its earlier trees already there).</summary>
    private static void AddBitvectorTree(RegressionTree tree, double weight, int t, Bitvectors into)
    {
        var first = into.SplitStart[t];
        into.SplitStart[t + 1] = first + tree.NumberOfNodes;
        if (tree.NumberOfNodes == 0)
        {
            into.Leaves[t * MaskBits] = weight * tree.LeafValues[0]; // a stump: every row ends in leaf 0
            return;
        }

        var ordinal = 0;
        Visit(0);

        // In-order numbering makes every subtree's leaves one run of bits, so "not the left subtree" is one mask.
        void Visit(int child)
        {
            if (child < 0)
            {
                into.Leaves[(t * MaskBits) + ordinal++] = weight * tree.LeafValues[~child];
                return;
            }

            var leftFirst = ordinal;
            Visit(tree.LeftChild[child]);
            var leftBits = ((1UL << ordinal) - 1) ^ ((1UL << leftFirst) - 1);
            Visit(tree.RightChild[child]);
            into.Splits[first + child] = new Split
            {
                Column = tree.NumericalSplitFeatureIndexes[child] * BlockRows, // checked against featureCount by the caller
                Threshold = tree.NumericalSplitThresholds[child],
                Survivors = ~(uint)leftBits,
            };
        }
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

            ScoreBlock(block, count, output.Slice(start, count), Kernel);
        }
    }

    /// <summary>Calibrated probabilities of the rows of a row-major matrix (<see cref="FeatureCount"/> floats per row) into <paramref name="output"/>.</summary>
    public void Score(ReadOnlySpan<float> matrix, Span<float> output) => Score(matrix, output, Kernel);

    /// <summary>The same with a chosen kernel: tests hold both to ML.NET, the benchmark measures one against the other.</summary>
    /// <exception cref="NotSupportedException"><see cref="ScoringKernel.Bitvector"/> without <see cref="SupportsBitvector"/>.</exception>
    public void Score(ReadOnlySpan<float> matrix, Span<float> output, ScoringKernel kernel)
    {
        if (kernel == ScoringKernel.Bitvector && !SupportsBitvector)
        {
            throw new NotSupportedException("The bitvector kernel needs AVX2 and trees of at most 32 leaves.");
        }

        var block = new float[BlockRows * FeatureCount];
        var rows = matrix.Length / FeatureCount;
        for (var start = 0; start < rows; start += BlockRows)
        {
            var count = Math.Min(BlockRows, rows - start);
            for (var r = 0; r < count; r++)
            {
                Transpose(matrix.Slice((start + r) * FeatureCount, FeatureCount), r, block);
            }

            ScoreBlock(block, count, output.Slice(start, count), kernel);
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

    private void ScoreBlock(float[] block, int count, Span<float> output, ScoringKernel kernel)
    {
        // Rows past count hold stale or zero values: scored, never returned.
        Span<double> score = stackalloc double[BlockRows];
        score.Fill(_bias);
        if (kernel == ScoringKernel.Bitvector)
        {
            AddLeavesBitvector(block, score);
        }
        else
        {
            AddLeavesWalking(block, count, score);
        }

        for (var r = 0; r < count; r++)
        {
            output[r] = (float)(1 / (1 + Math.Exp((_slope * score[r]) + _offset)));
        }
    }

    private void AddLeavesWalking(float[] block, int count, Span<double> score)
    {
        var lanes = (count + Lanes - 1) / Lanes * Lanes;
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
    }

    /// <summary>
    /// Adds every tree's leaf to the 64 rows of <paramref name="block"/> by <see cref="ScoringKernel.Bitvector"/>: the block's
    /// 8 groups of 8 rows each keep one vector of reachable-leaf masks (v0…v7, in registers) while the tree's splits go by.
    /// </summary>
    /// <remarks>
    /// Unchecked reads (Unsafe, pointers) because the bounds are fixed at compile time and a check per split would cost as
    /// much as the compare: a split's column is a feature index × 64 with the feature checked against the block's width,
    /// every group reads 8 floats of a 64-float column, and a leaf index is a bit of a 32-bit mask inside the tree's 32 slots.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void AddLeavesBitvector(float[] block, Span<double> score)
    {
        var trees = _bitvectors!;
        ref var x = ref MemoryMarshal.GetArrayDataReference(block);
        ref var splits = ref MemoryMarshal.GetArrayDataReference(trees.Splits);
        ref var sum = ref MemoryMarshal.GetReference(score);
        fixed (double* leaves = trees.Leaves)
        {
            for (var t = 0; t < trees.SplitStart.Length - 1; t++)
            {
                var v0 = Vector256<uint>.AllBitsSet;
                var v1 = v0;
                var v2 = v0;
                var v3 = v0;
                var v4 = v0;
                var v5 = v0;
                var v6 = v0;
                var v7 = v0;
                for (var s = trees.SplitStart[t]; s < trees.SplitStart[t + 1]; s++)
                {
                    ref var split = ref Unsafe.Add(ref splits, s);
                    var threshold = Vector256.Create(split.Threshold);
                    var survivors = Vector256.Create(split.Survivors);
                    ref var column = ref Unsafe.Add(ref x, split.Column);

                    // ≤ is false for NaN, so NaN goes right as in FastTree; a row that goes left keeps every bit.
                    v0 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column), threshold).AsUInt32();
                    v1 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 8), threshold).AsUInt32();
                    v2 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 16), threshold).AsUInt32();
                    v3 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 24), threshold).AsUInt32();
                    v4 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 32), threshold).AsUInt32();
                    v5 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 40), threshold).AsUInt32();
                    v6 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 48), threshold).AsUInt32();
                    v7 &= survivors | Vector256.LessThanOrEqual(Vector256.LoadUnsafe(ref column, 56), threshold).AsUInt32();
                }

                var table = leaves + (t * MaskBits);
                AddExitLeaves(v0, table, ref sum);
                AddExitLeaves(v1, table, ref Unsafe.Add(ref sum, 8));
                AddExitLeaves(v2, table, ref Unsafe.Add(ref sum, 16));
                AddExitLeaves(v3, table, ref Unsafe.Add(ref sum, 24));
                AddExitLeaves(v4, table, ref Unsafe.Add(ref sum, 32));
                AddExitLeaves(v5, table, ref Unsafe.Add(ref sum, 40));
                AddExitLeaves(v6, table, ref Unsafe.Add(ref sum, 48));
                AddExitLeaves(v7, table, ref Unsafe.Add(ref sum, 56));
            }
        }
    }

    /// <summary>Adds the leaf of each of 8 rows (the lowest bit of its mask) from one tree's <paramref name="table"/> to <paramref name="sum"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddExitLeaves(Vector256<uint> reachable, double* table, ref double sum)
    {
        // AVX2 has no per-lane trailing-zero count: isolate the lowest bit (a power of two; the rightmost leaf is never
        // cleared, so there always is one) and read its exponent off the float it converts to exactly.
        var lowest = reachable & (Vector256<uint>.Zero - reachable);
        var exponent = Vector256.ShiftRightLogical(Vector256.ConvertToSingle(lowest.AsInt32()).AsInt32(), 23) & Vector256.Create(0xFF);
        var leaf = exponent - Vector256.Create(127); // 2^31 converts to -2^31: the mask drops the sign
        var low = Avx2.GatherVector256(table, leaf.GetLower(), sizeof(double));
        var high = Avx2.GatherVector256(table, leaf.GetUpper(), sizeof(double));
        (Vector256.LoadUnsafe(ref sum) + low).StoreUnsafe(ref sum);
        (Vector256.LoadUnsafe(ref sum, 4) + high).StoreUnsafe(ref sum, 4);
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
