using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RiskWatch.Scoring.Features;

namespace RiskWatch.Scoring.Models;

/// <summary>
/// Training examples as a CSV matrix another tool can train on (the peer comparison in benchmarks/peer): a header, then
/// one row per example — <c>household</c> (a hash of the pseudonymous key, so the file can leave the system), <c>dong</c>,
/// <c>as_of</c>, <c>label</c> (0/1) and the <see cref="FeatureSchema"/> columns in order.
/// </summary>
public static class FeatureMatrix
{
    private static readonly string[] LeadingColumns = ["household", "dong", "as_of", "label"];

    /// <summary>The header line's columns.</summary>
    public static IReadOnlyList<string> Columns { get; } = [.. LeadingColumns, .. FeatureSchema.Names];

    /// <summary>
    /// The latest temporal fold's split, the one <see cref="RiskModelTrainer.Validate"/> headlines: test = the last quarter of
    /// the distinct as-of dates, train = every earlier example (unpurged, the default).
    /// </summary>
    public static (IReadOnlyList<TrainingExample> Train, IReadOnlyList<TrainingExample> Test) LatestSplit(IReadOnlyList<TrainingExample> examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var testFrom = RiskModelTrainer.LatestTestFrom(examples);
        var ordered = examples.OrderBy(e => e.AsOf).ThenBy(e => e.HouseholdKey, StringComparer.Ordinal).ToArray();
        return (ordered.Where(e => e.AsOf < testFrom).ToArray(), ordered.Where(e => e.AsOf >= testFrom).ToArray());
    }

    public static void Write(string path, IEnumerable<TrainingExample> examples)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(examples);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.WriteLine(string.Join(',', Columns));
        var line = new StringBuilder();
        foreach (var e in examples)
        {
            line.Clear();
            line.Append(HashKey(e.HouseholdKey)).Append(',').Append(e.DongCode).Append(',')
                .Append(e.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',').Append(e.Label ? '1' : '0');
            foreach (var value in e.Features)
            {
                // "R" round-trips the float exactly, so both sides of the comparison train on identical numbers.
                line.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            writer.WriteLine(line);
        }
    }

    /// <summary>Reads a matrix written by <see cref="Write"/>; its <c>household</c> column becomes the key.</summary>
    /// <exception cref="InvalidDataException">The header is not this build's.</exception>
    public static List<TrainingExample> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        var header = reader.ReadLine();
        if (header != string.Join(',', Columns))
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the header is not this build's feature matrix ({FeatureSchema.Count} features).");
        }

        var examples = new List<TrainingExample>();
        while (reader.ReadLine() is { Length: > 0 } line)
        {
            var cells = line.Split(',');
            var features = new float[FeatureSchema.Count];
            for (var i = 0; i < features.Length; i++)
            {
                features[i] = float.Parse(cells[LeadingColumns.Length + i], NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            examples.Add(new TrainingExample(
                cells[0], cells[1], DateOnly.ParseExact(cells[2], "yyyy-MM-dd", CultureInfo.InvariantCulture), features, cells[3] == "1"));
        }

        return examples;
    }

    /// <summary>First 16 hex digits of SHA-256 of the (already pseudonymous) key: stable across files, useless to link back.</summary>
    private static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..16];
}
