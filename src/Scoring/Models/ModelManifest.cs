using System.Text.Json;
using System.Text.Json.Serialization;

namespace RiskWatch.Scoring.Models;

/// <summary>What is written beside a model's zip as {version}.json: enough to know what the model is without loading it.</summary>
internal sealed record ModelManifest(
    string Version,
    string Target,
    DateOnly TrainedFrom,
    DateOnly TrainedThrough,
    int HorizonDays,
    string DataHash,
    IReadOnlyList<string> Features,
    ModelMetrics Metrics,
    ManifestTraining Training)
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,

        // Metrics are NaN when a test set lacks a class; JSON has no NaN, so it is written as the string "NaN".
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary>How the model was trained, for the record.</summary>
/// <param name="PositiveWeight">
/// FastTree's weight on positives, (neg/pos)^<paramref name="PositiveWeightPower"/>. FastTree's only: a blend's LightGbm
/// member always weights them √(neg/pos) (RiskModelTrainer's LightGbmPositiveWeightPower), whatever the power here.
/// </param>
/// <param name="Smoothing">FastTree's smoothing; 0 in manifests written before it was chosen.</param>
/// <param name="MaximumTreeOutput">FastTree's cap on a leaf's value; its default 100 in manifests written before it was chosen.</param>
/// <param name="PositiveWeightPower">Positives weighted (neg/pos)^this (<see cref="PositiveWeight"/>); ½ in manifests written before it was chosen.</param>
/// <param name="BlendLightGbm">FastTree averaged with LightGbm (<see cref="TrainingOptions.BlendLightGbm"/>); false in manifests written before the blend.</param>
internal sealed record ManifestTraining(
    int Seed,
    int Trees,
    int Leaves,
    int MinimumExamplesPerLeaf,
    int MinimumPositives,
    bool PurgeOverlappingLabels,
    int Rows,
    int Positives,
    double PositiveWeight,
    string Calibration,
    double Smoothing = 0,
    double MaximumTreeOutput = LeafValueSettings.NoCap,
    double PositiveWeightPower = 0.5,
    bool BlendLightGbm = false);
