using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using RiskWatch.Scoring.Features;
using RiskWatch.Scoring.Reasons;

namespace RiskWatch.Scoring.Models;

/// <summary>A trained, calibrated model for one target: scores feature rows, explains one row, saves itself.</summary>
/// <remarks>Scoring and explaining only read; both are safe to call from several threads at once.</remarks>
public sealed class RiskModel
{
    internal const string ProbabilityColumn = "Probability";
    private const string ContributionsColumn = "FeatureContributions";

    private readonly ModelManifest _manifest;
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly Lazy<ITransformer[]> _contributions;
    private readonly Lazy<CompiledEnsemble?> _compiled;

    internal RiskModel(ModelManifest manifest, MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        _manifest = manifest;
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
        Target = ModelTargetNames.Parse(manifest.Target);
        _contributions = new Lazy<ITransformer[]>(CreateContributionTransformers);
        _compiled = new Lazy<CompiledEnsemble?>(() => CompiledEnsemble.TryCompile(_model, manifest.Features.Count, manifest.Training.BlendLightGbm));
    }

    /// <summary>e.g. <c>crisis-20261122-3f9a1c2b</c>: target, last as-of date trained on, first 8 hex digits of <see cref="DataHash"/>.</summary>
    public string Version => _manifest.Version;

    public ModelTarget Target { get; }

    /// <summary>First as-of date among the training examples.</summary>
    public DateOnly TrainedFrom => _manifest.TrainedFrom;

    /// <summary>Last as-of date among the training examples.</summary>
    public DateOnly TrainedThrough => _manifest.TrainedThrough;

    /// <summary>SHA-256 (hex) of the ordered training examples, target and options: equal hashes mean equal models.</summary>
    public string DataHash => _manifest.DataHash;

    public ModelMetrics Metrics => _manifest.Metrics;

    public IReadOnlyList<string> FeatureNames => _manifest.Features;

    /// <summary>Whether this is the FastTree + LightGbm blend (<see cref="TrainingOptions.BlendLightGbm"/>) rather than FastTree alone.</summary>
    public bool BlendsLightGbm => _manifest.Training.BlendLightGbm;

    /// <summary>What scores, for titles and reports: "FastTree + Platt" or "FastTree + LightGbm blend + Platt".</summary>
    public string Trainer => TrainerName(BlendsLightGbm);

    internal static string TrainerName(bool blendsLightGbm) => blendsLightGbm ? "FastTree + LightGbm blend + Platt" : "FastTree + Platt";

    /// <summary>
    /// Calibrated probabilities of the target, one per row: the model's own trees and calibrator walked over the rows
    /// (<see cref="CompiledEnsemble"/>, several times faster than a pass through IDataView and equal to it), or the ML.NET
    /// pass when the model has another shape.
    /// </summary>
    public float[] Score(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (_compiled.Value is not { } compiled)
        {
            return ScoreThroughDataView(rows);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is not { } row || row.Length != FeatureNames.Count)
            {
                throw new ArgumentException($"Row {i} has {rows[i]?.Length ?? 0} features; the model expects {FeatureNames.Count}.", nameof(rows));
            }
        }

        var scores = new float[rows.Count];
        compiled.Score(rows, scores);
        return scores;
    }

    /// <summary>
    /// The fastest entry point for a large batch: calibrated probabilities of the rows of a row-major matrix
    /// (<see cref="FeatureNames"/>.Count floats per row, <see cref="FeatureSchema"/> order) into
    /// <paramref name="probabilities"/>, one per row, without allocating. Same values as <see cref="Score(IReadOnlyList{float[]})"/>.
    /// </summary>
    public void Score(ReadOnlySpan<float> matrix, Span<float> probabilities)
    {
        var width = FeatureNames.Count;
        if (matrix.Length % width != 0)
        {
            throw new ArgumentException($"The matrix holds {matrix.Length} floats, not a whole number of {width}-feature rows.", nameof(matrix));
        }

        var rows = matrix.Length / width;
        if (probabilities.Length < rows)
        {
            throw new ArgumentException($"{rows} rows need {rows} probabilities; the output holds {probabilities.Length}.", nameof(probabilities));
        }

        if (_compiled.Value is { } compiled)
        {
            compiled.Score(matrix, probabilities);
            return;
        }

        var jagged = new float[rows][];
        for (var i = 0; i < rows; i++)
        {
            jagged[i] = matrix.Slice(i * width, width).ToArray();
        }

        ScoreThroughDataView(jagged).CopyTo(probabilities);
    }

    /// <summary>The same probabilities through one ML.NET IDataView pass over all rows (the reference the fast path is held to).</summary>
    internal float[] ScoreThroughDataView(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Count == 0
            ? []
            : RiskModelTrainer.ReadColumn(_model.Transform(new FeatureDataView(rows, FeatureNames.Count)), ProbabilityColumn);
    }

    /// <summary>Whether <see cref="Score"/> takes the compiled path.</summary>
    internal bool IsCompiled => _compiled.Value is not null;

    /// <summary>The compiled trees, or null when the model has another shape: tests and the benchmark choose its kernel.</summary>
    internal CompiledEnsemble? Compiled => _compiled.Value;

    /// <summary>
    /// Up to <paramref name="top"/> reasons for one row's score: the features pushing the score up most (the trees' feature
    /// contributions; a blend's averaged as its scores are), in that order, skipping those <see cref="ReasonWriter.ForFeature"/>
    /// has nothing to say about.
    /// </summary>
    public IReadOnlyList<Reason> Explain(float[] features, int top)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        if (top == 0)
        {
            return [];
        }

        // Signed contributions averaged over the members as their raw scores are, and only then the positive ones kept: a
        // feature one member pushes up and the other pushes down by as much does not push the blend's score up.
        var dense = new float[FeatureNames.Count];
        var members = _contributions.Value;
        foreach (var member in members)
        {
            var output = member.Transform(new FeatureDataView([features], FeatureNames.Count));
            var column = output.Schema[ContributionsColumn];
            var contributions = default(VBuffer<float>);
            using (var cursor = output.GetRowCursor([column]))
            {
                cursor.MoveNext();
                cursor.GetGetter<VBuffer<float>>(column)(ref contributions);
            }

            var i = 0;
            foreach (var value in contributions.DenseValues())
            {
                dense[i++] += value / members.Length;
            }
        }

        var order = Enumerable.Range(0, dense.Length)
            .Where(i => dense[i] > 0)
            .OrderByDescending(i => dense[i])
            .ThenBy(i => i);
        var reasons = new List<Reason>(top);
        foreach (var i in order)
        {
            if (ReasonWriter.ForFeature(FeatureNames[i], features[i]) is { } reason)
            {
                reasons.Add(reason);
                if (reasons.Count == top)
                {
                    break;
                }
            }
        }

        return reasons;
    }

    /// <summary>Writes <c>{directory}/{Version}.zip</c> (the ML.NET model) and <c>{Version}.json</c> (what it is and how good).</summary>
    public void Save(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        WriteReplacing(Path.Combine(directory, Version + ".zip"), stream => _ml.Model.Save(_model, _inputSchema, stream));
        WriteReplacing(Path.Combine(directory, Version + ".json"), stream => JsonSerializer.Serialize(stream, _manifest, ModelManifest.JsonOptions));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; its <c>.json</c> must sit beside the zip.</summary>
    /// <exception cref="InvalidDataException">The model was trained on another feature list than this build's <see cref="FeatureSchema"/>.</exception>
    public static RiskModel Load(string zipPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zipPath);
        var manifestPath = Path.ChangeExtension(zipPath, ".json");
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException($"The model manifest {Path.GetFileName(manifestPath)} is missing beside the model.", manifestPath);
        }

        ModelManifest manifest;
        using (var stream = File.OpenRead(manifestPath))
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(stream, ModelManifest.JsonOptions)
                ?? throw new InvalidDataException($"{Path.GetFileName(manifestPath)} is empty.");
        }

        // Rows come from this build's FeatureBuilder: a model that expects another order would score garbage silently.
        if (!manifest.Features.SequenceEqual(FeatureSchema.Names, StringComparer.Ordinal))
        {
            throw new InvalidDataException(
                $"Model {manifest.Version} was trained on a different feature list ({manifest.Features.Count} features) " +
                $"than this build computes ({FeatureSchema.Count}); retrain it.");
        }

        var ml = new MLContext(manifest.Training.Seed);

        // Belt and braces: ML.NET's loader may well find a blend's LightGbm member and its averaging Expression from what the
        // zip records; registering their assemblies here costs nothing and does not depend on it.
        ml.ComponentCatalog.RegisterAssembly(typeof(LightGbmBinaryModelParameters).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Transforms.ExpressionEstimator).Assembly);
        using var zip = File.OpenRead(zipPath);
        var model = ml.Model.Load(zip, out var inputSchema);
        return new RiskModel(manifest, ml, model, inputSchema);
    }

    /// <summary>One feature-contribution transformer per tree member (<see cref="ModelMember"/>), each giving both signs.</summary>
    private ITransformer[] CreateContributionTransformers()
    {
        var empty = new FeatureDataView([], FeatureNames.Count);
        return [.. ModelMember.Of((TransformerChain<ITransformer>)_model).Select(member => member.SignedContributions(_ml.Transforms, FeatureNames.Count).Fit(empty))];
    }

    /// <summary>Writes beside the target and renames over it, so a reader never sees half a model.</summary>
    private static void WriteReplacing(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            write(stream);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
