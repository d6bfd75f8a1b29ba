namespace RiskWatch.Scoring.Models;

/// <summary>Too few positive examples to train (or honestly validate) a model for a target.</summary>
public sealed class InsufficientLabelsException : Exception
{
    public InsufficientLabelsException()
        : base("Too few positive examples to train a model.")
    {
    }

    public InsufficientLabelsException(string message)
        : base(message)
    {
    }

    public InsufficientLabelsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <param name="shortfall">What is missing, e.g. "4 positive examples among 9000, at least 10 needed".</param>
    public InsufficientLabelsException(ModelTarget target, int positivesFound, int positivesNeeded, string shortfall)
        : base(
            $"Cannot train the {target.ToName()} model: {shortfall}. Generate the synthetic district with a higher " +
            "lonely-death multiplier, pool more history (more as-of dates), or lower TrainingOptions.MinimumPositives for an experiment.")
    {
        Target = target;
        PositivesFound = positivesFound;
        PositivesNeeded = positivesNeeded;
    }

    public ModelTarget? Target { get; }

    public int PositivesFound { get; }

    public int PositivesNeeded { get; }
}
