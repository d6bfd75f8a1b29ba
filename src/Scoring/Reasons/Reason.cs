namespace RiskWatch.Scoring.Reasons;

/// <summary>One reason shown to an officer: a stable code (the feature name, or <c>profile</c> / <c>flatline</c>) and the text.</summary>
/// <param name="Text">Korean first, English in parentheses: "건강보험료 4개월 체납 (health insurance 4 months overdue)".</param>
public sealed record Reason(string Code, string Text);
