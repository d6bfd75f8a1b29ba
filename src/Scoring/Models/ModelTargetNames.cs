namespace RiskWatch.Scoring.Models;

/// <summary>The stable lower-case name of a target, used in model versions, file names and registry folders.</summary>
public static class ModelTargetNames
{
    public static string ToName(this ModelTarget target) => target switch
    {
        ModelTarget.Crisis => "crisis",
        ModelTarget.LonelyDeath => "lonely_death",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, "Unknown model target."),
    };

    public static ModelTarget Parse(string name) => name switch
    {
        "crisis" => ModelTarget.Crisis,
        "lonely_death" => ModelTarget.LonelyDeath,
        _ => throw new FormatException($"'{name}' is not a model target (crisis, lonely_death)."),
    };
}
