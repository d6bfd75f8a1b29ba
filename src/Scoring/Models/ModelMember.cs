using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;

namespace RiskWatch.Scoring.Models;

/// <summary>Which learner fitted a <see cref="ModelMember"/>.</summary>
internal enum MemberKind
{
    FastTree,
    LightGbm,
}

/// <summary>
/// One tree ensemble in a model's chain (FastTree's, and in a blend LightGbm's): its trees, which
/// <see cref="CompiledEnsemble"/> compiles, and ML.NET's feature contributions to its raw score, which
/// <see cref="RiskModel.Explain"/> averages over the members.
/// </summary>
internal sealed class ModelMember
{
    private readonly Func<TransformsCatalog, int, FeatureContributionCalculatingEstimator> _contributions;

    private ModelMember(MemberKind kind, RegressionTreeEnsemble trees, Func<TransformsCatalog, int, FeatureContributionCalculatingEstimator> contributions) =>
        (Kind, Trees, _contributions) = (kind, trees, contributions);

    public MemberKind Kind { get; }

    public RegressionTreeEnsemble Trees { get; }

    /// <summary>Every feature's contribution to this member's raw score, positive and negative ones both, not normalized.</summary>
    public FeatureContributionCalculatingEstimator SignedContributions(TransformsCatalog transforms, int featureCount) =>
        _contributions(transforms, featureCount);

    /// <summary>The tree ensembles of a model's chain, in chain order; the chain's other transformers are left out.</summary>
    public static IReadOnlyList<ModelMember> Of(TransformerChain<ITransformer> chain) =>
        [.. chain.Select(t => t switch
        {
            ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>> f =>
                new ModelMember(MemberKind.FastTree, f.Model.SubModel.TrainedTreeEnsemble, (transforms, count) => Signed(transforms, f, count)),
            ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator>> l =>
                new ModelMember(MemberKind.LightGbm, l.Model.SubModel.TrainedTreeEnsemble, (transforms, count) => Signed(transforms, l, count)),
            _ => null,
        }).OfType<ModelMember>()];

    private static FeatureContributionCalculatingEstimator Signed<TModel>(
        TransformsCatalog transforms, ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<TModel, PlattCalibrator>> member, int featureCount)
        where TModel : class, ICalculateFeatureContribution =>
        transforms.CalculateFeatureContribution(
            member, numberOfPositiveContributions: featureCount, numberOfNegativeContributions: featureCount, normalize: false);
}
