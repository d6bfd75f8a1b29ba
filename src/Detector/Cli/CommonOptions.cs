using System.CommandLine;
using RiskWatch.Detector.Configuration;

namespace RiskWatch.Detector.Cli;

/// <summary>Options several commands share, with the SPEC's spellings.</summary>
internal static class CommonOptions
{
    public static readonly Option<string?> Db = new("--db")
    {
        Description = "The store: sqlite:PATH (default sqlite:./data/riskwatch.db), postgres://USER:PASSWORD@HOST:PORT/DB or sqlserver://…; else RISKWATCH_DB",
        Recursive = true,
    };

    public static Option<DateOnly> Date(string name, string description, bool required) => new(name)
    {
        Description = description + " (YYYY-MM-DD)",
        Required = required,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (IsoDate.TryParse(text, out var date))
            {
                return date;
            }

            result.AddError($"{name}: '{text}' is not a date in the form YYYY-MM-DD.");
            return default;
        },
    };

    public static Option<DateOnly?> OptionalDate(string name, string description) => new(name)
    {
        Description = description + " (YYYY-MM-DD)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (IsoDate.TryParse(text, out var date))
            {
                return date;
            }

            result.AddError($"{name}: '{text}' is not a date in the form YYYY-MM-DD.");
            return null;
        },
    };

    /// <summary>`--lightgbm`: train the FastTree + LightGbm blend (native LightGbm, needs libgomp) instead of FastTree alone.</summary>
    public static Option<bool> LightGbm() => new("--lightgbm")
    {
        Description = "Average FastTree with LightGbm (better ranking on the peer comparison; LightGbm is native code and needs libgomp)",
    };
}
