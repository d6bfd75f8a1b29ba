namespace RiskWatch.Scoring.Models;

/// <summary>The two things RiskWatch predicts (SPEC "Targets").</summary>
public enum ModelTarget
{
    /// <summary>A visit within 60 days after the as-of date ends crisis_confirmed or supported.</summary>
    Crisis,

    /// <summary>Within 90 days after the as-of date the household ends died_alone, or a lone member dies and is found 3+ days later.</summary>
    LonelyDeath,
}

public enum TargetEventKind { CrisisConfirmed, LonelyDeath }

/// <summary>A labelled event in a household's history, dated when it became known.</summary>
public readonly record struct TargetEvent(DateOnly On, TargetEventKind Kind);
