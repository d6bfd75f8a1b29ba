namespace RiskWatch.Scoring.Models;

/// <summary>How <see cref="CompiledEnsemble"/> runs a block of rows through the trees; both give the same probabilities.</summary>
internal enum ScoringKernel
{
    /// <summary>Every row steps down each tree, one node per level, to the tree's depth: scalar code, any CPU, any tree size.</summary>
    Walk,

    /// <summary>
    /// Every split of a tree is compared for 8 rows at once (one 256-bit vector) and each row's exit leaf is read off a
    /// 32-bit mask of the leaves still reachable: needs AVX2 and trees of at most 32 leaves.
    /// </summary>
    Bitvector,
}
