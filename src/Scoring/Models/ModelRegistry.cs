namespace RiskWatch.Scoring.Models;

/// <summary>
/// Models on disk: <c>{root}/{target}/{version}.zip|.json</c>, and per target a <c>current</c> file naming the live version.
/// </summary>
public sealed class ModelRegistry
{
    private const string CurrentFileName = "current";

    private readonly string _root;

    public ModelRegistry(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = root;
    }

    /// <summary>Saves the model and makes it the live one for its target.</summary>
    public void Promote(RiskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var directory = TargetDirectory(model.Target);
        model.Save(directory);

        // The switch is one rename, so a nightly run reading `current` sees the old version or the new one, never a torn file.
        var current = Path.Combine(directory, CurrentFileName);
        var temporary = current + ".tmp";
        File.WriteAllText(temporary, model.Version + "\n");
        File.Move(temporary, current, overwrite: true);
    }

    /// <summary>The live model of <paramref name="target"/>, or null when none was promoted yet.</summary>
    public RiskModel? LoadCurrent(ModelTarget target)
    {
        var directory = TargetDirectory(target);
        var current = Path.Combine(directory, CurrentFileName);
        if (!File.Exists(current))
        {
            return null;
        }

        var version = File.ReadAllText(current).Trim();
        if (version.Length == 0 || version.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new InvalidDataException($"{current} does not name a model version.");
        }

        return RiskModel.Load(Path.Combine(directory, version + ".zip"));
    }

    /// <summary>A given version of <paramref name="target"/>'s model, live or not: shadow runs judge candidates with it.</summary>
    public RiskModel LoadVersion(ModelTarget target, string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (version.AsSpan().IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"'{version}' is not a model version.", nameof(version));
        }

        var path = Path.Combine(TargetDirectory(target), version + ".zip");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No {target.ToName()} model {version} in {TargetDirectory(target)}.", path);
        }

        return RiskModel.Load(path);
    }

    private string TargetDirectory(ModelTarget target) => Path.Combine(_root, target.ToName());
}
