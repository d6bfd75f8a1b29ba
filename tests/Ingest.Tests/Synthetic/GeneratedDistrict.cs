using System.Globalization;
using RiskWatch.Ingest.Synthetic;

namespace RiskWatch.Ingest.Tests.Synthetic;

/// <summary>
/// One 5,000-household, 120-day district generated once for the read-only synthetic tests, with its files parsed by
/// plain string splitting (the generator writes no quoted fields, and the real reader is tested elsewhere).
/// </summary>
public sealed class GeneratedDistrict : IDisposable
{
    public static readonly DateOnly EndDate = new(2026, 11, 22);

    public GeneratedDistrict()
    {
        Inbox = Directory.CreateTempSubdirectory("riskwatch-synthetic-").FullName;
        Options = new DistrictOptions
        {
            Households = 5_000,
            Days = 120,
            EndDate = EndDate,
            Seed = 11,
            // Enough lonely deaths for the death tests; the proportions do not depend on it.
            LonelyDeathRiskMultiplier = 100,
        };
        Truth = DistrictGenerator.Generate(Options, Inbox, TestContext.Current.CancellationToken);
        Residents = Rows(FileOf("residents", Options.StartDate));
    }

    public DistrictOptions Options { get; }

    public string Inbox { get; }

    public DistrictTruth Truth { get; }

    /// <summary>The registry snapshot of day 1.</summary>
    public IReadOnlyList<Dictionary<string, string>> Residents { get; }

    public string FileOf(string feed, DateOnly date) =>
        Path.Combine(Inbox, string.Create(CultureInfo.InvariantCulture, $"{feed}_{date:yyyyMMdd}.csv"));

    public IEnumerable<string> FilesOf(string feed) =>
        Directory.EnumerateFiles(Inbox, feed + "_*.csv").Order(StringComparer.Ordinal);

    public static DateOnly DateOfFile(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return DateOnly.ParseExact(name[(name.LastIndexOf('_') + 1)..], "yyyyMMdd", CultureInfo.InvariantCulture);
    }

    public static IReadOnlyList<Dictionary<string, string>> Rows(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var rows = new List<Dictionary<string, string>>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            Assert.Equal(header.Length, fields.Length);
            var row = new Dictionary<string, string>(header.Length, StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                row[header[i]] = fields[i];
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>
    /// The named columns of every row, for the big usage files where a dictionary per row would dominate the test time.
    /// </summary>
    public static IEnumerable<string[]> Columns(string path, params string[] names)
    {
        using var reader = new StreamReader(path);
        var header = reader.ReadLine()!.Split(',');
        var indexes = names.Select(n => Array.IndexOf(header, n)).ToArray();
        Assert.DoesNotContain(-1, indexes);
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            var picked = new string[indexes.Length];
            for (var i = 0; i < indexes.Length; i++)
            {
                picked[i] = fields[indexes[i]];
            }

            yield return picked;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Inbox, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail tests that passed.
        }
    }
}
